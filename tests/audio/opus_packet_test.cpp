#include <catch2/catch.hpp>

#include <vector>

#include "stoa/audio/format.hpp"
#include "stoa/audio/opus_packet.hpp"

using namespace stoa::audio;

TEST_CASE("TOC byte decodes mode, bandwidth, frame size and count code (RFC 6716 table 2)", "[audio][opus_packet]") {
    struct row {
        std::uint8_t toc;
        opus_mode mode;
        opus_bandwidth bandwidth;
        std::uint32_t samples;
        bool stereo;
        std::uint8_t code;
    };
    const std::vector<row> rows = {
        {0x00, opus_mode::silk, opus_bandwidth::narrowband, 480, false, 0},       // config 0: SILK NB 10 ms
        {0x0b, opus_mode::silk, opus_bandwidth::narrowband, 960, false, 3},       // config 1: SILK NB 20 ms
        {0x4c, opus_mode::silk, opus_bandwidth::wideband, 960, true, 0},          // config 9: SILK WB 20 ms
        {0x1b, opus_mode::silk, opus_bandwidth::narrowband, 2880, false, 3},      // config 3: SILK NB 60 ms
        {0x60, opus_mode::hybrid, opus_bandwidth::superwideband, 480, false, 0},  // config 12: hybrid SWB 10 ms
        {0x68, opus_mode::hybrid, opus_bandwidth::superwideband, 960, false, 0},  // config 13: hybrid SWB 20 ms
        {0x78, opus_mode::hybrid, opus_bandwidth::fullband, 960, false, 0},       // config 15: hybrid FB 20 ms
        {0x80, opus_mode::celt, opus_bandwidth::narrowband, 120, false, 0},       // config 16: CELT NB 2.5 ms
        {0xfc, opus_mode::celt, opus_bandwidth::fullband, 960, true, 0},          // config 31: CELT FB 20 ms
        {0xa9, opus_mode::celt, opus_bandwidth::wideband, 240, false, 1},         // config 21: CELT WB 5 ms
    };
    for (const auto& r : rows) {
        CAPTURE(r.toc);
        const toc_info info = parse_toc(r.toc);
        CHECK(info.mode == r.mode);
        CHECK(info.bandwidth == r.bandwidth);
        CHECK(info.samples_per_frame == r.samples);
        CHECK(info.stereo == r.stereo);
        CHECK(info.frame_count_code == r.code);
    }
}

TEST_CASE("every TOC byte parses to a frame size Opus allows", "[audio][opus_packet]") {
    for (int b = 0; b < 256; ++b) {
        const auto samples = parse_toc(static_cast<std::uint8_t>(b)).samples_per_frame;
        const bool allowed =
            samples == 120 || samples == 240 || samples == 480 || samples == 960 || samples == 1920 || samples == 2880;
        CHECK(allowed);
    }
}

TEST_CASE("inspect_packet reports duration and rejects malformed headers", "[audio][opus_packet]") {
    SECTION("one 20 ms frame") {
        const std::vector<std::uint8_t> packet = {0x78, 0x01, 0x02};
        auto info = inspect_packet(packet);
        REQUIRE(info.ok());
        CHECK(info->frame_count == 1);
        CHECK(info->total_samples == frame_samples);
    }
    SECTION("two 10 ms frames (code 1) are 20 ms") {
        const std::vector<std::uint8_t> packet = {0x01, 0x11, 0x22};
        auto info = inspect_packet(packet);
        REQUIRE(info.ok());
        CHECK(info->frame_count == 2);
        CHECK(info->total_samples == frame_samples);
    }
    SECTION("errors") {
        struct row {
            const char* name;
            std::vector<std::uint8_t> packet;
            audio_error expected;
        };
        const std::vector<row> rows = {
            {"empty", {}, audio_error::empty_packet},
            {"too large", std::vector<std::uint8_t>(max_packet_bytes + 1, 0x78), audio_error::packet_too_large},
            {"code 3 without count byte", {0x03}, audio_error::invalid_packet},
            {"code 3 with zero frames", {0x03, 0x00}, audio_error::invalid_packet},
            {"code 3 over 120 ms", {0x1b, 0x03}, audio_error::invalid_packet},
        };
        for (const auto& r : rows) {
            SECTION(r.name) {
                auto info = inspect_packet(r.packet);
                REQUIRE_FALSE(info.ok());
                CHECK(info.error() == r.expected);
            }
        }
    }
}

TEST_CASE("DTX packets are the ones of two bytes or less", "[audio][opus_packet]") {
    CHECK_FALSE(needs_transmission(std::size_t{0}));
    CHECK_FALSE(needs_transmission(std::size_t{1}));
    CHECK_FALSE(needs_transmission(std::size_t{2}));
    CHECK(needs_transmission(std::size_t{3}));
}
