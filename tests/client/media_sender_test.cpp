// The send path on its own: constant-rate mode sends every frame, silence included, at one size;
// otherwise silence (DTX) is skipped. Every frame is encrypted under the keyring and signed.
#include <catch2/catch.hpp>

#include <array>

#include "media_sender.hpp"
#include "recording_io.hpp"
#include "stoa/audio/tone.hpp"
#include "stoa/e2ee/sframe.hpp"
#include "stoa/proto/binary.hpp"
#include "test_random.hpp"

using namespace stoa;
using namespace stoa::client;
using namespace std::chrono_literals;

namespace {

struct sender_fixture {
    explicit sender_fixture(std::uint64_t seed)
        : random(seed),
          identity(e2ee::identity::generate(random)),
          ring(e2ee::keyring_config{test::part_test_room}),
          sender(32'000, io, stats, scratch) {
        REQUIRE(ring.install(test::keys_for(1), now).ok());
        sender.start(identity, sender_index(3), test::part_test_room);
    }

    // Half a second of tone, then two seconds of silence.
    void speak_then_fall_silent(bool constant_rate) {
        audio::sine_generator tone(440.0, 0.3);
        std::array<std::int16_t, audio::frame_samples> pcm{};
        for (int frame = 0; frame < 125; ++frame) {
            if (frame < 25) {
                tone.fill(pcm);
            } else {
                pcm.fill(0);
            }
            REQUIRE(sender.send_audio(pcm, constant_rate, ring, now).ok());
            now += 20ms;
        }
    }

    // Ciphertext sizes: the SFrame header grows by a byte as the counter passes 8 and 256, but
    // the counter is in the clear anyway.
    [[nodiscard]] std::vector<std::size_t> media_sizes() const {
        std::vector<std::size_t> sizes;
        for (const auto& m : io.binary) {
            if (!m.media) continue;
            const auto frame = byte_view(reinterpret_cast<const std::uint8_t*>(m.data.data()), m.data.size())
                                   .subspan(proto::binary_header_size);
            const auto header = e2ee::parse_header(frame);
            REQUIRE(header.ok());
            sizes.push_back(frame.size() - header->size);
        }
        return sizes;
    }

    time_point now = from_micros(1'000'000);
    test::seeded_random random;
    e2ee::identity identity;
    test::recording_io io;
    session_stats stats;
    bytes scratch;
    e2ee::keyring ring;
    media_sender sender;
};

}  // namespace

TEST_CASE("constant-rate mode sends every frame at one size, silence included", "[client][media_sender]") {
    sender_fixture f(1);
    f.speak_then_fall_silent(true);
    const auto sizes = f.media_sizes();
    REQUIRE(sizes.size() == 125);
    CHECK(std::all_of(sizes.begin(), sizes.end(), [&](std::size_t s) { return s == sizes.front(); }));
    CHECK(f.stats.frames_sent == 125);
    CHECK(f.stats.frames_skipped_dtx == 0);
}

TEST_CASE("without constant rate silence is skipped and sizes follow the signal", "[client][media_sender]") {
    sender_fixture f(2);
    f.speak_then_fall_silent(false);
    const auto sizes = f.media_sizes();
    CHECK(f.stats.frames_skipped_dtx > 0);
    CHECK(f.stats.frames_sent + f.stats.frames_skipped_dtx == 125);
    CHECK(sizes.size() == f.stats.frames_sent);
    CHECK(std::any_of(sizes.begin(), sizes.end(), [&](std::size_t s) { return s != sizes.front(); }));
}

TEST_CASE("sent frames are signed: batches as they fill, the rest on flush", "[client][media_sender]") {
    sender_fixture f(3);
    f.speak_then_fall_silent(true);
    const auto signatures = [&] {
        return std::count_if(f.io.binary.begin(), f.io.binary.end(), [](const auto& m) { return !m.media; });
    };
    const auto batched = signatures();
    CHECK(batched > 0);
    f.sender.flush_signatures();
    f.sender.flush_signatures();  // nothing left to sign the second time
    CHECK(signatures() <= batched + 1);
}

TEST_CASE("encoded packets are checked for size before sending", "[client][media_sender]") {
    const bytes empty;
    const bytes small(100, 0x42);
    const bytes large(media_sender::max_padded_opus_packet + 1, 0x42);
    CHECK(media_sender::check_opus(empty, false).error() == client_error::too_large);
    CHECK(media_sender::check_opus(small, true).ok());
    CHECK(media_sender::check_opus(large, true).error() == client_error::too_large);

    sender_fixture f(4);
    REQUIRE(f.sender.send_opus(small, true, f.ring, f.now).ok());
    REQUIRE(f.sender.send_opus(byte_view(small).first(20), true, f.ring, f.now + 20ms).ok());
    const auto sizes = f.media_sizes();
    REQUIRE(sizes.size() == 2);
    CHECK(sizes[0] == sizes[1]);  // padded: the relay cannot tell the packets apart
}

// The browser encodes in a module of its own (loaded on unmute) and hands packets to send_opus:
// with the encoder configured as the session says, the frames on the wire match send_audio's.
TEST_CASE("an outside encoder through send_opus sends what send_audio sends", "[client][media_sender]") {
    for (const bool constant_rate : {false, true}) {
        CAPTURE(constant_rate);
        sender_fixture inside(6);
        inside.speak_then_fall_silent(constant_rate);

        sender_fixture outside(6);
        audio::encoder_config config;
        config.vbr = !constant_rate;
        auto encoder = audio::opus_encoder::create(config);
        REQUIRE(encoder.ok());
        REQUIRE(encoder->set_bitrate(32'000).ok());
        audio::sine_generator tone(440.0, 0.3);
        std::array<std::int16_t, audio::frame_samples> pcm{};
        std::array<std::uint8_t, media_sender::max_opus_packet> packet{};
        const std::size_t limit = constant_rate ? media_sender::max_padded_opus_packet : media_sender::max_opus_packet;
        for (int frame = 0; frame < 125; ++frame) {
            if (frame < 25) {
                tone.fill(pcm);
            } else {
                pcm.fill(0);
            }
            auto size = encoder->encode(pcm, std::span(packet).first(limit));
            REQUIRE(size.ok());
            REQUIRE(media_sender::check_opus(byte_view(packet).first(*size), constant_rate).ok());
            REQUIRE(outside.sender.send_opus(byte_view(packet).first(*size), constant_rate, outside.ring, outside.now)
                        .ok());
            outside.now += 20ms;
        }
        CHECK(outside.stats.frames_sent == inside.stats.frames_sent);
        CHECK(outside.stats.frames_skipped_dtx == inside.stats.frames_skipped_dtx);
        CHECK(outside.media_sizes() == inside.media_sizes());
        if (!constant_rate) CHECK(outside.stats.frames_skipped_dtx > 0);
    }
}

TEST_CASE("a stopped sender sends nothing", "[client][media_sender]") {
    sender_fixture f(5);
    f.sender.stop();
    const bytes small(100, 0x42);
    CHECK_FALSE(f.sender.send_opus(small, false, f.ring, f.now).ok());
    CHECK(f.io.binary.empty());
}
