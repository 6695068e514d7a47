// The media payload inside each encrypted frame: sequence number, send time, Opus.
#include "stoa/client/media_payload.hpp"

#include <algorithm>

namespace stoa::client {

result<std::size_t, client_error> write_media_payload(const media_payload& payload, mutable_byte_view out,
                                                      bool padded) noexcept {
    const std::size_t size =
        padded ? padded_payload_size(payload.opus.size()) : media_payload_header_size + payload.opus.size();
    if (payload.opus.size() > audio::max_packet_bytes || out.size() < size) return fail(client_error::too_large);
    out[0] = padded ? padded_media_payload_version : media_payload_version;
    const std::uint32_t seq = payload.seq.value;
    const auto sent = static_cast<std::uint64_t>(to_micros(payload.sent_at));
    for (std::size_t i = 0; i < 4; ++i) out[1 + i] = static_cast<std::uint8_t>(seq >> (24 - 8 * i));
    for (std::size_t i = 0; i < 8; ++i) out[5 + i] = static_cast<std::uint8_t>(sent >> (56 - 8 * i));
    if (!padded) {
        std::copy(payload.opus.begin(), payload.opus.end(), out.begin() + media_payload_header_size);
        return size;
    }
    const auto length = static_cast<std::uint16_t>(payload.opus.size());
    out[media_payload_header_size] = static_cast<std::uint8_t>(length >> 8);
    out[media_payload_header_size + 1] = static_cast<std::uint8_t>(length);
    const auto opus_at = out.begin() + media_payload_header_size + 2;
    std::copy(payload.opus.begin(), payload.opus.end(), opus_at);
    std::fill(opus_at + static_cast<std::ptrdiff_t>(payload.opus.size()), out.begin() + static_cast<std::ptrdiff_t>(size),
              std::uint8_t{0});
    return size;
}

result<media_payload, client_error> read_media_payload(byte_view plaintext) noexcept {
    byte_reader reader(plaintext);
    const auto version = reader.read_u8();
    const auto seq = reader.read_u32();
    const auto sent = reader.read_u64();
    if (!version || !seq || !sent) return fail(client_error::bad_media_payload);
    byte_view opus;
    if (*version == media_payload_version) {
        opus = reader.rest();
    } else if (*version == padded_media_payload_version) {
        const auto length = reader.read_u16();
        if (!length) return fail(client_error::bad_media_payload);
        const byte_view rest = reader.rest();
        if (*length > rest.size()) return fail(client_error::bad_media_payload);
        opus = rest.first(*length);
        // Padding must be zero, so a payload has one encoding and carries nothing hidden.
        const byte_view padding = rest.subspan(*length);
        if (std::any_of(padding.begin(), padding.end(), [](std::uint8_t b) { return b != 0; })) {
            return fail(client_error::bad_media_payload);
        }
    } else {
        return fail(client_error::bad_media_payload);
    }
    if (opus.empty() || opus.size() > audio::max_packet_bytes) return fail(client_error::bad_media_payload);
    media_payload payload;
    payload.seq = audio::frame_seq(*seq);
    payload.sent_at = from_micros(static_cast<std::int64_t>(*sent));
    payload.opus = opus;
    return payload;
}

}  // namespace stoa::client
