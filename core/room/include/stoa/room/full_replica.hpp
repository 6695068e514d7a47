// A privileged member's (host, moderator) copy of the whole roster, following the full stream.
// Every delta applies in O(1): one hash lookup by member id.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <unordered_map>
#include <unordered_set>

#include "stoa/common/result.hpp"
#include "stoa/room/errors.hpp"
#include "stoa/room/replica.hpp"
#include "stoa/room/types.hpp"

namespace stoa::room {

class full_replica {
public:
    // Refuses (changing nothing) a snapshot with duplicate members or more than one host.
    [[nodiscard]] status<room_error> load(const full_snapshot& snapshot);
    // In order: applied. At or below seq: duplicate. Ahead: needs_resync. Nothing changes on error.
    [[nodiscard]] result<apply_effect, room_error> apply(const sequenced_delta& delta);

    [[nodiscard]] bool loaded() const noexcept { return loaded_; }
    [[nodiscard]] bool ended() const noexcept { return ended_; }
    [[nodiscard]] delta_seq seq() const noexcept { return seq_; }
    [[nodiscard]] std::size_t member_count() const noexcept { return members_.size(); }
    [[nodiscard]] std::uint32_t stage_count() const noexcept { return static_cast<std::uint32_t>(stage_.size()); }
    [[nodiscard]] std::uint32_t listener_count() const noexcept {
        return static_cast<std::uint32_t>(members_.size() - stage_.size());
    }
    // Visits every member, in no particular order: O(n).
    template <typename F>
    void for_each_member(F&& visit) const {
        for (const auto& [id, member] : members_) visit(member);
    }
    // Visits the stage members only, in no particular order: O(stage), whatever the audience size.
    template <typename F>
    void for_each_stage_member(F&& visit) const {
        for (const member_id& id : stage_) visit(members_.at(id));
    }
    [[nodiscard]] const member_entry* find(member_id id) const noexcept;
    [[nodiscard]] std::optional<member_id> host() const noexcept;
    // The replica as a snapshot (members in joined_order): O(n log n), for tests and resync checks.
    [[nodiscard]] full_snapshot to_snapshot() const;

private:
    [[nodiscard]] status<room_error> change(const any_delta& change);
    void set_role(member_entry& member, role new_role);

    room_id room_{};
    room_kind kind_ = room_kind::open;
    bool stage_only_ = false;
    bool loaded_ = false;
    bool ended_ = false;
    delta_seq seq_{};
    std::unordered_map<member_id, member_entry, strong_hash> members_;
    std::unordered_set<member_id, strong_hash> stage_;  // ids of host, moderators and speakers
    std::optional<member_id> host_;
};

}  // namespace stoa::room
