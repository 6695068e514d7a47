// The authoritative room state machine (run by the relay): decides every action with the
// permissions table, keeps the invariants, and emits sequenced deltas on the stage and full streams.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "stoa/common/result.hpp"
#include "stoa/common/time.hpp"
#include "stoa/room/errors.hpp"
#include "stoa/room/outcome.hpp"
#include "stoa/room/types.hpp"

namespace stoa::room {

struct authority_options {
    // The stage stream announces the audience count at most once per interval.
    duration audience_count_interval = std::chrono::seconds(1);
    // audience_page never returns more than this many entries, whatever the request's limit.
    std::uint32_t max_audience_page = 500;
};

class room_authority {
public:
    explicit room_authority(room_config config, authority_options options = {});

    // Copying would fork a room's identity and sequence numbers.
    room_authority(const room_authority&) = delete;
    room_authority& operator=(const room_authority&) = delete;
    room_authority(room_authority&&) noexcept = default;
    room_authority& operator=(room_authority&&) noexcept = default;

    // Decides `action` by `actor`. On refusal nothing changes and no delta is produced.
    [[nodiscard]] result<outcome, room_error> apply(member_id actor, const any_action& action, time_point now);
    // Emits the rate-limited audience count when it changed and the interval has passed.
    [[nodiscard]] outcome tick(time_point now);
    // The relay's reconnect grace window: `member` lost its transport and came back. It keeps its
    // role, hand and invitation but continues under a fresh sender index and joined_order, with
    // its microphone muted, because a client that lost its state restarts its SFrame counters and
    // would otherwise reuse nonces under the epoch key it held. Emits member_left (disconnected)
    // and member_joined with the new entry on the streams that showed it, and a welcome. The entry
    // takes `admission` from the returning client's join (its new session's proof).
    [[nodiscard]] result<outcome, room_error> reattach(member_id member, bytes admission, time_point now);

    // The state at the last delta of each stream, for joiners and resyncs.
    [[nodiscard]] room::stage_snapshot stage_snapshot() const;
    [[nodiscard]] room::full_snapshot full_snapshot() const;
    // Listeners in joined_order. Costs O(offset + limit) (walking from the nearer end).
    [[nodiscard]] room::audience_page audience_page(const audience_page_request& request) const;

    [[nodiscard]] const room_config& config() const noexcept { return config_; }
    [[nodiscard]] bool ended() const noexcept { return ended_; }
    [[nodiscard]] std::uint32_t member_count() const noexcept { return static_cast<std::uint32_t>(index_.size()); }
    [[nodiscard]] std::uint32_t stage_count() const noexcept { return static_cast<std::uint32_t>(stage_.size()); }
    [[nodiscard]] std::uint32_t listener_count() const noexcept { return listeners_; }
    [[nodiscard]] const member_entry* find(member_id id) const noexcept;
    [[nodiscard]] std::optional<member_id> host() const noexcept;
    [[nodiscard]] bool is_banned(member_id id) const noexcept { return banned_.contains(id); }
    [[nodiscard]] delta_seq seq(stream on) const noexcept { return on == stream::stage ? stage_seq_ : full_seq_; }

    // Checks every internal index and invariant; returns the first broken one. For tests.
    [[nodiscard]] std::optional<std::string_view> audit() const;

private:
    static constexpr std::uint32_t no_slot = UINT32_MAX;

    struct slot {
        member_entry entry;
        // Links of the audience list (listeners only), kept in joined_order.
        std::uint32_t prev = no_slot;
        std::uint32_t next = no_slot;
    };
    // Unicasts that carry a snapshot are built once the action is complete, so the snapshot
    // includes every delta of the outcome.
    enum class snapshot_notice : std::uint8_t { welcome, follow_stream };
    struct pending_notice {
        member_id to;
        snapshot_notice kind;
    };
    struct context {
        member_id actor;
        time_point now;
        outcome out;
        std::vector<pending_notice> pending;
    };

    [[nodiscard]] std::uint32_t slot_of(member_id id) const noexcept;
    [[nodiscard]] member_entry& entry(std::uint32_t s) noexcept { return slots_[s].entry; }
    [[nodiscard]] const member_entry& entry(std::uint32_t s) const noexcept { return slots_[s].entry; }

    // Each handler checks the room's state first and changes nothing unless it succeeds.
    [[nodiscard]] status<room_error> handle(context&, std::uint32_t, std::uint32_t, const action::join&);
    [[nodiscard]] status<room_error> handle(context&, std::uint32_t, std::uint32_t, const action::leave&);
    [[nodiscard]] status<room_error> handle(context&, std::uint32_t, std::uint32_t, const action::raise_hand&);
    [[nodiscard]] status<room_error> handle(context&, std::uint32_t, std::uint32_t, const action::lower_hand&);
    [[nodiscard]] status<room_error> handle(context&, std::uint32_t, std::uint32_t, const action::invite_to_stage&);
    [[nodiscard]] status<room_error> handle(context&, std::uint32_t, std::uint32_t, const action::accept_invite&);
    [[nodiscard]] status<room_error> handle(context&, std::uint32_t, std::uint32_t, const action::decline_invite&);
    [[nodiscard]] status<room_error> handle(context&, std::uint32_t, std::uint32_t, const action::move_to_audience&);
    [[nodiscard]] status<room_error> handle(context&, std::uint32_t, std::uint32_t, const action::set_self_muted&);
    [[nodiscard]] status<room_error> handle(context&, std::uint32_t, std::uint32_t, const action::moderator_mute&);
    [[nodiscard]] status<room_error> handle(context&, std::uint32_t, std::uint32_t,
                                            const action::promote_moderator&);
    [[nodiscard]] status<room_error> handle(context&, std::uint32_t, std::uint32_t,
                                            const action::demote_moderator&);
    [[nodiscard]] status<room_error> handle(context&, std::uint32_t, std::uint32_t, const action::kick&);
    [[nodiscard]] status<room_error> handle(context&, std::uint32_t, std::uint32_t, const action::ban&);
    [[nodiscard]] status<room_error> handle(context&, std::uint32_t, std::uint32_t, const action::end_room&);
    [[nodiscard]] status<room_error> handle(context&, std::uint32_t, std::uint32_t, const action::set_profile&);
    [[nodiscard]] status<room_error> handle(context&, std::uint32_t, std::uint32_t, const action::disconnect&);

    void emit(outcome& out, stream on, any_delta change);
    void tell_own_entry(context& ctx, std::uint32_t s);
    void change_member_role(context& ctx, std::uint32_t s, role new_role);
    void remove_member(context& ctx, std::uint32_t s, leave_reason reason);
    void hand_over(context& ctx);
    void end(context& ctx);
    void announce_audience(outcome& out, time_point now);
    void build_pending_notices(context& ctx) const;

    void place(std::uint32_t s);
    void unplace(std::uint32_t s);
    void audience_insert(std::uint32_t s);
    void audience_remove(std::uint32_t s);

    room_config config_;
    authority_options options_;

    std::vector<slot> slots_;
    std::vector<std::uint32_t> free_slots_;
    std::unordered_map<member_id, std::uint32_t, strong_hash> index_;
    std::vector<std::uint32_t> stage_;  // at most max_stage slots, in joined_order
    std::uint32_t audience_head_ = no_slot;
    std::uint32_t audience_tail_ = no_slot;
    std::uint32_t listeners_ = 0;
    std::uint32_t host_slot_ = no_slot;
    std::unordered_set<member_id, strong_hash> banned_;

    std::uint64_t joins_ = 0;  // joined_order and sender index come from here, never reused
    delta_seq stage_seq_{};
    delta_seq full_seq_{};
    bool ended_ = false;

    std::uint32_t announced_listeners_ = 0;
    std::optional<time_point> announced_at_;
};

}  // namespace stoa::room
