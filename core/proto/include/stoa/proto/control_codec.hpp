// Encoding and decoding JSON control messages. Decoders take untrusted text and never throw;
// encoders produce the canonical form (fields in documented order, no whitespace).
#pragma once

#include <string>
#include <string_view>

#include "stoa/common/result.hpp"
#include "stoa/proto/control_messages.hpp"
#include "stoa/proto/errors.hpp"

namespace stoa::proto {

// Client -> relay, bounded by client_json_limits (64 KiB, depth 8). A relay-only type is
// wrong_direction; an unknown one unknown_type.
[[nodiscard]] result<client_message, decode_error> decode_client_message(std::string_view text);
// Relay -> client, bounded by server_json_limits (2 MiB, depth 8).
[[nodiscard]] result<server_message, decode_error> decode_server_message(std::string_view text);

// Throw std::invalid_argument only for programmer error: a room_action holding join or
// disconnect. Callers keep values within the limits in limits.hpp; the peer's decoder
// rejects anything beyond them.
[[nodiscard]] std::string encode(const client_message& message);
[[nodiscard]] std::string encode(const server_message& message);

}  // namespace stoa::proto
