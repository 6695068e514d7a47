// The one rule for what a role change does to a member's flags. The authority and every replica
// call it, so a role_changed delta means exactly the same thing everywhere.
#pragma once

#include "stoa/room/types.hpp"

namespace stoa::room {

// Crossing the edge of the stage (either way) starts the member afresh: muted, no raised hand,
// no pending invitation. Moves within the stage (promote, demote, handover) keep the mute state.
inline void change_role(member_entry& member, role new_role) noexcept {
    const bool crosses_stage_edge = is_on_stage(member.member_role) != is_on_stage(new_role);
    member.member_role = new_role;
    if (crosses_stage_edge) {
        member.hand_raised = false;
        member.invited_to_stage = false;
        member.self_muted = true;
        member.moderator_muted = false;
    }
}

}  // namespace stoa::room
