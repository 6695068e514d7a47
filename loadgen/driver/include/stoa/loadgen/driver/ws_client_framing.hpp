// The client side of RFC 6455, sans-I/O: the upgrade request and the check of its answer, masked
// frames out, and server frames found in place in a read buffer (no copy for a whole frame), so
// stoa-load can read many connections through one buffer per worker.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "stoa/common/bytes.hpp"
#include "stoa/common/result.hpp"

namespace stoa::loadgen::ws {

enum class opcode : std::uint8_t { continuation = 0, text = 1, binary = 2, close = 8, ping = 9, pong = 10 };

// 16 random bytes, base64: the handshake's Sec-WebSocket-Key.
using handshake_key = std::array<std::uint8_t, 16>;
[[nodiscard]] std::string encode_key(const handshake_key& key);
// base64(SHA-1(key || RFC 6455 GUID)): what the server must answer in Sec-WebSocket-Accept.
[[nodiscard]] std::string expected_accept(std::string_view encoded_key);

[[nodiscard]] std::string upgrade_request(std::string_view host_header, std::string_view path,
                                          std::string_view encoded_key);

enum class upgrade_error : std::uint8_t {
    incomplete = 1,    // not a whole response head yet: read more
    malformed = 2,     // not an HTTP/1.1 status line and headers
    refused = 3,       // an HTTP status other than 101 (`status` says which)
    bad_accept = 4,    // 101, but Sec-WebSocket-Accept, Upgrade or Connection is wrong
    too_long = 5,      // a response head over max_response_head bytes
};
struct upgrade_failure {
    upgrade_error error = upgrade_error::malformed;
    unsigned status = 0;  // the HTTP status when there was a status line
};
inline constexpr std::size_t max_response_head = 8192;

// Reads the response head at the start of `received`: its length (the frames start after it),
// or why the upgrade failed (upgrade_error::incomplete: wait for more bytes).
[[nodiscard]] result<std::size_t, upgrade_failure> parse_upgrade_response(std::string_view received,
                                                                          std::string_view encoded_key);
[[nodiscard]] std::string_view to_string(upgrade_error error) noexcept;

// Appends one final, masked client frame (RFC 6455 5.3: every client frame is masked).
void append_client_frame(std::string& out, opcode code, byte_view payload, std::array<std::uint8_t, 4> mask);

// A server frame found in place.
struct frame_view {
    opcode code = opcode::binary;
    bool fin = true;
    byte_view payload;
    std::size_t size = 0;  // header and payload: where the next frame starts
};

enum class scan_status : std::uint8_t {
    complete = 0,
    need_more = 1,       // a partial frame: keep the bytes, read more
    protocol_error = 2,  // masked, reserved bits, bad opcode, bad control frame: close 1002
    too_big = 3,         // a payload over the limit: close 1009
};

// Looks at the frame at the start of `input`. Never reads past `input`.
[[nodiscard]] scan_status scan_frame(byte_view input, std::size_t max_payload, frame_view& frame) noexcept;

}  // namespace stoa::loadgen::ws
