// Names of room errors, for logs and for the wire's human-readable text.
#include "stoa/room/errors.hpp"

namespace stoa::room {

std::string_view to_string(room_error error) noexcept {
    switch (error) {
        case room_error::not_member: return "not_member";
        case room_error::already_member: return "already_member";
        case room_error::not_permitted: return "not_permitted";
        case room_error::target_not_found: return "target_not_found";
        case room_error::target_is_self: return "target_is_self";
        case room_error::banned: return "banned";
        case room_error::room_full: return "room_full";
        case room_error::stage_full: return "stage_full";
        case room_error::invite_required: return "invite_required";
        case room_error::invalid_invite: return "invalid_invite";
        case room_error::room_ended: return "room_ended";
        case room_error::no_pending_invite: return "no_pending_invite";
        case room_error::wrong_role_for_action: return "wrong_role_for_action";
        case room_error::profile_too_large: return "profile_too_large";
        case room_error::hand_already_in_state: return "hand_already_in_state";
        case room_error::mute_already_in_state: return "mute_already_in_state";
        case room_error::invitation_already_pending: return "invitation_already_pending";
        case room_error::unavailable_in_stage_only_room: return "unavailable_in_stage_only_room";
        case room_error::sender_indexes_exhausted: return "sender_indexes_exhausted";
        case room_error::admission_too_large: return "admission_too_large";
        case room_error::needs_resync: return "needs_resync";
        case room_error::invalid_delta: return "invalid_delta";
        case room_error::wrong_stream: return "wrong_stream";
        case room_error::invalid_snapshot: return "invalid_snapshot";
        case room_error::not_own_entry: return "not_own_entry";
    }
    return "unknown_room_error";
}

}  // namespace stoa::room
