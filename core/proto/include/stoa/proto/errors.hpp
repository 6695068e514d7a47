// The protocol's error codes: proto_error (100-199) for bytes that do not decode, relay_error
// (500-599) for what the relay refuses. Both are wire codes carried by the `error` message.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace stoa::proto {

// Never renumber: these values are sent on the wire and shown in docs/protocol.md.
enum class proto_error : std::uint16_t {
    message_too_large = 100,    // over the size limit of its direction or frame
    truncated = 101,            // a binary message or frame ends inside a field
    trailing_bytes = 102,       // bytes after the last field
    unknown_type = 103,         // unknown binary type byte or JSON "type"
    invalid_json = 104,         // not JSON, or not a JSON object at the top
    invalid_utf8 = 105,         // a text message that is not UTF-8
    too_deep = 106,             // JSON nesting over the depth limit
    duplicate_key = 107,        // the same key twice in one JSON object
    unknown_field = 108,        // a key the message type does not define
    missing_field = 109,        // a required key is absent
    wrong_type = 110,           // e.g. a string where a number belongs, a float for an integer
    out_of_range = 111,         // a number outside its stated range
    bad_encoding = 112,         // not lowercase hex, not canonical base64
    wrong_length = 113,         // an id, key, signature or challenge of the wrong byte length
    unsupported_version = 114,  // "v" is not 1
    empty_payload = 115,        // a zero-length payload or blob where one is required
    too_many_items = 116,       // an array, bundle or message with more elements than allowed
    too_long = 117,             // a string or blob longer than its limit
    wrong_direction = 118,      // a message type that only the other side may send
    unknown_value = 119,        // an enum string (role, stream, reason...) that is not defined
    invalid_combination = 120,  // fields that contradict each other (e.g. an invite for an open room)
};

[[nodiscard]] std::string_view to_string(proto_error e) noexcept;

// What the relay refuses or reports about a connection; sent in `error` messages.
enum class relay_error : std::uint16_t {
    internal = 500,                    // a relay bug or resource failure; the request may be retried
    not_authenticated = 501,           // a room request before hello/auth completed
    auth_failed = 502,                 // the signature over the auth transcript did not verify
    rate_limited = 503,                // too many messages or requests from this connection or key
    room_full = 504,                   // the relay's per-room connection limit (the room's own is 206)
    room_not_found = 505,              // no live room with this id on this relay
    too_many_rooms = 506,              // this key or the server created too many rooms
    slow_consumer_disconnected = 507,  // the connection's send queue overflowed
    server_shutting_down = 508,        // the relay is draining; a shutdown message says when to return
    message_too_large = 509,           // a WebSocket message over the relay's limit
    handshake_timeout = 510,           // hello/auth did not complete in time
    already_authenticated = 511,       // a second hello or auth on one connection
    not_in_room = 512,                 // a room action or media before join
    already_in_room = 513,             // a second join or create on one connection
    sender_mismatch = 514,             // a binary message whose sender_index is not the connection's own
    room_exists = 515,                 // create_room whose derived id names a live room (re-created already)
};

[[nodiscard]] std::string_view to_string(relay_error e) noexcept;

// A decode failure: the code plus a short detail naming the offending field, e.g. "members[3].id".
struct decode_error {
    proto_error code = proto_error::invalid_json;
    std::string detail{};

    friend bool operator==(const decode_error&, const decode_error&) = default;
};

}  // namespace stoa::proto
