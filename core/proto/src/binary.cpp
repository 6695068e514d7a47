// Binary message codec: fixed 5-byte routing header, then opaque bytes (see docs/protocol.md).
#include "stoa/proto/binary.hpp"

#include <stdexcept>
#include <string>

#include "stoa/proto/limits.hpp"

namespace stoa::proto {
namespace {

decode_error error(proto_error code, const char* detail) { return {code, detail}; }


[[nodiscard]] bool known_type(std::uint8_t raw) noexcept { return raw >= 0x01 && raw <= 0x07; }

[[nodiscard]] std::size_t max_single_payload(binary_type t) noexcept {
    switch (t) {
        case binary_type::media: return max_media_payload;
        case binary_type::speaker_signature: return max_speaker_signature_payload;
        case binary_type::key_announcement: return max_key_announcement_payload;
        case binary_type::key_package: return max_key_blob;
        case binary_type::key_request: return max_key_request_payload;
        case binary_type::reaction: return max_reaction_payload;
        case binary_type::key_bundle: return 0;
    }
    return 0;
}

[[nodiscard]] std::uint32_t read_u32_at(const std::uint8_t* p) noexcept {
    return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | std::uint32_t{p[3]};
}
[[nodiscard]] std::uint16_t read_u16_at(const std::uint8_t* p) noexcept {
    return static_cast<std::uint16_t>((p[0] << 8) | p[1]);
}

void write_header(bytes& out, binary_type type, sender_index sender) {
    byte_writer w(out);
    w.write_u8(static_cast<std::uint8_t>(type));
    w.write_u32(sender.value);
}

void check_payload(byte_view payload, std::size_t max, const char* what) {
    if (payload.empty()) throw std::invalid_argument(std::string(what) + " payload is empty");
    if (payload.size() > max) throw std::invalid_argument(std::string(what) + " payload over its limit");
}

void encode_single(bytes& out, binary_type type, sender_index sender, byte_view payload) {
    check_payload(payload, max_single_payload(type), "binary");
    out.reserve(out.size() + binary_header_size + payload.size());
    write_header(out, type, sender);
    out.insert(out.end(), payload.begin(), payload.end());
}

}  // namespace

std::string_view to_string(binary_type t) noexcept {
    switch (t) {
        case binary_type::media: return "media";
        case binary_type::speaker_signature: return "speaker_signature";
        case binary_type::key_announcement: return "key_announcement";
        case binary_type::key_bundle: return "key_bundle";
        case binary_type::key_package: return "key_package";
        case binary_type::key_request: return "key_request";
        case binary_type::reaction: return "reaction";
    }
    return "unknown";
}

result<binary_header, decode_error> peek_binary_header(byte_view message) noexcept {
    if (message.empty()) return fail(error(proto_error::truncated, "type"));
    if (!known_type(message[0])) return fail(error(proto_error::unknown_type, "type"));
    if (message.size() < binary_header_size) return fail(error(proto_error::truncated, "sender_index"));
    const auto type = static_cast<binary_type>(message[0]);
    const std::size_t payload = message.size() - binary_header_size;
    if (type == binary_type::key_bundle) {
        if (message.size() > max_key_bundle_size) return fail(error(proto_error::message_too_large, "key_bundle"));
        if (message.size() < key_bundle_prefix_size) return fail(error(proto_error::truncated, "count"));
    } else {
        if (payload == 0) return fail(error(proto_error::empty_payload, "payload"));
        if (payload > max_single_payload(type)) return fail(error(proto_error::message_too_large, "payload"));
    }
    return binary_header{type, sender_index(read_u32_at(message.data() + 1))};
}

result<key_bundle_view, decode_error> key_bundle_view::parse(byte_view message) noexcept {
    auto header = peek_binary_header(message);
    if (!header) return fail(std::move(header).error());
    if (header->type != binary_type::key_bundle) return fail(error(proto_error::unknown_type, "type"));
    const std::size_t count = read_u16_at(message.data() + binary_header_size);
    if (count == 0) return fail(error(proto_error::empty_payload, "count"));
    if (count > max_key_bundle_entries) return fail(error(proto_error::too_many_items, "count"));
    const byte_view entries = message.subspan(key_bundle_prefix_size);
    std::size_t at = 0;
    for (std::size_t i = 0; i < count; ++i) {
        if (entries.size() - at < key_bundle_entry_overhead) return fail(error(proto_error::truncated, "entry"));
        const std::size_t length = read_u16_at(entries.data() + at + 4);
        if (length == 0) return fail(error(proto_error::empty_payload, "entry.blob"));
        if (length > max_key_blob) return fail(error(proto_error::too_long, "entry.blob"));
        at += key_bundle_entry_overhead;
        if (entries.size() - at < length) return fail(error(proto_error::truncated, "entry.blob"));
        at += length;
    }
    if (at != entries.size()) return fail(error(proto_error::trailing_bytes, "key_bundle"));
    return key_bundle_view(header->sender, count, entries);
}

key_bundle_entry_view key_bundle_view::iterator::operator*() const noexcept {
    const std::size_t length = read_u16_at(at_ + 4);
    return {sender_index(read_u32_at(at_)), byte_view(at_ + key_bundle_entry_overhead, length)};
}

key_bundle_view::iterator& key_bundle_view::iterator::operator++() noexcept {
    at_ += key_bundle_entry_overhead + read_u16_at(at_ + 4);
    return *this;
}

result<binary_message, decode_error> decode_binary(byte_view message, direction from) {
    auto header = peek_binary_header(message);
    if (!header) return fail(std::move(header).error());
    const byte_view payload = message.subspan(binary_header_size);
    const sender_index sender = header->sender;
    switch (header->type) {
        case binary_type::media:
            return binary_message(media_message{sender, bytes(payload.begin(), payload.end())});
        case binary_type::speaker_signature:
            return binary_message(speaker_signature_message{sender, bytes(payload.begin(), payload.end())});
        case binary_type::key_announcement:
            return binary_message(key_announcement_message{sender, bytes(payload.begin(), payload.end())});
        case binary_type::key_package:
            if (from != direction::relay_to_client) return fail(error(proto_error::wrong_direction, "key_package"));
            return binary_message(key_package_message{sender, bytes(payload.begin(), payload.end())});
        case binary_type::key_request:
            return binary_message(key_request_message{sender, bytes(payload.begin(), payload.end())});
        case binary_type::reaction:
            return binary_message(reaction_message{sender, bytes(payload.begin(), payload.end())});
        case binary_type::key_bundle: {
            if (from != direction::client_to_relay) return fail(error(proto_error::wrong_direction, "key_bundle"));
            auto view = key_bundle_view::parse(message);
            if (!view) return fail(std::move(view).error());
            key_bundle_message out{view->distributor(), {}};
            out.entries.reserve(view->size());
            for (const auto entry : *view) out.entries.push_back({entry.recipient, bytes(entry.blob.begin(), entry.blob.end())});
            return binary_message(std::move(out));
        }
    }
    return fail(error(proto_error::unknown_type, "type"));
}

void encode_media(bytes& out, sender_index sender, byte_view payload) {
    encode_single(out, binary_type::media, sender, payload);
}

void encode_key_package(bytes& out, sender_index distributor, byte_view blob) {
    encode_single(out, binary_type::key_package, distributor, blob);
}

std::vector<bytes> split_key_bundle(sender_index distributor, std::span<const key_bundle_entry> entries) {
    std::vector<bytes> out;
    std::size_t begin = 0;
    while (begin < entries.size()) {
        std::size_t end = begin;
        std::size_t size = key_bundle_prefix_size;
        while (end < entries.size() && end - begin < max_key_bundle_entries &&
               size + key_bundle_entry_overhead + entries[end].blob.size() <= max_key_bundle_size) {
            size += key_bundle_entry_overhead + entries[end].blob.size();
            ++end;
        }
        if (end == begin) throw std::invalid_argument("key_bundle entry over its limit");
        key_bundle_message part{distributor, {entries.begin() + static_cast<std::ptrdiff_t>(begin),
                                              entries.begin() + static_cast<std::ptrdiff_t>(end)}};
        out.push_back(encode_binary(part));
        begin = end;
    }
    return out;
}

bytes encode_binary(const binary_message& message) {
    bytes out;
    std::visit(
        [&out](const auto& m) {
            using T = std::decay_t<decltype(m)>;
            if constexpr (std::is_same_v<T, media_message>) {
                encode_single(out, binary_type::media, m.sender, m.payload);
            } else if constexpr (std::is_same_v<T, speaker_signature_message>) {
                encode_single(out, binary_type::speaker_signature, m.sender, m.payload);
            } else if constexpr (std::is_same_v<T, key_announcement_message>) {
                encode_single(out, binary_type::key_announcement, m.distributor, m.payload);
            } else if constexpr (std::is_same_v<T, key_package_message>) {
                encode_single(out, binary_type::key_package, m.distributor, m.blob);
            } else if constexpr (std::is_same_v<T, key_request_message>) {
                encode_single(out, binary_type::key_request, m.requester, m.payload);
            } else if constexpr (std::is_same_v<T, reaction_message>) {
                encode_single(out, binary_type::reaction, m.sender, m.payload);
            } else {
                if (m.entries.empty()) throw std::invalid_argument("key_bundle has no entries");
                if (m.entries.size() > max_key_bundle_entries) throw std::invalid_argument("key_bundle has too many entries");
                std::size_t total = key_bundle_prefix_size;
                for (const auto& e : m.entries) {
                    check_payload(e.blob, max_key_blob, "key_bundle entry");
                    total += key_bundle_entry_overhead + e.blob.size();
                }
                if (total > max_key_bundle_size) throw std::invalid_argument("key_bundle over its size limit; split it");
                out.reserve(total);
                write_header(out, binary_type::key_bundle, m.distributor);
                byte_writer w(out);
                w.write_u16(static_cast<std::uint16_t>(m.entries.size()));
                for (const auto& e : m.entries) {
                    w.write_u32(e.recipient.value);
                    w.write_u16(static_cast<std::uint16_t>(e.blob.size()));
                    w.write_bytes(e.blob);
                }
            }
        },
        message);
    return out;
}

}  // namespace stoa::proto
