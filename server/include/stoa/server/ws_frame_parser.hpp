// RFC 6455 frames from a client, sans-I/O: bytes in (any chunking), whole messages and control
// frames out. The server reads with this after the HTTP upgrade so no library writes behind its back.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace stoa::server {

enum class ws_opcode : std::uint8_t { continuation = 0, text = 1, binary = 2, close = 8, ping = 9, pong = 10 };

// What the parser hands out: a reassembled data message, or one control frame.
struct ws_event {
    enum class kind : std::uint8_t { text, binary, ping, pong, close };
    kind type = kind::binary;
    std::string payload;  // unmasked; for close, the reason text after the code
    // For close: the peer's code, or 1005 (no status) when the frame had no payload.
    std::uint16_t close_code = 0;
};

// A failure closes the connection with the matching WebSocket close code.
enum class ws_parse_error : std::uint8_t {
    none = 0,
    protocol_error = 1,  // close 1002
    too_big = 2,         // close 1009
};

[[nodiscard]] constexpr std::uint16_t close_code_for(ws_parse_error error) noexcept {
    return error == ws_parse_error::too_big ? 1009 : 1002;
}

class ws_frame_parser {
public:
    // A data message (all its fragments together) longer than `max_message_bytes` is refused.
    explicit ws_frame_parser(std::size_t max_message_bytes) : max_message_(max_message_bytes) {}

    // Consumes all of `input`, appending each complete message or control frame to `out`.
    // After an error the parser stays failed and ignores further input; events appended before
    // the bad frame remain valid.
    [[nodiscard]] ws_parse_error feed(std::span<const std::uint8_t> input, std::vector<ws_event>& out);

    [[nodiscard]] ws_parse_error error() const noexcept { return error_; }

    // Bytes held for the message and control frame in progress: it follows the bytes received
    // (within the string's growth factor), never a length a frame header announced.
    [[nodiscard]] std::size_t buffered_capacity() const noexcept { return message_.capacity() + control_.capacity(); }

private:
    [[nodiscard]] ws_parse_error start_frame();
    void finish_frame(std::vector<ws_event>& out);

    const std::size_t max_message_;
    ws_parse_error error_ = ws_parse_error::none;

    // The frame header being collected (2 to 14 bytes).
    std::uint8_t header_[14] = {};
    std::size_t header_have_ = 0;
    bool in_payload_ = false;

    // The frame whose payload is arriving.
    bool fin_ = false;
    ws_opcode opcode_ = ws_opcode::binary;
    std::uint8_t mask_[4] = {};
    std::uint64_t remaining_ = 0;
    std::size_t mask_offset_ = 0;

    // A fragmented data message in progress, and the control frame being read.
    bool in_message_ = false;
    ws_opcode message_opcode_ = ws_opcode::binary;
    std::string message_;
    std::string control_;
};

}  // namespace stoa::server
