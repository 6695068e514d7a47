// Internal: the room vocabulary read from and written to JSON objects, shared by room_json.cpp
// and the control codec.
#pragma once

#include "json_fields.hpp"
#include "stoa/room/types.hpp"

namespace stoa::proto::detail {

inline constexpr enum_name<room::role> role_names[] = {
    {room::role::listener, "listener"}, {room::role::speaker, "speaker"},
    {room::role::moderator, "moderator"}, {room::role::host, "host"}};
inline constexpr enum_name<room::room_kind> kind_names[] = {{room::room_kind::open, "open"},
                                                            {room::room_kind::closed, "closed"}};
inline constexpr enum_name<room::leave_reason> reason_names[] = {
    {room::leave_reason::left, "left"},           {room::leave_reason::left_quietly, "left_quietly"},
    {room::leave_reason::disconnected, "disconnected"}, {room::leave_reason::kicked, "kicked"},
    {room::leave_reason::banned, "banned"},       {room::leave_reason::room_ended, "room_ended"}};
inline constexpr enum_name<room::stream> stream_names[] = {{room::stream::stage, "stage"},
                                                           {room::stream::full, "full"}};

room::member_entry read_member_entry(object_reader& r);
// Writers emit a whole object (or array) as the next value of `out`.
void write_member_entry(json_writer& out, const room::member_entry& entry);

room::any_delta read_delta(object_reader& r);
void write_delta(json_writer& out, const room::any_delta& change);

std::vector<room::member_entry> read_members(object_reader& r, std::string_view key, std::size_t max_items);
void write_members(json_writer& out, const std::vector<room::member_entry>& members);

}  // namespace stoa::proto::detail
