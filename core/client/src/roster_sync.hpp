// The member's replica of the room roster, kept in step with the relay: snapshots (in parts),
// then sequenced deltas; a gap or a refused delta asks for a fresh snapshot (a resync), and deltas
// arriving meanwhile are held, boundedly, to be replayed after it.
#pragma once

#include <cstdint>
#include <optional>
#include <utility>
#include <variant>
#include <vector>

#include "session_io.hpp"
#include "stoa/client/session_stats.hpp"
#include "stoa/proto/snapshot_parts.hpp"
#include "stoa/room/full_replica.hpp"
#include "stoa/room/stage_replica.hpp"

namespace stoa::client {

class roster_sync {
public:
    // Deltas that arrive while a snapshot is being fetched are replayed after it; past this many
    // they are dropped and a snapshot fetched again, so a flood cannot grow memory.
    static constexpr std::size_t max_held_deltas = 4096;

    roster_sync(member_id self, session_io& io, session_stats& stats) : self_(self), io_(io), stats_(stats) {}

    // A welcome or a follow_stream notice: the replica of `follow` starts over from the snapshot
    // that comes with it; `self` is installed once it has loaded.
    void start(room::stream follow, const room::member_entry& self);
    // The room is gone (left, removed, disconnected).
    void reset();

    // One part of a snapshot. True once a whole snapshot has loaded; the caller then replays
    // take_held_deltas() through apply(). Refused parts or snapshots are reported and resynced.
    [[nodiscard]] bool add_snapshot_part(proto::snapshot_message part);
    [[nodiscard]] std::vector<room::sequenced_delta> take_held_deltas() { return std::exchange(held_deltas_, {}); }

    struct applied_delta {
        std::optional<sender_index> departing;  // a departing member's index, gone from the replica now
    };
    // Applies `delta`, or holds it while a snapshot is awaited. Engaged when the replica changed.
    [[nodiscard]] std::optional<applied_delta> apply(const room::sequenced_delta& delta);

    enum class own_entry_change : std::uint8_t { ignored, updated, newly_invited };
    // The relay's notice of this member's own entry (a listener's is not on the stage stream).
    [[nodiscard]] own_entry_change set_own_entry(const room::member_entry& entry);

    // The relay refused request `request_id`: a refused resync is asked again at the next gap.
    void on_refused(std::optional<std::uint32_t> request_id);
    void request_resync();

    // A member as the replica knows it: anyone in a full replica, the stage and oneself otherwise.
    [[nodiscard]] const room::member_entry* find_member(member_id id) const;
    [[nodiscard]] const room::member_entry* find_stage_member_by_index(sender_index index) const;
    template <typename F>
    void for_each_stage_member(F&& visit) const {
        if (const auto* stage = std::get_if<room::stage_replica>(&replica_)) {
            stage->for_each_stage_member(visit);
        } else if (const auto* full = std::get_if<room::full_replica>(&replica_)) {
            full->for_each_member([&](const room::member_entry& member) {
                if (room::is_on_stage(member.member_role)) visit(member);
            });
        }
    }
    [[nodiscard]] std::optional<member_id> host() const;
    // The whole roster, held by the host and moderators; null for others or while loading.
    [[nodiscard]] const room::full_replica* full() const { return std::get_if<room::full_replica>(&replica_); }
    [[nodiscard]] std::uint32_t audience_count() const noexcept;
    [[nodiscard]] std::vector<room::member_entry> raised_hands() const;
    [[nodiscard]] room::stream followed() const noexcept { return followed_; }
    [[nodiscard]] bool resyncing() const noexcept { return resyncing_; }
    [[nodiscard]] std::size_t held_delta_count() const noexcept { return held_deltas_.size(); }
    [[nodiscard]] std::size_t approximate_bytes() const noexcept;

private:
    [[nodiscard]] bool load(const std::variant<room::stage_snapshot, room::full_snapshot>& snapshot);

    member_id self_;
    session_io& io_;
    session_stats& stats_;
    // Exactly one replica is live, matching the stream this member follows.
    std::variant<std::monostate, room::stage_replica, room::full_replica> replica_;
    room::stream followed_ = room::stream::stage;     // as the relay last told us (welcome, follow_stream)
    std::optional<room::member_entry> pending_self_;  // own entry to install once the snapshot loads
    proto::snapshot_assembler assembler_;
    bool resyncing_ = false;
    std::optional<std::uint32_t> resync_request_{};
    std::vector<room::sequenced_delta> held_deltas_;  // arrived while resyncing; bounded
};

}  // namespace stoa::client
