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
// Version 2, padded: the same header, then u16 Opus length, Opus, and zero bytes up to a multiple
// of padded_payload_block, so every frame of a constant-bitrate speaker (and its silence) has one
// size on the wire.
inline constexpr std::uint8_t padded_media_payload_version = 2;
inline constexpr std::size_t padded_payload_block = 128;
inline constexpr std::size_t max_media_payload_size =
    ((media_payload_header_size + 2 + audio::max_packet_bytes + padded_payload_block - 1) / padded_payload_block) *
    padded_payload_block;

struct media_payload {
    audio::frame_seq seq{};
    time_point sent_at{};
    byte_view opus{};  // points into the buffer it was parsed from
};

// Writes the payload into `out` (at least media_payload_header_size + opus.size() bytes, or the
// padded size); returns its size. `padded` writes version 2.
[[nodiscard]] result<std::size_t, client_error> write_media_payload(const media_payload& payload,
                                                                     mutable_byte_view out,
                                                                     bool padded = false) noexcept;
// The size of a padded payload carrying `opus_size` bytes of Opus.
[[nodiscard]] constexpr std::size_t padded_payload_size(std::size_t opus_size) noexcept {
    return ((media_payload_header_size + 2 + opus_size + padded_payload_block - 1) / padded_payload_block) *
           padded_payload_block;
}
[[nodiscard]] result<media_payload, client_error> read_media_payload(byte_view plaintext) noexcept;

}  // namespace stoa::client
