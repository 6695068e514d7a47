// The full replica: every roster change by member id, each validated before it changes anything.
#include "stoa/room/full_replica.hpp"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "stoa/room/role_change.hpp"

namespace stoa::room {

status<room_error> full_replica::load(const full_snapshot& snapshot) {
    std::unordered_map<member_id, member_entry, strong_hash> loaded;
    loaded.reserve(snapshot.members.size());
    std::unordered_set<member_id, strong_hash> on_stage;
    std::optional<member_id> host;
    for (const member_entry& member : snapshot.members) {
        if (!loaded.emplace(member.id, member).second) return fail(room_error::invalid_snapshot);
        if (is_on_stage(member.member_role)) on_stage.insert(member.id);
        if (member.member_role == role::host) {
            if (host) return fail(room_error::invalid_snapshot);
            host = member.id;
        }
    }
    if (snapshot.ended && !loaded.empty()) return fail(room_error::invalid_snapshot);

    room_ = snapshot.room;
    kind_ = snapshot.kind;
    stage_only_ = snapshot.stage_only;
    seq_ = snapshot.seq;
    ended_ = snapshot.ended;
    loaded_ = true;
    members_ = std::move(loaded);
    stage_ = std::move(on_stage);
    host_ = host;
    return {};
}

result<apply_effect, room_error> full_replica::apply(const sequenced_delta& delta) {
    if (!loaded_) return fail(room_error::needs_resync);
    if (delta.on != stream::full) return fail(room_error::wrong_stream);
    if (delta.seq <= seq_) return apply_effect::duplicate;
    if (delta.seq != seq_.next()) return fail(room_error::needs_resync);
    if (ended_) return fail(room_error::room_ended);
    if (const auto changed = change(delta.change); !changed) return fail(changed.error());
    seq_ = delta.seq;
    return apply_effect::applied;
}

void full_replica::set_role(member_entry& member, role new_role) {
    if (is_on_stage(member.member_role) && !is_on_stage(new_role)) stage_.erase(member.id);
    if (!is_on_stage(member.member_role) && is_on_stage(new_role)) stage_.insert(member.id);
    if (member.member_role == role::host && host_ == member.id) host_.reset();
    change_role(member, new_role);
    if (new_role == role::host) host_ = member.id;
}

status<room_error> full_replica::change(const any_delta& change) {
    // Each branch checks, then mutates; a failed check leaves the replica as it was.
    return std::visit(
        [this](const auto& d) -> status<room_error> {
            using delta_type = std::decay_t<decltype(d)>;
            if constexpr (std::is_same_v<delta_type, delta::member_joined>) {
                if (!members_.emplace(d.member.id, d.member).second) return fail(room_error::invalid_delta);
                if (is_on_stage(d.member.member_role)) stage_.insert(d.member.id);
                if (d.member.member_role == role::host) host_ = d.member.id;
            } else if constexpr (std::is_same_v<delta_type, delta::member_left>) {
                const auto found = members_.find(d.id);
                if (found == members_.end()) return fail(room_error::invalid_delta);
                stage_.erase(d.id);
                if (host_ == d.id) host_.reset();
                members_.erase(found);
            } else if constexpr (std::is_same_v<delta_type, delta::role_changed> ||
                                 std::is_same_v<delta_type, delta::host_changed>) {
                const auto found = members_.find(d.id);
                if (found == members_.end()) return fail(room_error::invalid_delta);
                if constexpr (std::is_same_v<delta_type, delta::role_changed>) {
                    set_role(found->second, d.new_role);
                } else {
                    set_role(found->second, role::host);
                }
            } else if constexpr (std::is_same_v<delta_type, delta::hand_changed>) {
                const auto found = members_.find(d.id);
                if (found == members_.end()) return fail(room_error::invalid_delta);
                found->second.hand_raised = d.raised;
            } else if constexpr (std::is_same_v<delta_type, delta::invitation_changed>) {
                const auto found = members_.find(d.id);
                if (found == members_.end()) return fail(room_error::invalid_delta);
                found->second.invited_to_stage = d.pending;
            } else if constexpr (std::is_same_v<delta_type, delta::mute_changed>) {
                const auto found = members_.find(d.id);
                if (found == members_.end()) return fail(room_error::invalid_delta);
                found->second.self_muted = d.self_muted;
                found->second.moderator_muted = d.moderator_muted;
            } else if constexpr (std::is_same_v<delta_type, delta::profile_changed>) {
                const auto found = members_.find(d.id);
                if (found == members_.end()) return fail(room_error::invalid_delta);
                found->second.profile = d.profile;
            } else if constexpr (std::is_same_v<delta_type, delta::room_ended>) {
                members_.clear();
                stage_.clear();
                host_.reset();
                ended_ = true;
            } else {
                // audience_count is a stage-stream summary; a full replica counts for itself.
                return fail(room_error::invalid_delta);
            }
            return {};
        },
        change);
}

const member_entry* full_replica::find(member_id id) const noexcept {
    const auto found = members_.find(id);
    return found == members_.end() ? nullptr : &found->second;
}

std::optional<member_id> full_replica::host() const noexcept { return host_; }

full_snapshot full_replica::to_snapshot() const {
    full_snapshot snapshot;
    snapshot.room = room_;
    snapshot.kind = kind_;
    snapshot.stage_only = stage_only_;
    snapshot.seq = seq_;
    snapshot.ended = ended_;
    snapshot.members.reserve(members_.size());
    for (const auto& [id, member] : members_) snapshot.members.push_back(member);
    std::sort(snapshot.members.begin(), snapshot.members.end(),
              [](const member_entry& a, const member_entry& b) { return a.joined_order < b.joined_order; });
    return snapshot;
}

}  // namespace stoa::room
