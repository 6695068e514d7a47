// The inter-node codec: every length is checked against its limit before anything is read or
// allocated, so a hostile publisher on the bus gets a typed error and nothing else.
#include "stoa/cluster/cluster_wire.hpp"

#include <algorithm>
#include <cassert>
#include <optional>

#include "stoa/common/overloaded.hpp"

namespace stoa::cluster {

namespace {

enum class type_byte : std::uint8_t {
    node_status = 1,
    room_gone = 2,
    attach = 3,
    forward = 4,
    detach = 5,
    deliver = 6,
    close_connection = 7,
    room_media = 8,
    ping = 9,
    pong = 10,
};

void put_string(byte_writer& w, std::string_view text, std::size_t length_width) {
    w.write_uint(text.size(), length_width);
    w.write_bytes(as_bytes(text));
}

template <class Strong>
void put_fixed(byte_writer& w, const Strong& value) {
    w.write_bytes(value.value);
}

std::uint8_t kind_byte(relay::payload_kind kind) { return static_cast<std::uint8_t>(kind); }

// Reads fields in order and remembers the first failure; every later read then fails too.
class field_reader {
public:
    explicit field_reader(byte_view input) : in_(input) {}

    template <class T>
    T fail_with(wire_error e, T fallback = {}) {
        if (!error_) error_ = e;
        return fallback;
    }
    std::uint8_t u8() { return num(in_.read_u8()); }
    std::uint16_t u16() { return num(in_.read_u16()); }
    std::uint32_t u32() { return num(in_.read_u32()); }
    std::uint64_t u64() { return num(in_.read_u64()); }
    std::string string(std::size_t length_width, std::size_t limit) {
        if (error_) return {};
        const auto length = in_.read_uint(length_width);
        if (!length) return fail_with<std::string>(wire_error::truncated);
        if (*length > limit) return fail_with<std::string>(wire_error::too_long);
        const auto run = in_.read_bytes(static_cast<std::size_t>(*length));
        if (!run) return fail_with<std::string>(wire_error::truncated);
        return std::string(reinterpret_cast<const char*>(run->data()), run->size());
    }
    template <class Strong>
    Strong fixed() {
        Strong value{};
        if (error_) return value;
        const auto run = in_.read_bytes(value.value.size());
        if (!run) return fail_with<Strong>(wire_error::truncated);
        std::copy(run->begin(), run->end(), value.value.begin());
        return value;
    }
    relay::payload_kind kind() {
        const auto b = u8();
        if (b > 1) return fail_with(wire_error::unknown_value, relay::payload_kind::text);
        return static_cast<relay::payload_kind>(b);
    }
    [[nodiscard]] std::size_t remaining() const { return in_.remaining(); }
    [[nodiscard]] const std::optional<wire_error>& error() const { return error_; }

private:
    template <class T>
    T num(std::optional<T> v) {
        if (error_) return T{};
        if (!v) return fail_with<T>(wire_error::truncated);
        return *v;
    }

    byte_reader in_;
    std::optional<wire_error> error_;
};

}  // namespace

std::string_view to_string(wire_error error) noexcept {
    switch (error) {
        case wire_error::truncated:
            return "truncated";
        case wire_error::trailing_bytes:
            return "trailing_bytes";
        case wire_error::unsupported_version:
            return "unsupported_version";
        case wire_error::unknown_type:
            return "unknown_type";
        case wire_error::bad_node_name:
            return "bad_node_name";
        case wire_error::too_long:
            return "too_long";
        case wire_error::too_many_items:
            return "too_many_items";
        case wire_error::unknown_value:
            return "unknown_value";
    }
    return "unknown";
}

bool valid_node_name(std::string_view name) noexcept {
    if (name.empty() || name.size() > max_node_name_length) return false;
    return std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    });
}

void encode(const wire_message& message, bytes& out) {
    assert(valid_node_name(message.from.name));
    byte_writer w(out);
    w.write_u8(wire_version);
    const auto type = std::visit(
        overloaded{
            [](const node_status&) { return type_byte::node_status; },
            [](const room_gone&) { return type_byte::room_gone; },
            [](const attach&) { return type_byte::attach; },
            [](const forward&) { return type_byte::forward; },
            [](const detach&) { return type_byte::detach; },
            [](const deliver&) { return type_byte::deliver; },
            [](const close_connection&) { return type_byte::close_connection; },
            [](const room_media&) { return type_byte::room_media; },
            [](const ping&) { return type_byte::ping; },
            [](const pong&) { return type_byte::pong; },
        },
        message.body);
    w.write_u8(static_cast<std::uint8_t>(type));
    put_string(w, message.from.name, 1);
    w.write_u64(message.from.incarnation);
    std::visit(overloaded{
                   [&](const node_status& m) {
                       assert(m.rooms.size() <= max_rooms_per_status);
                       w.write_u16(m.part);
                       w.write_u16(m.parts);
                       w.write_u16(static_cast<std::uint16_t>(m.rooms.size()));
                       for (const auto& room : m.rooms) {
                           put_fixed(w, room.id);
                           w.write_u8(room.open ? 1 : 0);
                           w.write_u32(room.listeners);
                           put_string(w, room.title, 1);
                       }
                   },
                   [&](const room_gone& m) { put_fixed(w, m.room); },
                   [&](const attach& m) {
                       w.write_u64(m.connection);
                       put_fixed(w, m.room);
                       put_fixed(w, m.key);
                       put_string(w, m.address, 1);
                       put_string(w, m.join_text, 4);
                   },
                   [&](const forward& m) {
                       w.write_u64(m.connection);
                       w.write_u8(kind_byte(m.kind));
                       put_string(w, m.data, 4);
                   },
                   [&](const detach& m) { w.write_u64(m.connection); },
                   [&](const deliver& m) {
                       assert(!m.connections.empty() && m.connections.size() <= max_connections_per_deliver);
                       w.write_u8(kind_byte(m.kind));
                       w.write_u8(static_cast<std::uint8_t>(m.priority));
                       w.write_u16(static_cast<std::uint16_t>(m.connections.size()));
                       for (const auto c : m.connections) w.write_u64(c);
                       put_string(w, m.data, 4);
                   },
                   [&](const close_connection& m) {
                       w.write_u64(m.connection);
                       w.write_u16(m.code);
                       put_string(w, m.reason, 1);
                   },
                   [&](const room_media& m) {
                       put_fixed(w, m.room);
                       put_string(w, m.origin_node, 1);
                       w.write_u64(m.origin_connection);
                       put_string(w, m.data, 4);
                   },
                   [&](const ping& m) { w.write_u64(m.token); },
                   [&](const pong& m) { w.write_u64(m.token); },
               },
               message.body);
}

bytes encode(const wire_message& message) {
    bytes out;
    encode(message, out);
    return out;
}

result<wire_message, wire_error> decode(byte_view input) {
    field_reader r(input);
    const auto version = r.u8();
    if (r.error()) return fail(*r.error());
    if (version != wire_version) return fail(wire_error::unsupported_version);
    const auto type = r.u8();
    wire_message message;
    message.from.name = r.string(1, max_node_name_length);
    message.from.incarnation = r.u64();
    if (r.error()) return fail(*r.error());
    if (!valid_node_name(message.from.name)) return fail(wire_error::bad_node_name);

    switch (static_cast<type_byte>(type)) {
        case type_byte::node_status: {
            node_status m;
            m.part = r.u16();
            m.parts = r.u16();
            const auto count = r.u16();
            if (r.error()) break;
            if (count > max_rooms_per_status || m.parts == 0 || m.part >= m.parts) {
                return fail(wire_error::too_many_items);
            }
            m.rooms.reserve(count);
            for (std::uint16_t i = 0; i < count && !r.error(); ++i) {
                announced_room room;
                room.id = r.fixed<room_id>();
                const auto open = r.u8();
                if (open > 1) return fail(wire_error::unknown_value);
                room.open = open == 1;
                room.listeners = r.u32();
                room.title = r.string(1, max_title_length);
                m.rooms.push_back(std::move(room));
            }
            message.body = std::move(m);
            break;
        }
        case type_byte::room_gone:
            message.body = room_gone{r.fixed<room_id>()};
            break;
        case type_byte::attach: {
            attach m;
            m.connection = r.u64();
            m.room = r.fixed<room_id>();
            m.key = r.fixed<public_key>();
            m.address = r.string(1, max_address_length);
            m.join_text = r.string(4, max_data_size);
            message.body = std::move(m);
            break;
        }
        case type_byte::forward: {
            forward m;
            m.connection = r.u64();
            m.kind = r.kind();
            m.data = r.string(4, max_data_size);
            message.body = std::move(m);
            break;
        }
        case type_byte::detach:
            message.body = detach{r.u64()};
            break;
        case type_byte::deliver: {
            deliver m;
            m.kind = r.kind();
            const auto priority = r.u8();
            if (!r.error() && priority > 1) return fail(wire_error::unknown_value);
            m.priority = static_cast<relay::traffic_class>(priority);
            const auto count = r.u16();
            if (r.error()) break;
            if (count == 0 || count > max_connections_per_deliver) return fail(wire_error::too_many_items);
            if (r.remaining() < std::size_t{count} * 8) return fail(wire_error::truncated);
            m.connections.reserve(count);
            for (std::uint16_t i = 0; i < count; ++i) m.connections.push_back(r.u64());
            m.data = r.string(4, max_data_size);
            message.body = std::move(m);
            break;
        }
        case type_byte::close_connection: {
            close_connection m;
            m.connection = r.u64();
            m.code = r.u16();
            m.reason = r.string(1, max_reason_length);
            message.body = std::move(m);
            break;
        }
        case type_byte::room_media: {
            room_media m;
            m.room = r.fixed<room_id>();
            m.origin_node = r.string(1, max_node_name_length);
            m.origin_connection = r.u64();
            m.data = r.string(4, max_data_size);
            if (!r.error() && !m.origin_node.empty() && !valid_node_name(m.origin_node)) {
                return fail(wire_error::bad_node_name);
            }
            message.body = std::move(m);
            break;
        }
        case type_byte::ping:
            message.body = ping{r.u64()};
            break;
        case type_byte::pong:
            message.body = pong{r.u64()};
            break;
        default:
            return fail(wire_error::unknown_type);
    }
    if (r.error()) return fail(*r.error());
    if (r.remaining() != 0) return fail(wire_error::trailing_bytes);
    return message;
}

}  // namespace stoa::cluster
