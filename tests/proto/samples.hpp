// Deterministic sample values for proto tests, golden vectors and benchmarks.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "stoa/proto/control_messages.hpp"

namespace stoa::proto::samples {

template <typename Strong>
Strong filled(std::uint8_t first) {
    Strong out{};
    for (std::size_t i = 0; i < Strong::size; ++i) out.value[i] = static_cast<std::uint8_t>(first + i);
    return out;
}

inline bytes blob(std::size_t size, std::uint8_t first = 0xa0) {
    bytes out(size);
    for (std::size_t i = 0; i < size; ++i) out[i] = static_cast<std::uint8_t>(first + i);
    return out;
}

inline member_id alice_id() { return filled<member_id>(0x10); }
inline member_id bob_id() { return filled<member_id>(0x20); }
inline room_id a_room() { return filled<room_id>(0x40); }
inline public_key alice_key() { return filled<public_key>(0x60); }
inline invite_token an_invite() { return filled<invite_token>(0x80); }
inline room_claim a_claim() { return filled<room_claim>(0xc0); }

inline room::member_entry alice() {
    room::member_entry e;
    e.id = alice_id();
    e.index = sender_index(7);
    e.key = alice_key();
    e.member_role = room::role::host;
    e.hand_raised = false;
    e.invited_to_stage = false;
    e.self_muted = false;
    e.moderator_muted = false;
    e.joined_order = 1;
    e.profile = blob(12);
    return e;
}

inline room::member_entry bob() {
    room::member_entry e;
    e.id = bob_id();
    e.index = sender_index(9);
    e.key = filled<public_key>(0x70);
    e.member_role = room::role::listener;
    e.hand_raised = true;
    e.invited_to_stage = true;
    e.self_muted = true;
    e.moderator_muted = true;
    e.joined_order = 2;
    e.profile = blob(5, 0x01);
    return e;
}

inline room::stage_snapshot stage_snapshot() {
    room::stage_snapshot s;
    s.room = a_room();
    s.kind = room::room_kind::open;
    s.stage_only = false;
    s.seq = delta_seq(41);
    s.stage = {alice()};
    s.audience_count = 120;
    s.ended = false;
    return s;
}

inline room::full_snapshot full_snapshot(std::size_t extra_members = 0) {
    room::full_snapshot s;
    s.room = a_room();
    s.kind = room::room_kind::closed;
    s.stage_only = false;
    s.seq = delta_seq(99);
    s.members = {alice(), bob()};
    for (std::size_t i = 0; i < extra_members; ++i) {
        auto m = bob();
        m.id.value[0] = static_cast<std::uint8_t>(i);
        m.id.value[1] = static_cast<std::uint8_t>(i >> 8);
        m.index = sender_index(static_cast<std::uint32_t>(100 + i));
        m.joined_order = 3 + i;
        s.members.push_back(m);
    }
    return s;
}

// One of every room action that travels as a room_action message.
inline std::vector<room::any_action> wire_actions() {
    return {room::action::leave{false},
            room::action::leave{true},
            room::action::raise_hand{},
            room::action::lower_hand{},
            room::action::invite_to_stage{bob_id()},
            room::action::accept_invite{},
            room::action::decline_invite{},
            room::action::move_to_audience{bob_id()},
            room::action::set_self_muted{true},
            room::action::set_self_muted{false},
            room::action::moderator_mute{bob_id()},
            room::action::promote_moderator{bob_id()},
            room::action::demote_moderator{bob_id()},
            room::action::kick{bob_id()},
            room::action::ban{bob_id()},
            room::action::end_room{},
            room::action::set_profile{blob(20)}};
}

// One of every delta (and both forms of role_changed).
inline std::vector<room::any_delta> all_deltas() {
    return {room::delta::member_joined{alice()},
            room::delta::member_left{bob_id(), room::leave_reason::left_quietly},
            room::delta::role_changed{bob_id(), room::role::speaker, std::nullopt},
            room::delta::role_changed{bob_id(), room::role::speaker,
                                      [] {
                                          auto e = bob();
                                          e.member_role = room::role::speaker;
                                          return e;
                                      }()},
            room::delta::hand_changed{bob_id(), true},
            room::delta::invitation_changed{bob_id(), true},
            room::delta::mute_changed{alice_id(), true, false},
            room::delta::host_changed{alice_id()},
            room::delta::profile_changed{alice_id(), blob(8)},
            room::delta::audience_count{12345},
            room::delta::room_ended{}};
}

}  // namespace stoa::proto::samples
