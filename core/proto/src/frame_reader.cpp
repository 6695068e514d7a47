// Frame header parsing for frame_reader; the byte loop is inline in the header.
#include "stoa/proto/frame_reader.hpp"

#include <stdexcept>

namespace stoa::proto {

void append_frame(bytes& out, frame_kind kind, byte_view payload) {
    if (payload.size() > UINT32_MAX) throw std::invalid_argument("frame payload over 4 GiB");
    byte_writer w(out);
    w.write_u8(static_cast<std::uint8_t>(kind));
    w.write_u32(static_cast<std::uint32_t>(payload.size()));
    w.write_bytes(payload);
}

std::optional<decode_error> frame_reader::start_frame() {
    if (header_[0] > static_cast<std::uint8_t>(frame_kind::binary)) return decode_error{proto_error::unknown_type, "frame kind"};
    kind_ = static_cast<frame_kind>(header_[0]);
    const std::size_t length = (std::size_t{header_[1]} << 24) | (std::size_t{header_[2]} << 16) |
                               (std::size_t{header_[3]} << 8) | std::size_t{header_[4]};
    if (length > max_payload_) return decode_error{proto_error::message_too_large, "frame length"};
    expected_ = length;
    if (length == 0) {
        header_fill_ = 0;
        return std::nullopt;
    }
    header_ready_ = true;
    return std::nullopt;
}

}  // namespace stoa::proto
