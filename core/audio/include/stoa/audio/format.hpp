// The one audio format Stoa speaks end to end: 48 kHz mono, 20 ms frames, and the frame
// sequence number that orders them.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>

#include "stoa/common/strong_type.hpp"
#include "stoa/common/time.hpp"

namespace stoa::audio {

inline constexpr int sample_rate_hz = 48'000;
inline constexpr int channel_count = 1;
inline constexpr std::size_t frame_samples = 960;  // 20 ms at 48 kHz
inline constexpr stoa::duration frame_duration = std::chrono::milliseconds(20);
// The largest packet one 20 ms Opus frame can take (RFC 6716, section 3.2.1). Anything
// bigger is rejected before it reaches libopus.
inline constexpr std::size_t max_packet_bytes = 1275;
// libopus: "a packet of 2 bytes or less does not need to be transmitted (DTX)".
inline constexpr std::size_t max_dtx_packet_bytes = 2;

static_assert(frame_samples * 1000 / static_cast<std::size_t>(sample_rate_hz) == 20);

using pcm_frame = std::array<std::int16_t, frame_samples>;

struct frame_seq_tag;
// Counts 20 ms frames of the sender's timeline, including frames it did not send (DTX
// silence), so a receiver can tell time from it. 32 bits, wraps; compare with is_before().
using frame_seq = stoa::serial_number<frame_seq_tag, std::uint32_t>;

}  // namespace stoa::audio
