// Names of the proto and relay error codes, as sent in the `error` message's "name".
#include "stoa/proto/errors.hpp"

namespace stoa::proto {

std::string_view to_string(proto_error e) noexcept {
    switch (e) {
        case proto_error::message_too_large: return "message_too_large";
        case proto_error::truncated: return "truncated";
        case proto_error::trailing_bytes: return "trailing_bytes";
        case proto_error::unknown_type: return "unknown_type";
        case proto_error::invalid_json: return "invalid_json";
        case proto_error::invalid_utf8: return "invalid_utf8";
        case proto_error::too_deep: return "too_deep";
        case proto_error::duplicate_key: return "duplicate_key";
        case proto_error::unknown_field: return "unknown_field";
        case proto_error::missing_field: return "missing_field";
        case proto_error::wrong_type: return "wrong_type";
        case proto_error::out_of_range: return "out_of_range";
        case proto_error::bad_encoding: return "bad_encoding";
        case proto_error::wrong_length: return "wrong_length";
        case proto_error::unsupported_version: return "unsupported_version";
        case proto_error::empty_payload: return "empty_payload";
        case proto_error::too_many_items: return "too_many_items";
        case proto_error::too_long: return "too_long";
        case proto_error::wrong_direction: return "wrong_direction";
        case proto_error::unknown_value: return "unknown_value";
        case proto_error::invalid_combination: return "invalid_combination";
    }
    return "unknown_proto_error";
}

std::string_view to_string(relay_error e) noexcept {
    switch (e) {
        case relay_error::internal: return "internal";
        case relay_error::not_authenticated: return "not_authenticated";
        case relay_error::auth_failed: return "auth_failed";
        case relay_error::rate_limited: return "rate_limited";
        case relay_error::room_full: return "room_full";
        case relay_error::room_not_found: return "room_not_found";
        case relay_error::too_many_rooms: return "too_many_rooms";
        case relay_error::slow_consumer_disconnected: return "slow_consumer_disconnected";
        case relay_error::server_shutting_down: return "server_shutting_down";
        case relay_error::message_too_large: return "message_too_large";
        case relay_error::handshake_timeout: return "handshake_timeout";
        case relay_error::already_authenticated: return "already_authenticated";
        case relay_error::not_in_room: return "not_in_room";
        case relay_error::already_in_room: return "already_in_room";
        case relay_error::sender_mismatch: return "sender_mismatch";
        case relay_error::room_exists: return "room_exists";
    }
    return "unknown_relay_error";
}

}  // namespace stoa::proto
