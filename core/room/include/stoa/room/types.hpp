// The vocabulary of a room: roles, actions, roster deltas and snapshots. This header is the
// contract between the room state machine (core/room), the wire protocol (core/proto), the
// relay and every client replica; it holds data only.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "stoa/common/bytes.hpp"
#include "stoa/common/ids.hpp"

namespace stoa::room {

// Stage = host, moderators and speakers; audience = listeners.
enum class role : std::uint8_t { listener = 0, speaker = 1, moderator = 2, host = 3 };

[[nodiscard]] constexpr bool is_on_stage(role r) noexcept { return r != role::listener; }
[[nodiscard]] constexpr bool is_privileged(role r) noexcept { return r == role::moderator || r == role::host; }

enum class room_kind : std::uint8_t {
    open = 0,    // anyone with the link or from the directory
    closed = 1,  // only holders of an invite capability
};

// Why a member left the roster.
enum class leave_reason : std::uint8_t {
    left = 0,          // pressed leave; others may be told
    left_quietly = 1,  // pressed "leave quietly"; clients show no notice
    disconnected = 2,  // transport lost and the reconnect grace window ran out
    kicked = 3,
    banned = 4,
    room_ended = 5,
};

// Limits are part of the room's configuration so tests can shrink them.
struct room_limits {
    std::uint32_t max_members = 50'000;
    std::uint32_t max_stage = 100;
    std::uint32_t max_profile_bytes = 512;  // encrypted display name and profile text
    std::uint32_t max_admission_bytes = 64;  // a join's proof for the key distributor
};

struct room_config {
    room_id id{};
    room_kind kind = room_kind::open;
    // Every member joins onto the stage as a speaker; there is no audience (small group calls).
    bool stage_only = false;
    room_limits limits{};
    // Only meaningful for closed rooms: the capabilities that admit a member.
    std::vector<invite_token> invites{};
};

// One member as a replica sees them. A listener's replica holds these for the stage only.
struct member_entry {
    member_id id{};
    sender_index index{};
    public_key key{};
    role member_role = role::listener;
    bool hand_raised = false;
    bool invited_to_stage = false;  // an invitation is pending
    bool self_muted = true;
    bool moderator_muted = false;
    std::uint64_t joined_order = 0;  // admission order; decides host handover
    bytes profile{};                 // display name and text, encrypted under the room key; opaque here
    // The member's proof for the key distributor (session nonce, closed-room admission tag): set at
    // join, replaced on reattach, never by anyone else. Opaque here; see e2ee/admission.hpp.
    bytes admission{};

    friend bool operator==(const member_entry&, const member_entry&) = default;
};

// ---- Actions: what a member asks the room to do. The actor is always the sender. ----
namespace action {
struct join {
    public_key key{};
    std::optional<invite_token> invite{};
    bytes profile{};
    bytes admission{};
};
struct leave {
    bool quietly = false;
};
struct raise_hand {};
struct lower_hand {};
struct invite_to_stage {
    member_id target{};
};
struct accept_invite {};
struct decline_invite {};
struct move_to_audience {  // a moderator moving someone down, or a speaker stepping down (target == self)
    member_id target{};
};
struct set_self_muted {
    bool muted = true;
};
struct moderator_mute {
    member_id target{};
};
struct promote_moderator {
    member_id target{};
};
struct demote_moderator {
    member_id target{};
};
struct kick {
    member_id target{};
};
struct ban {  // kick plus refusal of any rejoin for the room's life
    member_id target{};
};
struct end_room {};
struct set_profile {
    bytes profile{};
};
// The transport is gone for good (grace window expired): issued by the relay, not a member.
struct disconnect {};
}  // namespace action

using any_action =
    std::variant<action::join, action::leave, action::raise_hand, action::lower_hand, action::invite_to_stage,
                 action::accept_invite, action::decline_invite, action::move_to_audience, action::set_self_muted,
                 action::moderator_mute, action::promote_moderator, action::demote_moderator, action::kick,
                 action::ban, action::end_room, action::set_profile, action::disconnect>;

// ---- Deltas: what changed. Each is applied to replicas in sequence order. ----
namespace delta {
struct member_joined {  // full entry: on the stage stream only when the member lands on stage
    member_entry member{};

    friend bool operator==(const member_joined&, const member_joined&) = default;
};
struct member_left {
    member_id id{};
    leave_reason reason = leave_reason::left;

    friend bool operator==(const member_left&, const member_left&) = default;
};
struct role_changed {  // on the stage stream a move onto stage carries the whole entry
    member_id id{};
    role new_role = role::listener;
    std::optional<member_entry> entry{};  // set when the member enters the stage

    friend bool operator==(const role_changed&, const role_changed&) = default;
};
struct hand_changed {
    member_id id{};
    bool raised = false;

    friend bool operator==(const hand_changed&, const hand_changed&) = default;
};
struct invitation_changed {
    member_id id{};
    bool pending = false;

    friend bool operator==(const invitation_changed&, const invitation_changed&) = default;
};
struct mute_changed {
    member_id id{};
    bool self_muted = true;
    bool moderator_muted = false;

    friend bool operator==(const mute_changed&, const mute_changed&) = default;
};
// The authority announces a new host with role_changed (which can carry the entry a stage replica
// needs); replicas still accept this form and apply it as role_changed to host.
struct host_changed {
    member_id id{};

    friend bool operator==(const host_changed&, const host_changed&) = default;
};
struct profile_changed {
    member_id id{};
    bytes profile{};

    friend bool operator==(const profile_changed&, const profile_changed&) = default;
};
struct audience_count {
    std::uint32_t listeners = 0;

    friend bool operator==(const audience_count&, const audience_count&) = default;
};
struct room_ended {
    friend bool operator==(const room_ended&, const room_ended&) = default;
};
}  // namespace delta

using any_delta = std::variant<delta::member_joined, delta::member_left, delta::role_changed, delta::hand_changed,
                               delta::invitation_changed, delta::mute_changed, delta::host_changed,
                               delta::profile_changed, delta::audience_count, delta::room_ended>;

// Two delta streams keep fan-out linear: everyone follows `stage` (stage membership and a
// rate-limited audience count); only privileged members (host, moderators, who also act as
// key distributor) follow `full`, which carries every change including audience joins,
// leaves and hand raises.
enum class stream : std::uint8_t { stage = 0, full = 1 };

// The stream a member's client follows: privileged members need every change (they moderate the
// audience), everyone else only the stage. The relay sends stage deltas to every member.
[[nodiscard]] constexpr stream followed_stream(role r) noexcept { return is_privileged(r) ? stream::full : stream::stage; }

struct sequenced_delta {
    stream on = stream::stage;
    delta_seq seq{};
    any_delta change{};

    friend bool operator==(const sequenced_delta&, const sequenced_delta&) = default;
};

// What a member who joins (or falls behind) loads before applying deltas with seq > snapshot seq.
struct stage_snapshot {
    room_id room{};
    room_kind kind = room_kind::open;
    bool stage_only = false;
    delta_seq seq{};                  // last stage-stream delta included
    std::vector<member_entry> stage;  // host, moderators, speakers, in joined_order
    std::uint32_t audience_count = 0; // as last announced on the stage stream (rate-limited)
    bool ended = false;               // the room has ended; the roster is empty

    friend bool operator==(const stage_snapshot&, const stage_snapshot&) = default;
};

struct full_snapshot {
    room_id room{};
    room_kind kind = room_kind::open;
    bool stage_only = false;
    delta_seq seq{};                    // last full-stream delta included
    std::vector<member_entry> members;  // everyone, in joined_order
    bool ended = false;                 // the room has ended; the roster is empty

    friend bool operator==(const full_snapshot&, const full_snapshot&) = default;
};

// The audience list is paged on demand rather than replicated.
struct audience_page_request {
    std::uint32_t offset = 0;
    std::uint32_t limit = 100;
};
struct audience_page {
    std::uint32_t offset = 0;
    std::uint32_t total = 0;
    std::vector<member_entry> members;  // listeners in joined_order

    friend bool operator==(const audience_page&, const audience_page&) = default;
};

// ---- Notices: unicast messages from the room to one member, next to the stream deltas. ----
namespace notice {
// The join reply: the member's own entry (with its sender index and role), the stream to follow,
// and the snapshot of that stream to load first; deltas at or below its seq are then duplicates.
struct welcome {
    member_entry self{};
    stream follow = stream::stage;
    std::variant<stage_snapshot, full_snapshot> snapshot{};

    friend bool operator==(const welcome&, const welcome&) = default;
};
// A listener's own entry changed (hand, stage invitation, profile) where the stage stream, which
// does not carry audience entries, cannot say so.
struct own_entry {
    member_entry entry{};

    friend bool operator==(const own_entry&, const own_entry&) = default;
};
// The member's role crossed the privileged line (promotion, demotion, stepping down, host
// handover): drop the old replica, load this snapshot and follow `follow` from now on.
struct follow_stream {
    member_entry self{};
    stream follow = stream::stage;
    std::variant<stage_snapshot, full_snapshot> snapshot{};

    friend bool operator==(const follow_stream&, const follow_stream&) = default;
};
// The member was removed by someone else (kick, ban); the relay closes their room session next.
struct removed {
    leave_reason reason = leave_reason::kicked;
    member_id by{};

    friend bool operator==(const removed&, const removed&) = default;
};
}  // namespace notice

using any_notice = std::variant<notice::welcome, notice::own_entry, notice::follow_stream, notice::removed>;

struct addressed_notice {
    member_id to{};
    any_notice body{};

    friend bool operator==(const addressed_notice&, const addressed_notice&) = default;
};

}  // namespace stoa::room
