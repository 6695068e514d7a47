// The plaintext a speaker encrypts into each SFrame: a frame sequence number for the jitter
// buffer, the send time (so a load generator sharing the clock can measure latency), and Opus.
#pragma once

#include <cstddef>
#include <cstdint>

#include "stoa/audio/format.hpp"
#include "stoa/client/client_error.hpp"
#include "stoa/common/bytes.hpp"
#include "stoa/common/result.hpp"
#include "stoa/common/time.hpp"

namespace stoa::client {

inline constexpr std::uint8_t media_payload_version = 1;
// version u8 | frame_seq u32 | send time u64 (microseconds on the sender's core clock)
inline constexpr std::size_t media_payload_header_size = 1 + 4 + 8;
inline constexpr std::size_t max_media_payload_size = media_payload_header_size + audio::max_packet_bytes;

struct media_payload {
    audio::frame_seq seq{};
    time_point sent_at{};
    byte_view opus{};  // points into the buffer it was parsed from
};

// Writes the payload into `out` (at least media_payload_header_size + opus.size() bytes); returns its size.
[[nodiscard]] result<std::size_t, client_error> write_media_payload(const media_payload& payload,
                                                                     mutable_byte_view out) noexcept;
[[nodiscard]] result<media_payload, client_error> read_media_payload(byte_view plaintext) noexcept;

}  // namespace stoa::client
