// The room vocabulary (stoa/room/types.hpp) as JSON: enum spellings, member entries and deltas,
// with strict validation on the way in. Snapshots, pages and actions are whole control messages
// (control_codec.hpp); these pieces are public so tools and tests can use them alone.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "stoa/common/result.hpp"
#include "stoa/proto/errors.hpp"
#include "stoa/proto/json_value.hpp"
#include "stoa/room/types.hpp"

namespace stoa::proto {

[[nodiscard]] std::string_view to_string(room::role r) noexcept;
[[nodiscard]] std::string_view to_string(room::room_kind k) noexcept;
[[nodiscard]] std::string_view to_string(room::leave_reason r) noexcept;
[[nodiscard]] std::string_view to_string(room::stream s) noexcept;
[[nodiscard]] std::optional<room::role> parse_role(std::string_view text) noexcept;
[[nodiscard]] std::optional<room::room_kind> parse_room_kind(std::string_view text) noexcept;
[[nodiscard]] std::optional<room::leave_reason> parse_leave_reason(std::string_view text) noexcept;
[[nodiscard]] std::optional<room::stream> parse_stream(std::string_view text) noexcept;

// Compact JSON text with fields in the documented order (the canonical form).
[[nodiscard]] std::string to_json(const room::member_entry& entry);
[[nodiscard]] std::string to_json(const room::any_delta& change);

// From a value of a parsed document (parse_bounded_json); the value must be an object.
[[nodiscard]] result<room::member_entry, decode_error> member_entry_from_json(json_value j);
[[nodiscard]] result<room::any_delta, decode_error> delta_from_json(json_value j);

// The wire "type" of a room action sent as its own control message (join is sent as `join`
// with a room id; disconnect is issued by the relay and has no wire form: both return "").
[[nodiscard]] std::string_view action_type_name(const room::any_action& action) noexcept;

}  // namespace stoa::proto
