#include <catch2/catch.hpp>

#include <algorithm>
#include <vector>

#include "audio_test_support.hpp"
#include "stoa/audio/opus_encoder.hpp"
#include "stoa/audio/opus_packet.hpp"

using namespace stoa::audio;

TEST_CASE("encoder rejects out-of-range configuration with a typed error", "[audio][opus_encoder]") {
    struct row {
        const char* name;
        encoder_config config;
    };
    const std::vector<row> rows = {
        {"bitrate too low", {.bitrate_bps = 5'999}},
        {"bitrate too high", {.bitrate_bps = 510'001}},
        {"negative loss", {.expected_loss_percent = -1}},
        {"loss above 100", {.expected_loss_percent = 101}},
        {"complexity 11", {.complexity = 11}},
        {"complexity -1", {.complexity = -1}},
    };
    for (const auto& r : rows) {
        SECTION(r.name) {
            auto encoder = opus_encoder::create(r.config);
            REQUIRE_FALSE(encoder.ok());
            CHECK(encoder.error() == audio_error::invalid_argument);
        }
    }
}

TEST_CASE("encoder setters validate and keep the old value on failure", "[audio][opus_encoder]") {
    auto encoder = opus_encoder::create();
    REQUIRE(encoder.ok());
    CHECK(encoder->config().bitrate_bps == 32'000);
    CHECK(encoder->set_bitrate(24'000).ok());
    CHECK(encoder->config().bitrate_bps == 24'000);
    auto bad = encoder->set_bitrate(1);
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error() == audio_error::invalid_argument);
    CHECK(encoder->config().bitrate_bps == 24'000);
    CHECK(encoder->set_expected_loss(30).ok());
    CHECK_FALSE(encoder->set_expected_loss(200).ok());
    CHECK(encoder->set_complexity(5).ok());
    CHECK_FALSE(encoder->set_complexity(42).ok());
    CHECK(encoder->config().complexity == 5);
}

TEST_CASE("encoder takes exactly one 20 ms frame", "[audio][opus_encoder]") {
    auto encoder = opus_encoder::create();
    REQUIRE(encoder.ok());
    std::vector<std::int16_t> short_frame(frame_samples - 1);
    std::vector<std::int16_t> long_frame(frame_samples + 1);
    auto a = encoder->encode(short_frame);
    auto b = encoder->encode(long_frame);
    REQUIRE_FALSE(a.ok());
    REQUIRE_FALSE(b.ok());
    CHECK(a.error() == audio_error::wrong_frame_size);
    CHECK(b.error() == audio_error::wrong_frame_size);
    pcm_frame frame{};
    std::array<std::uint8_t, 0> nowhere{};
    auto c = encoder->encode(frame, std::span<std::uint8_t>(nowhere));
    REQUIRE_FALSE(c.ok());
    CHECK(c.error() == audio_error::buffer_too_small);
}

TEST_CASE("speech at 32 kb/s makes packets of the expected size in a 20 ms TOC", "[audio][opus_encoder]") {
    auto encoder = opus_encoder::create();
    REQUIRE(encoder.ok());
    const auto speech = test::speech_like(frame_samples * 50);
    std::array<std::uint8_t, max_packet_bytes> buffer{};
    std::size_t total = 0;
    for (std::size_t f = 0; f < 50; ++f) {
        auto size = encoder->encode(std::span(speech).subspan(f * frame_samples, frame_samples), buffer);
        REQUIRE(size.ok());
        REQUIRE(needs_transmission(*size));
        total += *size;
        auto info = inspect_packet(std::span(buffer).first(*size));
        REQUIRE(info.ok());
        CHECK(info->total_samples == frame_samples);
        CHECK_FALSE(info->toc.stereo);
    }
    // 32 kb/s over 20 ms is 80 bytes; VBR wanders around it.
    const double average = static_cast<double>(total) / 50.0;
    CHECK(average > 50.0);
    CHECK(average < 110.0);
}

TEST_CASE("with DTX, silence after speech becomes packets that need no transmission", "[audio][opus_encoder]") {
    auto encoder = opus_encoder::create();
    REQUIRE(encoder.ok());
    const auto speech = test::speech_like(frame_samples * 25);
    for (std::size_t f = 0; f < 25; ++f) {
        auto packet = encoder->encode(std::span(speech).subspan(f * frame_samples, frame_samples));
        REQUIRE(packet.ok());
    }
    CHECK_FALSE(encoder->in_dtx());
    const pcm_frame silence{};
    int skippable = 0;
    for (int f = 0; f < 100; ++f) {
        auto packet = encoder->encode(silence);
        REQUIRE(packet.ok());
        if (!needs_transmission(*packet)) {
            ++skippable;
            CHECK(packet->size() <= max_dtx_packet_bytes);
        }
    }
    // Opus enters DTX after about 200 ms of silence and then sends a comfort-noise update
    // every 400 ms, so most of 2 s of silence is skippable.
    CHECK(skippable >= 70);
    CHECK(encoder->in_dtx());

    SECTION("without DTX every packet must be sent") {
        auto plain = opus_encoder::create({.dtx = false});
        REQUIRE(plain.ok());
        for (int f = 0; f < 60; ++f) {
            auto packet = plain->encode(silence);
            REQUIRE(packet.ok());
            CHECK(needs_transmission(*packet));
        }
    }
}
