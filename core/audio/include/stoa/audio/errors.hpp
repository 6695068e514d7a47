// The typed errors of the audio module (codec, packets, playout). The numbers are wire error
// codes (range 400-499): never renumber, only append.
#pragma once

#include <cstdint>
#include <string_view>

namespace stoa::audio {

enum class audio_error : std::uint16_t {
    invalid_argument = 400,       // a configuration value out of range (bitrate, complexity, loss %)
    wrong_frame_size = 401,       // PCM in or out is not exactly one 20 ms frame
    buffer_too_small = 402,       // caller's output buffer cannot hold the result
    empty_packet = 403,           // a zero-length packet (loss is signalled by conceal(), not by empty input)
    packet_too_large = 404,       // larger than max_packet_bytes
    invalid_packet = 405,         // libopus could not parse it (bad TOC/frame lengths)
    wrong_packet_duration = 406,  // parses, but does not hold exactly 20 ms of audio
    codec_internal_error = 407,   // OPUS_INTERNAL_ERROR
    codec_unimplemented = 408,    // OPUS_UNIMPLEMENTED
    codec_invalid_state = 409,    // OPUS_INVALID_STATE
    codec_alloc_failed = 410,     // OPUS_ALLOC_FAIL
    codec_unknown_error = 411,    // any libopus code this version of Stoa does not know
};

[[nodiscard]] std::string_view to_string(audio_error error) noexcept;

// Maps a negative libopus return code to our error; used by the codec wrappers.
[[nodiscard]] audio_error from_opus_error(int opus_code) noexcept;

}  // namespace stoa::audio
