#include <catch2/catch.hpp>

#include <random>
#include <vector>

#include "stoa/audio/opus_encoder.hpp"
#include "stoa/audio/player.hpp"
#include "stoa/audio/tone.hpp"

using namespace stoa::audio;

namespace {
stoa::time_point at_ms(double ms) {
    return stoa::from_micros(static_cast<std::int64_t>(ms * 1000.0));
}
}  // namespace

TEST_CASE("a player turns a lossy, jittery packet stream back into the sender's tone", "[audio][player]") {
    auto encoder = opus_encoder::create({.expected_loss_percent = 10});
    auto receiver = player::create();
    REQUIRE(encoder.ok());
    REQUIRE(receiver.ok());
    sine_generator tone(440.0, 0.3);
    std::mt19937_64 rng(42);
    std::uniform_real_distribution<double> unit(0.0, 1.0);

    struct in_flight {
        double at_ms;
        std::uint32_t seq;
        stoa::bytes packet;
    };
    std::vector<in_flight> network;
    for (std::uint32_t seq = 0; seq < 250; ++seq) {
        pcm_frame frame{};
        tone.fill(frame);
        auto packet = encoder->encode(frame);
        REQUIRE(packet.ok());
        if (unit(rng) < 0.08) continue;  // lost
        network.push_back({20.0 * seq + 25.0 + 30.0 * unit(rng), seq, std::move(packet).value()});
    }
    std::sort(network.begin(), network.end(), [](const auto& a, const auto& b) { return a.at_ms < b.at_ms; });

    std::vector<std::int16_t> heard;
    std::size_t next = 0;
    int audible = 0;
    for (double tick = 5.0; tick < 20.0 * 260; tick += 20.0) {
        while (next < network.size() && network[next].at_ms <= tick) {
            receiver->push(frame_seq(network[next].seq), network[next].packet, at_ms(network[next].at_ms));
            ++next;
        }
        pcm_frame out{};
        out.fill(1234);  // a tick must always overwrite the whole frame
        const player_output result = receiver->pull(at_ms(tick), out);
        if (result.audible)
            ++audible;
        else
            CHECK(std::all_of(out.begin(), out.end(), [](std::int16_t s) { return s == 0; }));
        if (tick > 1'000 && tick < 4'800) heard.insert(heard.end(), out.begin(), out.end());
    }
    const auto& stats = receiver->buffer().stats();
    CHECK(stats.fec_recovered > 0);
    CHECK(receiver->decode_errors() == 0);
    CHECK(audible >= 240);
    CHECK(dominant_frequency(heard) == Approx(440.0).margin(3.0));
    CHECK(tone_ratio(heard, 440.0) > 0.8);
}

TEST_CASE("a packet that fails to decode is concealed and counted", "[audio][player]") {
    auto encoder = opus_encoder::create();
    auto receiver = player::create();
    REQUIRE(encoder.ok());
    REQUIRE(receiver.ok());
    sine_generator tone(440.0, 0.3);
    for (std::uint32_t seq = 0; seq < 10; ++seq) {
        pcm_frame frame{};
        tone.fill(frame);
        auto packet = encoder->encode(frame);
        REQUIRE(packet.ok());
        if (seq == 5) packet = stoa::bytes{0x18, 0x01, 0x02};  // a 60 ms packet: not ours to play
        receiver->push(frame_seq(seq), *packet, at_ms(20.0 * seq));
    }
    int concealed = 0;
    for (int t = 0; t < 14; ++t) {
        pcm_frame out{};
        const auto result = receiver->pull(at_ms(200.0 + 20.0 * t), out);
        if (result.action == playout_action::conceal) {
            ++concealed;
            CHECK(result.audible);
        }
    }
    CHECK(receiver->decode_errors() == 1);
    CHECK(concealed >= 1);
}
