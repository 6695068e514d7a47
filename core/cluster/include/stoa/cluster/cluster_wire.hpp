// What relay nodes of one cluster say to each other over the message bus (NATS), as binary
// messages: a version byte, a type byte, the sending node (name and incarnation), then the
// type's fields, big-endian. Room media and members' messages cross as the same opaque bytes
// the sockets carry. Decoding is strict: any bad input is a typed error, never a crash.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "stoa/common/bytes.hpp"
#include "stoa/common/ids.hpp"
#include "stoa/common/result.hpp"
#include "stoa/relay/wire_message.hpp"

namespace stoa::cluster {

inline constexpr std::uint8_t wire_version = 1;
inline constexpr std::size_t max_node_name_length = 64;
inline constexpr std::size_t max_address_length = 64;
inline constexpr std::size_t max_reason_length = 123;  // a WebSocket close reason
inline constexpr std::size_t max_title_length = 120;
// A relay->client message can be a 2 MiB snapshot part; the bus must allow a little more.
inline constexpr std::size_t max_data_size = 2 * 1024 * 1024 + 1024;
inline constexpr std::size_t max_rooms_per_status = 256;
inline constexpr std::size_t max_connections_per_deliver = 8192;

enum class wire_error : std::uint8_t {
    truncated,            // ends inside a field
    trailing_bytes,       // bytes after the last field
    unsupported_version,  // not wire_version
    unknown_type,         // unknown type byte
    bad_node_name,        // empty, too long, or outside [A-Za-z0-9_-]
    too_long,             // a string or payload over its limit
    too_many_items,       // a list over its limit, or an empty one where items are required
    unknown_value,        // an enum byte that is not defined
};

[[nodiscard]] std::string_view to_string(wire_error error) noexcept;

// A node and the run of its process: a node restarted under the same name is another incarnation.
struct node_ref {
    std::string name{};
    std::uint64_t incarnation = 0;
    friend bool operator==(const node_ref&, const node_ref&) = default;
};

struct announced_room {
    room_id id{};
    bool open = false;
    std::uint32_t listeners = 0;
    std::string title{};  // open rooms only
    friend bool operator==(const announced_room&, const announced_room&) = default;
};

// Every second, from every node: it is alive, and these are the rooms it is home to. A node
// with many rooms sends several parts.
struct node_status {
    std::uint16_t part = 0;
    std::uint16_t parts = 1;
    std::vector<announced_room> rooms{};
    friend bool operator==(const node_status&, const node_status&) = default;
};
// A room ended (sent at once so the others stop routing to it).
struct room_gone {
    room_id room{};
    friend bool operator==(const room_gone&, const room_gone&) = default;
};
// Edge to home: one of my connections joins your room (its key authenticated by me).
struct attach {
    std::uint64_t connection = 0;
    room_id room{};
    public_key key{};
    std::string address{};
    std::string join_text{};  // the client's join message as JSON
    friend bool operator==(const attach&, const attach&) = default;
};
// Edge to home: a message from an attached connection.
struct forward {
    std::uint64_t connection = 0;
    relay::payload_kind kind = relay::payload_kind::text;
    std::string data{};
    friend bool operator==(const forward&, const forward&) = default;
};
// Edge to home: an attached connection's transport is gone.
struct detach {
    std::uint64_t connection = 0;
    friend bool operator==(const detach&, const detach&) = default;
};
// Home to edge: one message for some of the edge's connections, in order.
struct deliver {
    relay::payload_kind kind = relay::payload_kind::text;
    relay::traffic_class priority = relay::traffic_class::control;
    std::vector<std::uint64_t> connections{};
    std::string data{};
    friend bool operator==(const deliver&, const deliver&) = default;
};
// Home to edge: close this connection (after what was delivered before).
struct close_connection {
    std::uint64_t connection = 0;
    std::uint16_t code = 1000;
    std::string reason{};
    friend bool operator==(const close_connection&, const close_connection&) = default;
};
// Home to every node with members in the room (the room's media subject): one speaker frame.
// The edge whose connection spoke (if any) leaves that connection out.
struct room_media {
    room_id room{};
    std::string origin_node{};  // empty: the speaker is on the home node
    std::uint64_t origin_connection = 0;
    std::string data{};
    friend bool operator==(const room_media&, const room_media&) = default;
};
// Round trips between nodes, for /metrics.
struct ping {
    std::uint64_t token = 0;
    friend bool operator==(const ping&, const ping&) = default;
};
struct pong {
    std::uint64_t token = 0;
    friend bool operator==(const pong&, const pong&) = default;
};

using wire_body = std::variant<node_status, room_gone, attach, forward, detach, deliver, close_connection, room_media,
                               ping, pong>;

struct wire_message {
    node_ref from{};
    wire_body body{};
    friend bool operator==(const wire_message&, const wire_message&) = default;
};

[[nodiscard]] bool valid_node_name(std::string_view name) noexcept;

// Appends the encoding to `out`. The caller keeps within the limits above (the encoder asserts).
void encode(const wire_message& message, bytes& out);
[[nodiscard]] bytes encode(const wire_message& message);
[[nodiscard]] result<wire_message, wire_error> decode(byte_view input);

}  // namespace stoa::cluster
