// One remote speaker's receive path: a jitter buffer feeding an Opus decoder, turning
// packets and 20 ms ticks into PCM.
#pragma once

#include <cstdint>
#include <span>

#include "stoa/audio/errors.hpp"
#include "stoa/audio/format.hpp"
#include "stoa/audio/jitter_buffer.hpp"
#include "stoa/audio/opus_decoder.hpp"
#include "stoa/common/result.hpp"

namespace stoa::audio {

struct player_output {
    playout_action action = playout_action::none;  // what was executed
    frame_seq seq{};
    bool audible = false;  // false: `out` was filled with silence
};

class player {
public:
    [[nodiscard]] static result<player, audio_error> create(const jitter_buffer_config& config = {});

    push_outcome push(frame_seq seq, byte_view packet, time_point now) { return buffer_.push(seq, packet, now); }

    // One 20 ms tick: always fills `out` (silence when there is nothing to play). A packet
    // that fails to decode is concealed instead and counted in decode_errors().
    player_output pull(time_point now, std::span<std::int16_t, frame_samples> out) noexcept;

    [[nodiscard]] const jitter_buffer& buffer() const noexcept { return buffer_; }
    [[nodiscard]] std::uint64_t decode_errors() const noexcept { return decode_errors_; }

private:
    player(opus_decoder decoder, const jitter_buffer_config& config) : decoder_(std::move(decoder)), buffer_(config) {}

    opus_decoder decoder_;
    jitter_buffer buffer_;
    std::uint64_t decode_errors_ = 0;
};

}  // namespace stoa::audio
