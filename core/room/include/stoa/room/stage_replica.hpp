// A listener's (or speaker's) copy of the room: the stage, the announced audience count and the
// member's own entry. Follows the stage stream only, so its size does not grow with the audience.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <unordered_map>

#include "stoa/common/result.hpp"
#include "stoa/room/errors.hpp"
#include "stoa/room/replica.hpp"
#include "stoa/room/types.hpp"

namespace stoa::room {

class stage_replica {
public:
    // `self` is the member this replica belongs to (any id for an observer that is not a member).
    explicit stage_replica(member_id self = {}) noexcept : self_(self) {}

    // Replaces everything but the own audience entry; refuses (changing nothing) a malformed snapshot.
    [[nodiscard]] status<room_error> load(const stage_snapshot& snapshot);
    // From welcome and own_entry notices: the member's own entry while in the audience.
    [[nodiscard]] status<room_error> set_own_entry(const member_entry& entry);
    // In order: applied. At or below seq: duplicate. Ahead: needs_resync. Nothing changes on error.
    [[nodiscard]] result<apply_effect, room_error> apply(const sequenced_delta& delta);

    [[nodiscard]] bool loaded() const noexcept { return loaded_; }
    [[nodiscard]] bool ended() const noexcept { return ended_; }
    [[nodiscard]] delta_seq seq() const noexcept { return seq_; }
    [[nodiscard]] member_id self() const noexcept { return self_; }
    [[nodiscard]] std::uint32_t audience_count() const noexcept { return audience_count_; }
    [[nodiscard]] std::size_t stage_size() const noexcept { return stage_.size(); }
    [[nodiscard]] const member_entry* find(member_id id) const noexcept;  // stage members only
    [[nodiscard]] const member_entry* own_entry() const noexcept;         // on stage or in the audience
    // Visits the stage members, in no particular order.
    template <typename F>
    void for_each_stage_member(F&& visit) const {
        for (const auto& [id, member] : stage_) visit(member);
    }
    [[nodiscard]] std::optional<member_id> host() const noexcept;
    // The replica as a snapshot (stage in joined_order), to compare with the authority's.
    [[nodiscard]] stage_snapshot to_snapshot() const;
    // Heap and inline bytes held, roughly: for the load generator's budget and the fan-out test.
    [[nodiscard]] std::size_t approximate_bytes() const noexcept;

private:
    using stage_map = std::unordered_map<member_id, member_entry, strong_hash>;
    [[nodiscard]] status<room_error> change(const any_delta& change);

    member_id self_;
    room_id room_{};
    room_kind kind_ = room_kind::open;
    bool stage_only_ = false;
    bool loaded_ = false;
    bool ended_ = false;
    delta_seq seq_{};
    std::uint32_t audience_count_ = 0;
    stage_map stage_;
    std::optional<member_entry> own_audience_entry_;  // set only while self is a listener
};

}  // namespace stoa::room
