// Why the room refused an action or a replica refused a delta. The numbers are wire error codes
// (range 200-299): never renumber, only add.
#pragma once

#include <cstdint>
#include <string_view>

namespace stoa::room {

enum class room_error : std::uint16_t {
    // Refusals of actions by the authority.
    not_member = 200,                      // the actor is not in the room
    already_member = 201,                  // join by someone already in the room
    not_permitted = 202,                   // the actor's role may not do this (to this target)
    target_not_found = 203,                // the target is not in the room
    target_is_self = 204,                  // the action cannot target its own actor
    banned = 205,                          // the joiner was banned from this room
    room_full = 206,                       // limits.max_members reached
    stage_full = 207,                      // limits.max_stage reached
    invite_required = 208,                 // closed room, no invite presented
    invalid_invite = 209,                  // closed room, the invite is not one of the room's
    room_ended = 210,                      // the room has ended; nothing more happens in it
    no_pending_invite = 211,               // accept or decline without an invitation
    wrong_role_for_action = 212,           // the actor's or target's current role does not fit (promote a listener)
    profile_too_large = 213,               // profile over limits.max_profile_bytes
    hand_already_in_state = 214,           // raise a raised hand, lower a lowered one
    mute_already_in_state = 215,           // mute the muted, unmute the unmuted
    invitation_already_pending = 216,      // invite someone already invited
    unavailable_in_stage_only_room = 217,  // audience actions in a room without an audience
    sender_indexes_exhausted = 218,        // 2^32 joins in one room's life
    admission_too_large = 219,             // a join's admission proof over limits.max_admission_bytes

    // Refusals of deltas and snapshots by a replica.
    needs_resync = 230,      // a sequence gap (or nothing loaded yet): load a fresh snapshot
    invalid_delta = 231,     // the delta contradicts the replica (unknown member, duplicate join)
    wrong_stream = 232,      // a delta of the stream this replica does not follow
    invalid_snapshot = 233,  // duplicate members, or a listener in a stage snapshot
    not_own_entry = 234,     // an own-entry update for another member
};

[[nodiscard]] std::string_view to_string(room_error error) noexcept;

}  // namespace stoa::room
