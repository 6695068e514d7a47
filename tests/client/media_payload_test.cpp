// The media payload inside each encrypted frame: plain (version 1) and padded (version 2, closed
// rooms' constant-rate mode), and refusal of anything malformed.
#include <catch2/catch.hpp>

#include "stoa/client/media_payload.hpp"

using namespace stoa;
using namespace stoa::client;

TEST_CASE("plain and padded payloads round-trip", "[client][media_payload]") {
    const bytes opus{0x78, 1, 2, 3, 4, 5, 6, 7, 8, 9};
    for (const bool padded : {false, true}) {
        CAPTURE(padded);
        bytes buffer(max_media_payload_size);
        auto written = write_media_payload({audio::frame_seq(77), from_micros(123'456), opus}, buffer, padded);
        REQUIRE(written.ok());
        CHECK(written.value() == (padded ? padded_payload_block : media_payload_header_size + opus.size()));
        auto read = read_media_payload(byte_view(buffer).first(written.value()));
        REQUIRE(read.ok());
        CHECK(read->seq == audio::frame_seq(77));
        CHECK(read->sent_at == from_micros(123'456));
        CHECK(bytes(read->opus.begin(), read->opus.end()) == opus);
    }
}

TEST_CASE("padded payloads of different Opus sizes have one size per block", "[client][media_payload]") {
    bytes buffer(max_media_payload_size);
    for (std::size_t size : {1U, 2U, 50U, 80U, 113U}) {
        const bytes opus(size, 0x42);
        auto written = write_media_payload({audio::frame_seq(1), from_micros(1), opus}, buffer, true);
        REQUIRE(written.ok());
        CHECK(written.value() == padded_payload_block);
    }
    const bytes bigger(114, 0x42);
    CHECK(write_media_payload({audio::frame_seq(1), from_micros(1), bigger}, buffer, true).value() ==
          2 * padded_payload_block);
}

TEST_CASE("malformed payloads are refused, never read past their end", "[client][media_payload]") {
    bytes buffer(max_media_payload_size);
    const bytes opus(20, 0x11);
    const std::size_t size = write_media_payload({audio::frame_seq(3), from_micros(9), opus}, buffer, true).value();
    const bytes good(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(size));
    SECTION("non-zero padding") {
        bytes altered = good;
        altered.back() = 1;
        CHECK(read_media_payload(altered).error() == client_error::bad_media_payload);
    }
    SECTION("a length past the end") {
        bytes altered = good;
        altered[media_payload_header_size] = 0xff;
        CHECK(read_media_payload(altered).error() == client_error::bad_media_payload);
    }
    SECTION("an unknown version") {
        bytes altered = good;
        altered[0] = 9;
        CHECK(read_media_payload(altered).error() == client_error::bad_media_payload);
    }
    SECTION("every truncation") {
        for (std::size_t cut = 0; cut < media_payload_header_size + 3; ++cut) {
            CAPTURE(cut);
            CHECK_FALSE(read_media_payload(byte_view(good).first(cut)).ok());
        }
    }
    SECTION("empty Opus in a padded payload") {
        bytes altered = good;
        altered[media_payload_header_size] = 0;
        altered[media_payload_header_size + 1] = 0;
        std::fill(altered.begin() + media_payload_header_size + 2, altered.end(), std::uint8_t{0});
        CHECK(read_media_payload(altered).error() == client_error::bad_media_payload);
    }
}
