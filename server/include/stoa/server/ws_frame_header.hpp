// The header of an unmasked server-to-client WebSocket frame (RFC 6455 5.2): 2, 4 or 10 bytes
// written in front of a shared payload, so the payload itself is never copied or re-framed.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "stoa/server/ws_frame_parser.hpp"

namespace stoa::server {

struct ws_frame_header {
    static constexpr std::size_t max_size = 10;
    std::array<std::uint8_t, max_size> bytes{};
    std::uint8_t size = 0;
};

// A final (unfragmented) frame of `opcode` carrying `payload_size` bytes.
[[nodiscard]] constexpr ws_frame_header make_frame_header(ws_opcode opcode, std::uint64_t payload_size) noexcept {
    ws_frame_header header;
    header.bytes[0] = static_cast<std::uint8_t>(0x80 | static_cast<std::uint8_t>(opcode));
    if (payload_size < 126) {
        header.bytes[1] = static_cast<std::uint8_t>(payload_size);
        header.size = 2;
    } else if (payload_size <= 0xffff) {
        header.bytes[1] = 126;
        header.bytes[2] = static_cast<std::uint8_t>(payload_size >> 8);
        header.bytes[3] = static_cast<std::uint8_t>(payload_size);
        header.size = 4;
    } else {
        header.bytes[1] = 127;
        for (std::size_t i = 0; i < 8; ++i) {
            header.bytes[2 + i] = static_cast<std::uint8_t>(payload_size >> (8 * (7 - i)));
        }
        header.size = 10;
    }
    return header;
}

}  // namespace stoa::server
