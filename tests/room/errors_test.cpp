// Room error codes are wire codes: pinned values inside 200-299, each with its own name.
#include <catch2/catch.hpp>

#include <set>
#include <string>

#include "stoa/room/errors.hpp"

using stoa::room::room_error;

TEST_CASE("room errors keep their wire numbers and have distinct names", "[room][errors]") {
    const std::vector<std::pair<room_error, std::uint16_t>> pinned{
        {room_error::not_member, 200},         {room_error::already_member, 201},
        {room_error::not_permitted, 202},      {room_error::target_not_found, 203},
        {room_error::target_is_self, 204},     {room_error::banned, 205},
        {room_error::room_full, 206},          {room_error::stage_full, 207},
        {room_error::invite_required, 208},    {room_error::invalid_invite, 209},
        {room_error::room_ended, 210},         {room_error::no_pending_invite, 211},
        {room_error::wrong_role_for_action, 212}, {room_error::profile_too_large, 213},
        {room_error::hand_already_in_state, 214}, {room_error::mute_already_in_state, 215},
        {room_error::invitation_already_pending, 216}, {room_error::unavailable_in_stage_only_room, 217},
        {room_error::sender_indexes_exhausted, 218}, {room_error::admission_too_large, 219},
        {room_error::needs_resync, 230},
        {room_error::invalid_delta, 231},      {room_error::wrong_stream, 232},
        {room_error::invalid_snapshot, 233},   {room_error::not_own_entry, 234},
    };
    std::set<std::string> names;
    for (const auto& [error, number] : pinned) {
        CHECK(static_cast<std::uint16_t>(error) == number);
        CHECK(number >= 200);
        CHECK(number <= 299);
        const std::string name(to_string(error));
        CHECK(name != "unknown_room_error");
        CHECK(names.insert(name).second);
    }
    CHECK(to_string(static_cast<room_error>(299)) == "unknown_room_error");
}
