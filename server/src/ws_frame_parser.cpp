// The client-frame parser: header collected byte by byte, payload unmasked as it arrives.
#include "stoa/server/ws_frame_parser.hpp"

#include <algorithm>

namespace stoa::server {

namespace {

[[nodiscard]] constexpr bool is_control(ws_opcode op) noexcept { return static_cast<std::uint8_t>(op) >= 8; }

[[nodiscard]] constexpr bool is_known(std::uint8_t op) noexcept {
    return op == 0 || op == 1 || op == 2 || op == 8 || op == 9 || op == 10;
}

// Bytes of the header once the first two are known: length extension and the masking key.
[[nodiscard]] constexpr std::size_t header_size(std::uint8_t second) noexcept {
    const std::uint8_t length = second & 0x7f;
    return 2 + (length == 126 ? 2 : length == 127 ? 8 : 0) + 4;
}

// The rules the first two bytes alone decide.
[[nodiscard]] ws_parse_error check_first_bytes(std::uint8_t first, std::uint8_t second) noexcept {
    // No extension was negotiated, so every reserved bit must be clear.
    if ((first & 0x70) != 0) return ws_parse_error::protocol_error;
    const std::uint8_t op = first & 0x0f;
    if (!is_known(op)) return ws_parse_error::protocol_error;
    // Client frames are always masked (RFC 6455 5.1).
    if ((second & 0x80) == 0) return ws_parse_error::protocol_error;
    if (is_control(static_cast<ws_opcode>(op)) && ((first & 0x80) == 0 || (second & 0x7f) > 125)) {
        return ws_parse_error::protocol_error;
    }
    return ws_parse_error::none;
}

}  // namespace

ws_parse_error ws_frame_parser::start_frame() {
    const std::uint8_t first = header_[0];
    const std::uint8_t second = header_[1];
    // No extension was negotiated, so every reserved bit must be clear.
    if ((first & 0x70) != 0) return ws_parse_error::protocol_error;
    const std::uint8_t op = first & 0x0f;
    if (!is_known(op)) return ws_parse_error::protocol_error;
    // Client frames are always masked (RFC 6455 5.1).
    if ((second & 0x80) == 0) return ws_parse_error::protocol_error;
    fin_ = (first & 0x80) != 0;
    opcode_ = static_cast<ws_opcode>(op);

    const std::uint8_t short_length = second & 0x7f;
    std::size_t at = 2;
    std::uint64_t length = short_length;
    if (short_length == 126) {
        length = (std::uint64_t{header_[2]} << 8) | header_[3];
        if (length < 126) return ws_parse_error::protocol_error;  // not the minimal encoding
        at = 4;
    } else if (short_length == 127) {
        length = 0;
        for (std::size_t i = 0; i < 8; ++i) length = (length << 8) | header_[2 + i];
        if ((length >> 63) != 0 || length <= 0xffff) return ws_parse_error::protocol_error;
        at = 10;
    }
    std::copy_n(header_ + at, 4, mask_);
    mask_offset_ = 0;
    remaining_ = length;

    if (is_control(opcode_)) {
        if (!fin_ || length > 125) return ws_parse_error::protocol_error;
        control_.clear();
        return ws_parse_error::none;
    }
    if (opcode_ == ws_opcode::continuation) {
        if (!in_message_) return ws_parse_error::protocol_error;
    } else {
        if (in_message_) return ws_parse_error::protocol_error;  // a new message inside a fragmented one
        in_message_ = true;
        message_opcode_ = opcode_;
        message_.clear();
    }
    if (length > max_message_ - std::min(max_message_, message_.size()) || message_.size() > max_message_) {
        return ws_parse_error::too_big;
    }
    // Nothing is reserved for the announced length: a peer that announces large frames and then
    // trickles bytes would pin that much memory per connection. The payload grows as it arrives.
    return ws_parse_error::none;
}

void ws_frame_parser::finish_frame(std::vector<ws_event>& out) {
    switch (opcode_) {
        case ws_opcode::ping:
            out.push_back(ws_event{ws_event::kind::ping, std::move(control_), 0});
            break;
        case ws_opcode::pong:
            out.push_back(ws_event{ws_event::kind::pong, std::move(control_), 0});
            break;
        case ws_opcode::close: {
            ws_event event{ws_event::kind::close, {}, 1005};
            if (control_.size() >= 2) {
                event.close_code = static_cast<std::uint16_t>((static_cast<unsigned char>(control_[0]) << 8) |
                                                              static_cast<unsigned char>(control_[1]));
                event.payload = control_.substr(2);
            }
            out.push_back(std::move(event));
            break;
        }
        default:
            if (fin_) {
                in_message_ = false;
                const auto type = message_opcode_ == ws_opcode::text ? ws_event::kind::text : ws_event::kind::binary;
                out.push_back(ws_event{type, std::move(message_), 0});
                message_ = std::string();
            }
            break;
    }
    control_.clear();
    in_payload_ = false;
    header_have_ = 0;
}

ws_parse_error ws_frame_parser::feed(std::span<const std::uint8_t> input, std::vector<ws_event>& out) {
    std::size_t at = 0;
    while (error_ == ws_parse_error::none) {
        if (!in_payload_) {
            // Collect the first two bytes, then as many more as they announce.
            const std::size_t wanted = header_have_ < 2 ? 2 : header_size(header_[1]);
            const std::size_t take = std::min(wanted - header_have_, input.size() - at);
            std::copy_n(input.data() + at, take, header_ + header_have_);
            header_have_ += take;
            at += take;
            if (header_have_ < wanted) break;  // input exhausted mid-header
            if (wanted == 2) {
                // Refuse a bad frame on its first two bytes rather than waiting for a mask that
                // may never come.
                error_ = check_first_bytes(header_[0], header_[1]);
                if (error_ != ws_parse_error::none) break;
                continue;  // now the full header size is known
            }
            error_ = start_frame();
            if (error_ != ws_parse_error::none) break;
            in_payload_ = true;
            // A close frame with a one-byte payload is malformed (RFC 6455 5.5.1).
            if (opcode_ == ws_opcode::close && remaining_ == 1) {
                error_ = ws_parse_error::protocol_error;
                break;
            }
        }
        const std::size_t take =
            static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, input.size() - at));
        std::string& target = is_control(opcode_) ? control_ : message_;
        const std::size_t start = target.size();
        target.append(reinterpret_cast<const char*>(input.data() + at), take);
        for (std::size_t i = 0; i < take; ++i) {
            target[start + i] = static_cast<char>(static_cast<std::uint8_t>(target[start + i]) ^ mask_[mask_offset_]);
            mask_offset_ = (mask_offset_ + 1) & 3;
        }
        at += take;
        remaining_ -= take;
        if (remaining_ != 0) break;  // input exhausted mid-payload
        finish_frame(out);
        if (at == input.size()) break;
    }
    return error_;
}

}  // namespace stoa::server
