#include <catch2/catch.hpp>

#include <opus.h>

#include <algorithm>
#include <random>
#include <vector>

#include "audio_test_support.hpp"
#include "stoa/audio/opus_decoder.hpp"
#include "stoa/audio/opus_encoder.hpp"
#include "stoa/audio/tone.hpp"

using namespace stoa::audio;

namespace {

std::vector<stoa::bytes> encode_all(opus_encoder& encoder, std::span<const std::int16_t> pcm) {
    std::vector<stoa::bytes> packets;
    for (std::size_t offset = 0; offset + frame_samples <= pcm.size(); offset += frame_samples) {
        auto packet = encoder.encode(pcm.subspan(offset, frame_samples));
        REQUIRE(packet.ok());
        packets.push_back(std::move(packet).value());
    }
    return packets;
}

}  // namespace

TEST_CASE("Opus round trip of a speech-like signal stays highly correlated", "[audio][opus_decoder]") {
    constexpr std::size_t frames = 100;  // 2 s
    const auto input = test::speech_like(frame_samples * frames);
    auto encoder = opus_encoder::create();
    auto decoder = opus_decoder::create();
    REQUIRE(encoder.ok());
    REQUIRE(decoder.ok());
    const auto packets = encode_all(*encoder, input);

    std::vector<std::int16_t> output(input.size());
    for (std::size_t f = 0; f < frames; ++f) {
        auto n = decoder->decode(packets[f], std::span(output).subspan(f * frame_samples, frame_samples));
        REQUIRE(n.ok());
        CHECK(*n == frame_samples);
    }
    // Skip the first 200 ms (encoder warm-up), search lags up to 10 ms for the codec delay.
    const std::size_t start = frame_samples * 10;
    const std::size_t length = frame_samples * 80;
    const auto aligned = test::best_alignment(input, output, 480, start, length);
    CAPTURE(aligned.lag, aligned.correlation, encoder->lookahead_samples());
    CHECK(aligned.correlation > 0.9);
    // The delay found is close to the encoder's own lookahead.
    CHECK(std::abs(static_cast<long>(aligned.lag) - encoder->lookahead_samples()) <= 16);
}

TEST_CASE("a 440 Hz tone survives the codec", "[audio][opus_decoder][tone]") {
    auto encoder = opus_encoder::create();
    auto decoder = opus_decoder::create();
    REQUIRE(encoder.ok());
    REQUIRE(decoder.ok());
    sine_generator tone(440.0, 0.3);
    std::vector<std::int16_t> decoded;
    for (int f = 0; f < 50; ++f) {
        pcm_frame in{};
        pcm_frame out{};
        tone.fill(in);
        auto packet = encoder->encode(in);
        REQUIRE(packet.ok());
        REQUIRE(decoder->decode(*packet, out).ok());
        if (f >= 10) decoded.insert(decoded.end(), out.begin(), out.end());
    }
    CHECK(dominant_frequency(decoded) == Approx(440.0).margin(3.0));
    CHECK(tone_ratio(decoded, 440.0) > 0.9);
}

TEST_CASE("in-band FEC recovers a lost frame better than concealment", "[audio][opus_decoder]") {
    constexpr std::size_t frames = 150;
    const auto input = test::speech_like(frame_samples * frames);
    auto encoder = opus_encoder::create({.expected_loss_percent = 20});
    REQUIRE(encoder.ok());
    const auto packets = encode_all(*encoder, input);

    // The reference is the decoder's own output with no loss; errors are measured against it
    // so codec delay and coding noise cancel out.
    auto reference_decoder = opus_decoder::create();
    REQUIRE(reference_decoder.ok());
    std::vector<pcm_frame> reference(frames);
    for (std::size_t f = 0; f < frames; ++f) REQUIRE(reference_decoder->decode(packets[f], reference[f]).ok());

    double fec_error = 0.0;
    double plc_error = 0.0;
    int fec_better = 0;
    int trials = 0;
    for (std::size_t lost = 20; lost + 1 < frames; lost += 13) {
        auto with_fec = opus_decoder::create();
        auto with_plc = opus_decoder::create();
        REQUIRE(with_fec.ok());
        REQUIRE(with_plc.ok());
        pcm_frame scratch{};
        for (std::size_t f = 0; f < lost; ++f) {
            REQUIRE(with_fec->decode(packets[f], scratch).ok());
            REQUIRE(with_plc->decode(packets[f], scratch).ok());
        }
        pcm_frame recovered{};
        pcm_frame concealed{};
        REQUIRE(with_fec->decode_fec(packets[lost + 1], recovered).ok());
        REQUIRE(with_plc->conceal(concealed).ok());
        const double e_fec = test::error_energy(recovered, reference[lost]);
        const double e_plc = test::error_energy(concealed, reference[lost]);
        fec_error += e_fec;
        plc_error += e_plc;
        fec_better += e_fec < e_plc ? 1 : 0;
        ++trials;
    }
    CAPTURE(fec_error, plc_error, fec_better, trials);
    // Over all trials FEC is far closer; frame by frame PLC sometimes wins on a steady vowel.
    CHECK(fec_error * 4.0 < plc_error);
    CHECK(fec_better * 2 >= trials);
}

TEST_CASE("decoded samples are exactly libopus's opus_decode, loud or quiet, through FEC, concealment and reset",
          "[audio][opus_decoder]") {
    // The decoder takes libopus's float output and does opus_decode's int16 steps itself (soft
    // clipping with its own state, then scale, clamp, round), because that loop vectorises in
    // WebAssembly. Same calls into plain opus_decode must give the same samples.
    constexpr std::size_t frames = 150;  // 3 s
    const auto check = [](const std::vector<std::int16_t>& input) {
        auto encoder = opus_encoder::create({.bitrate_bps = 64'000});
        REQUIRE(encoder.ok());
        const auto packets = encode_all(*encoder, input);
        auto ours = opus_decoder::create();
        REQUIRE(ours.ok());
        int error = 0;
        std::unique_ptr<OpusDecoder, decltype(&opus_decoder_destroy)> reference(
            opus_decoder_create(static_cast<opus_int32>(sample_rate_hz), static_cast<int>(channel_count), &error),
            &opus_decoder_destroy);
        REQUIRE(error == OPUS_OK);
        std::size_t differ = 0;
        std::int16_t loudest = 0;
        for (std::size_t i = 0; i + 1 < packets.size(); ++i) {
            if (i == packets.size() / 2) {
                ours->reset();
                REQUIRE(opus_decoder_ctl(reference.get(), OPUS_RESET_STATE) == OPUS_OK);
            }
            std::array<std::int16_t, frame_samples> got{}, want{};
            int n = 0;
            if (i % 7 == 3) {  // lost, nothing after it yet: concealment
                REQUIRE(ours->conceal(got).ok());
                n = opus_decode(reference.get(), nullptr, 0, want.data(), static_cast<int>(frame_samples), 0);
            } else if (i % 11 == 5) {  // lost, the next packet's FEC
                const auto& next = packets[i + 1];
                REQUIRE(ours->decode_fec(next, got).ok());
                n = opus_decode(reference.get(), next.data(), static_cast<opus_int32>(next.size()), want.data(),
                                static_cast<int>(frame_samples), 1);
            } else {
                REQUIRE(ours->decode(packets[i], got).ok());
                n = opus_decode(reference.get(), packets[i].data(), static_cast<opus_int32>(packets[i].size()),
                                want.data(), static_cast<int>(frame_samples), 0);
            }
            REQUIRE(n == static_cast<int>(frame_samples));
            for (std::size_t s = 0; s < frame_samples; ++s) {
                differ += got[s] != want[s] ? 1U : 0U;
                loudest = std::max<std::int16_t>(loudest, static_cast<std::int16_t>(std::abs(want[s])));
            }
        }
        CAPTURE(loudest);
        CHECK(differ == 0);
        return loudest;
    };
    CHECK(check(test::speech_like(frame_samples * frames, 0.3)) < 20'000);
    // A full-scale 150 Hz square wave: the decoded waveform overshoots full scale (Gibbs ringing),
    // so the soft clipping, and its state carried across frames, is exercised.
    std::vector<std::int16_t> square(frame_samples * frames);
    for (std::size_t i = 0; i < square.size(); ++i) square[i] = (i / 160) % 2 == 0 ? 32'767 : -32'767;
    CHECK(check(square) == 32'767);
}

TEST_CASE("the decoder rejects malformed packets with a typed error", "[audio][opus_decoder]") {
    auto decoder = opus_decoder::create();
    REQUIRE(decoder.ok());
    struct row {
        const char* name;
        std::vector<std::uint8_t> packet;
        audio_error expected;
    };
    const std::vector<std::uint8_t> sixty_ms = {0x18, 0x01};        // config 3: SILK NB 60 ms
    const std::vector<std::uint8_t> forty_ms = {0x10, 0x00, 0x00};  // config 2: SILK NB 40 ms
    const std::vector<row> rows = {
        {"empty", {}, audio_error::empty_packet},
        {"larger than any 20 ms frame", std::vector<std::uint8_t>(max_packet_bytes + 1, 0xfc),
         audio_error::packet_too_large},
        {"code 3 zero frames", {0xfc | 0x03, 0x00}, audio_error::invalid_packet},
        {"code 3 truncated", {0xfc | 0x03}, audio_error::invalid_packet},
        {"code 2 with a frame length past the end", {0xf0 | 0x02, 0xfb, 0x01}, audio_error::invalid_packet},
        {"code 1 with uneven halves", {0xf0 | 0x01, 0x01, 0x02, 0x03}, audio_error::invalid_packet},
        {"10 ms CELT frame", {0xf4, 0x00}, audio_error::wrong_packet_duration},
        {"40 ms SILK frame", forty_ms, audio_error::wrong_packet_duration},
        {"three 20 ms frames (60 ms)", {0xfc | 0x03, 0x03, 0x00}, audio_error::wrong_packet_duration},
        {"60 ms SILK frame", sixty_ms, audio_error::wrong_packet_duration},
    };
    for (const auto& r : rows) {
        SECTION(r.name) {
            pcm_frame out{};
            auto decoded = decoder->decode(r.packet, out);
            REQUIRE_FALSE(decoded.ok());
            CHECK(decoded.error() == r.expected);
            auto fec = decoder->decode_fec(r.packet, out);
            REQUIRE_FALSE(fec.ok());
            CHECK(fec.error() == r.expected);
        }
    }
    SECTION("an output buffer shorter than a frame") {
        std::vector<std::int16_t> small(frame_samples - 1);
        auto decoded = decoder->decode(std::vector<std::uint8_t>{0xfc, 0x00}, small);
        REQUIRE_FALSE(decoded.ok());
        CHECK(decoded.error() == audio_error::buffer_too_small);
        CHECK(decoder->conceal(small).error() == audio_error::buffer_too_small);
    }
}

TEST_CASE("rejected packets do not disturb the decoder's state", "[audio][opus_decoder]") {
    const auto input = test::speech_like(frame_samples * 30);
    auto encoder = opus_encoder::create();
    REQUIRE(encoder.ok());
    const auto packets = encode_all(*encoder, input);
    auto clean = opus_decoder::create();
    auto attacked = opus_decoder::create();
    REQUIRE(clean.ok());
    REQUIRE(attacked.ok());
    const std::vector<std::vector<std::uint8_t>> garbage = {
        {}, {0xff}, {0x1b, 0x01}, {0xfc | 0x03, 0x00}, std::vector<std::uint8_t>(2000, 0x00)};
    for (std::size_t f = 0; f < packets.size(); ++f) {
        pcm_frame a{};
        pcm_frame b{};
        REQUIRE(clean->decode(packets[f], a).ok());
        pcm_frame junk{};
        CHECK_FALSE(attacked->decode(garbage[f % garbage.size()], junk).ok());
        REQUIRE(attacked->decode(packets[f], b).ok());
        REQUIRE(a == b);
    }
}

TEST_CASE("random bytes never crash the decoder or write past one frame", "[audio][opus_decoder]") {
    auto decoder = opus_decoder::create();
    REQUIRE(decoder.ok());
    std::mt19937 rng(20240611);
    constexpr std::int16_t canary = 0x5a5a;
    std::vector<std::int16_t> out(frame_samples + 64, canary);
    int accepted = 0;
    for (int i = 0; i < 3000; ++i) {
        std::vector<std::uint8_t> packet(rng() % 200);
        for (auto& b : packet) b = static_cast<std::uint8_t>(rng());
        auto frame = std::span(out).first(frame_samples);
        auto decoded = (i % 2 == 0) ? decoder->decode(packet, frame) : decoder->decode_fec(packet, frame);
        if (decoded.ok()) {
            ++accepted;
            CHECK(*decoded == frame_samples);
        }
        REQUIRE(std::all_of(out.begin() + frame_samples, out.end(), [](std::int16_t s) { return s == canary; }));
    }
    // Some random packets are valid 20 ms Opus; the point is that none misbehaves.
    CHECK(accepted > 0);
}
