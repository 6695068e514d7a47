// The permissions table: for every action kind, who may do it (by the actor's standing) and, for
// actions aimed at another member, to whom (by the target's role). The authority consults only
// this table for authority questions; state questions (is the hand already raised?) come after.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <variant>

#include "stoa/room/errors.hpp"
#include "stoa/room/types.hpp"

namespace stoa::room {

// One kind per alternative of any_action, in the same order.
enum class action_kind : std::uint8_t {
    join = 0,
    leave,
    raise_hand,
    lower_hand,
    invite_to_stage,
    accept_invite,
    decline_invite,
    move_to_audience,
    set_self_muted,
    moderator_mute,
    promote_moderator,
    demote_moderator,
    kick,
    ban,
    end_room,
    set_profile,
    disconnect,
};
inline constexpr std::size_t action_kind_count = std::variant_size_v<any_action>;
static_assert(action_kind_count == static_cast<std::size_t>(action_kind::disconnect) + 1,
              "action_kind must list every alternative of any_action, in order");

[[nodiscard]] constexpr action_kind kind_of(const any_action& action) noexcept {
    return static_cast<action_kind>(action.index());
}
[[nodiscard]] std::string_view to_string(action_kind kind) noexcept;

// Where the actor stands: outside the room, or inside with a role.
enum class standing : std::uint8_t { outsider = 0, listener = 1, speaker = 2, moderator = 3, host = 4 };
inline constexpr std::size_t standing_count = 5;
inline constexpr std::size_t role_count = 4;

[[nodiscard]] constexpr standing standing_of(role r) noexcept {
    return static_cast<standing>(static_cast<std::uint8_t>(r) + 1);
}

enum class verdict : std::uint8_t { allow, not_member, already_member, not_permitted, wrong_role, target_is_self };

[[nodiscard]] constexpr std::optional<room_error> to_error(verdict v) noexcept {
    switch (v) {
        case verdict::allow: return std::nullopt;
        case verdict::not_member: return room_error::not_member;
        case verdict::already_member: return room_error::already_member;
        case verdict::not_permitted: return room_error::not_permitted;
        case verdict::wrong_role: return room_error::wrong_role_for_action;
        case verdict::target_is_self: return room_error::target_is_self;
    }
    return room_error::not_permitted;
}

namespace permission_table {
inline constexpr verdict A = verdict::allow;
inline constexpr verdict NM = verdict::not_member;
inline constexpr verdict AM = verdict::already_member;
inline constexpr verdict P = verdict::not_permitted;
inline constexpr verdict W = verdict::wrong_role;
inline constexpr verdict TS = verdict::target_is_self;

// Actions without a target, and targeted actions whose target is the actor.
// Columns: outsider, listener, speaker, moderator, host.
inline constexpr std::array<std::array<verdict, standing_count>, action_kind_count> acting_on_self{{
    /* join              */ {A, AM, AM, AM, AM},
    /* leave             */ {NM, A, A, A, A},
    /* raise_hand        */ {NM, A, W, W, W},
    /* lower_hand        */ {NM, A, W, W, W},
    /* invite_to_stage   */ {NM, P, P, TS, TS},
    /* accept_invite     */ {NM, A, W, W, W},
    /* decline_invite    */ {NM, A, W, W, W},
    /* move_to_audience  */ {NM, W, A, A, P},  // stepping down; the host cannot
    /* set_self_muted    */ {NM, W, A, A, A},
    /* moderator_mute    */ {NM, P, P, TS, TS},
    /* promote_moderator */ {NM, P, P, TS, TS},
    /* demote_moderator  */ {NM, P, P, P, TS},
    /* kick              */ {NM, P, P, TS, TS},
    /* ban               */ {NM, P, P, TS, TS},
    /* end_room          */ {NM, P, P, P, A},
    /* set_profile       */ {NM, A, A, A, A},
    /* disconnect        */ {NM, A, A, A, A},
}};

using role_grid = std::array<std::array<verdict, role_count>, role_count>;
// Targeted actions aimed at another member: rows = actor role, columns = target role,
// both in the order listener, speaker, moderator, host. Untargeted kinds: never consulted.
inline constexpr role_grid never{{{P, P, P, P}, {P, P, P, P}, {P, P, P, P}, {P, P, P, P}}};
inline constexpr std::array<role_grid, action_kind_count> acting_on_other{{
    /* join              */ never,
    /* leave             */ never,
    /* raise_hand        */ never,
    /* lower_hand        */ never,
    /* invite_to_stage   */ {{{P, P, P, P}, {P, P, P, P}, {A, W, W, W}, {A, W, W, W}}},
    /* accept_invite     */ never,
    /* decline_invite    */ never,
    /* move_to_audience  */ {{{P, P, P, P}, {P, P, P, P}, {W, A, P, P}, {W, A, A, P}}},
    /* set_self_muted    */ never,
    /* moderator_mute    */ {{{P, P, P, P}, {P, P, P, P}, {W, A, A, P}, {W, A, A, P}}},
    /* promote_moderator */ {{{P, P, P, P}, {P, P, P, P}, {W, A, W, W}, {W, A, W, W}}},
    /* demote_moderator  */ {{{P, P, P, P}, {P, P, P, P}, {P, P, P, P}, {W, W, A, W}}},
    /* kick              */ {{{P, P, P, P}, {P, P, P, P}, {A, A, P, P}, {A, A, A, P}}},
    /* ban               */ {{{P, P, P, P}, {P, P, P, P}, {A, A, P, P}, {A, A, A, P}}},
    /* end_room          */ never,
    /* set_profile       */ never,
    /* disconnect        */ never,
}};

// Actions that need an audience, refused in stage-only rooms.
inline constexpr std::array<bool, action_kind_count> needs_audience{{
    false, false, true, true, true, true, true, true, false, false, false, false, false, false, false, false, false,
}};
// Actions that name a target member.
inline constexpr std::array<bool, action_kind_count> targeted{{
    false, false, false, false, true, false, false, true, false, true, true, true, true, true, false, false, false,
}};
}  // namespace permission_table

[[nodiscard]] constexpr bool is_targeted(action_kind kind) noexcept {
    return permission_table::targeted[static_cast<std::size_t>(kind)];
}
[[nodiscard]] constexpr bool needs_audience(action_kind kind) noexcept {
    return permission_table::needs_audience[static_cast<std::size_t>(kind)];
}
// The verdict for an untargeted action, or a targeted one aimed at the actor.
[[nodiscard]] constexpr verdict decide(action_kind kind, standing actor) noexcept {
    return permission_table::acting_on_self[static_cast<std::size_t>(kind)][static_cast<std::size_t>(actor)];
}
// The verdict for a targeted action aimed at another member.
[[nodiscard]] constexpr verdict decide(action_kind kind, role actor, role target) noexcept {
    return permission_table::acting_on_other[static_cast<std::size_t>(kind)][static_cast<std::size_t>(actor)]
                                            [static_cast<std::size_t>(target)];
}
// Whether an actor of this role may aim this action at anyone else at all; when not, the room
// refuses before looking the target up, so unprivileged members learn nothing about who is present.
[[nodiscard]] constexpr bool may_target_others(action_kind kind, role actor) noexcept {
    for (std::size_t target = 0; target < role_count; ++target) {
        if (decide(kind, actor, static_cast<role>(target)) == verdict::allow) return true;
    }
    return false;
}

}  // namespace stoa::room
