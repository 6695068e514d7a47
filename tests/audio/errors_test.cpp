#include <catch2/catch.hpp>

#include <set>
#include <string>

#include "stoa/audio/errors.hpp"

using stoa::audio::audio_error;

TEST_CASE("audio errors keep their wire numbers and have distinct names", "[audio][errors]") {
    // These numbers are on the wire; this table must only ever grow.
    const std::vector<std::pair<audio_error, int>> rows = {
        {audio_error::invalid_argument, 400},      {audio_error::wrong_frame_size, 401},
        {audio_error::buffer_too_small, 402},      {audio_error::empty_packet, 403},
        {audio_error::packet_too_large, 404},      {audio_error::invalid_packet, 405},
        {audio_error::wrong_packet_duration, 406}, {audio_error::codec_internal_error, 407},
        {audio_error::codec_unimplemented, 408},   {audio_error::codec_invalid_state, 409},
        {audio_error::codec_alloc_failed, 410},    {audio_error::codec_unknown_error, 411},
    };
    std::set<std::string> names;
    for (auto [error, number] : rows) {
        CHECK(static_cast<int>(error) == number);
        const auto name = std::string(to_string(error));
        CHECK(name != "unknown audio_error");
        names.insert(name);
    }
    CHECK(names.size() == rows.size());
}

TEST_CASE("libopus error codes map to typed errors", "[audio][errors]") {
    CHECK(stoa::audio::from_opus_error(-1) == audio_error::invalid_argument);
    CHECK(stoa::audio::from_opus_error(-2) == audio_error::buffer_too_small);
    CHECK(stoa::audio::from_opus_error(-4) == audio_error::invalid_packet);
    CHECK(stoa::audio::from_opus_error(-7) == audio_error::codec_alloc_failed);
    CHECK(stoa::audio::from_opus_error(-99) == audio_error::codec_unknown_error);
}
