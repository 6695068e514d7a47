// Names of audio errors and the mapping from libopus return codes.
#include "stoa/audio/errors.hpp"

#include <opus.h>

namespace stoa::audio {

std::string_view to_string(audio_error error) noexcept {
    switch (error) {
        case audio_error::invalid_argument:
            return "invalid_argument";
        case audio_error::wrong_frame_size:
            return "wrong_frame_size";
        case audio_error::buffer_too_small:
            return "buffer_too_small";
        case audio_error::empty_packet:
            return "empty_packet";
        case audio_error::packet_too_large:
            return "packet_too_large";
        case audio_error::invalid_packet:
            return "invalid_packet";
        case audio_error::wrong_packet_duration:
            return "wrong_packet_duration";
        case audio_error::codec_internal_error:
            return "codec_internal_error";
        case audio_error::codec_unimplemented:
            return "codec_unimplemented";
        case audio_error::codec_invalid_state:
            return "codec_invalid_state";
        case audio_error::codec_alloc_failed:
            return "codec_alloc_failed";
        case audio_error::codec_unknown_error:
            return "codec_unknown_error";
    }
    return "unknown audio_error";
}

audio_error from_opus_error(int opus_code) noexcept {
    switch (opus_code) {
        case OPUS_BAD_ARG:
            return audio_error::invalid_argument;
        case OPUS_BUFFER_TOO_SMALL:
            return audio_error::buffer_too_small;
        case OPUS_INTERNAL_ERROR:
            return audio_error::codec_internal_error;
        case OPUS_INVALID_PACKET:
            return audio_error::invalid_packet;
        case OPUS_UNIMPLEMENTED:
            return audio_error::codec_unimplemented;
        case OPUS_INVALID_STATE:
            return audio_error::codec_invalid_state;
        case OPUS_ALLOC_FAIL:
            return audio_error::codec_alloc_failed;
        default:
            return audio_error::codec_unknown_error;
    }
}

}  // namespace stoa::audio
