// Engine.IO v4 over its websocket transport, and the Socket.IO v5 packets inside, as far as the
// socketio adapter speaks them (socket.io/docs/v4/engine-io-protocol and socket-io-protocol).
// Text only: a binary event's attachments follow it as raw binary WebSocket messages (v4 dropped
// v3's leading type byte on websocket), which the adapter pairs with the event.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "stoa/common/result.hpp"
#include "stoa/loadgen/driver/fanout_error.hpp"

namespace stoa::loadgen::socketio {

enum class engine_type : char {
    open = '0',
    close = '1',
    ping = '2',
    pong = '3',
    message = '4',
    upgrade = '5',
    noop = '6',
};

struct engine_packet {
    engine_type type = engine_type::noop;
    std::string_view data;  // into the text read
};

// unknown_packet for an empty text or a type outside 0..6.
[[nodiscard]] result<engine_packet, fanout_error> read_engine_packet(std::string_view text);

enum class packet_type : std::uint8_t {
    connect = 0,
    disconnect = 1,
    event = 2,
    ack = 3,
    connect_error = 4,
    binary_event = 5,
    binary_ack = 6,
};

// More announced attachments than this is taken for garbage, not waited for.
inline constexpr std::uint32_t max_attachments = 16;

struct packet {
    packet_type type = packet_type::connect;
    std::uint32_t attachments = 0;  // binary_event, binary_ack
    std::string_view name_space = "/";
    std::optional<std::uint64_t> ack_id;
    std::string_view data;  // JSON, unparsed; into the text read
};

// The data of an Engine.IO message packet. unknown_packet for a type outside 0..6, bad_message
// for a malformed attachment count or ack id.
[[nodiscard]] result<packet, fanout_error> read_packet(std::string_view text);

// An event's one argument when `data` is exactly ["<name>",<argument>] as JSON.stringify writes it
// (no spaces). The argument is not checked: the caller parses it.
[[nodiscard]] std::optional<std::string_view> event_argument(std::string_view data, std::string_view name);

// The argument of a binary event whose one argument is its first attachment.
inline constexpr std::string_view placeholder_argument = R"({"_placeholder":true,"num":0})";

// What the client sends. `name` must need no JSON escaping.
inline constexpr std::string_view connect_main_namespace = "40";
inline constexpr std::string_view disconnect_main_namespace = "41";
[[nodiscard]] std::string pong_for(std::string_view ping_data);
[[nodiscard]] std::string write_event(std::string_view name, std::string_view json_argument);
// A binary event whose one argument is the single attachment that follows it.
[[nodiscard]] std::string write_binary_event_header(std::string_view name);

}  // namespace stoa::loadgen::socketio
