// Reading Opus packets without decoding them: the TOC byte (RFC 6716, section 3.1), the
// duration a packet holds, and whether an encoder output is a DTX "nothing to send" packet.
#pragma once

#include <cstddef>
#include <cstdint>

#include "stoa/audio/errors.hpp"
#include "stoa/common/bytes.hpp"
#include "stoa/common/result.hpp"

namespace stoa::audio {

enum class opus_mode : std::uint8_t { silk = 0, hybrid = 1, celt = 2 };
enum class opus_bandwidth : std::uint8_t {
    narrowband = 0,
    mediumband = 1,
    wideband = 2,
    superwideband = 3,
    fullband = 4
};

// Every byte is a valid TOC, so this cannot fail.
struct toc_info {
    opus_mode mode = opus_mode::silk;
    opus_bandwidth bandwidth = opus_bandwidth::narrowband;
    std::uint32_t samples_per_frame = 0;  // at 48 kHz
    bool stereo = false;
    std::uint8_t frame_count_code = 0;  // c: 0 one frame, 1 two equal, 2 two different, 3 arbitrary
};

[[nodiscard]] toc_info parse_toc(std::uint8_t toc) noexcept;

struct packet_info {
    toc_info toc;
    std::uint32_t frame_count = 0;
    std::uint32_t total_samples = 0;  // at 48 kHz
};

// Checks length, frame count and duration from the packet's header bytes; does not decode
// (the decoder checks the frame lengths inside).
[[nodiscard]] result<packet_info, audio_error> inspect_packet(byte_view packet) noexcept;

// True when the encoder produced a DTX packet the sender may skip (libopus: 2 bytes or less).
[[nodiscard]] constexpr bool needs_transmission(std::size_t encoded_size) noexcept {
    return encoded_size > 2;
}
[[nodiscard]] constexpr bool needs_transmission(byte_view packet) noexcept {
    return needs_transmission(packet.size());
}

}  // namespace stoa::audio
