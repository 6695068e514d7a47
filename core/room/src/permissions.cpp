// Names of action kinds, for logs and the documentation's tables.
#include "stoa/room/permissions.hpp"

namespace stoa::room {

std::string_view to_string(action_kind kind) noexcept {
    switch (kind) {
        case action_kind::join: return "join";
        case action_kind::leave: return "leave";
        case action_kind::raise_hand: return "raise_hand";
        case action_kind::lower_hand: return "lower_hand";
        case action_kind::invite_to_stage: return "invite_to_stage";
        case action_kind::accept_invite: return "accept_invite";
        case action_kind::decline_invite: return "decline_invite";
        case action_kind::move_to_audience: return "move_to_audience";
        case action_kind::set_self_muted: return "set_self_muted";
        case action_kind::moderator_mute: return "moderator_mute";
        case action_kind::promote_moderator: return "promote_moderator";
        case action_kind::demote_moderator: return "demote_moderator";
        case action_kind::kick: return "kick";
        case action_kind::ban: return "ban";
        case action_kind::end_room: return "end_room";
        case action_kind::set_profile: return "set_profile";
        case action_kind::disconnect: return "disconnect";
    }
    return "unknown_action";
}

}  // namespace stoa::room
