// The stage replica: validates each stage-stream delta against what it holds before changing anything.
#include "stoa/room/stage_replica.hpp"

#include <algorithm>
#include <utility>

#include "stoa/room/role_change.hpp"

namespace stoa::room {

status<room_error> stage_replica::load(const stage_snapshot& snapshot) {
    stage_map loaded;
    loaded.reserve(snapshot.stage.size());
    std::size_t hosts = 0;
    for (const member_entry& member : snapshot.stage) {
        if (!is_on_stage(member.member_role)) return fail(room_error::invalid_snapshot);
        if (member.member_role == role::host) ++hosts;
        if (!loaded.emplace(member.id, member).second) return fail(room_error::invalid_snapshot);
    }
    if (hosts > 1 || (snapshot.ended && !loaded.empty())) return fail(room_error::invalid_snapshot);

    room_ = snapshot.room;
    kind_ = snapshot.kind;
    stage_only_ = snapshot.stage_only;
    seq_ = snapshot.seq;
    audience_count_ = snapshot.audience_count;
    ended_ = snapshot.ended;
    loaded_ = true;
    stage_ = std::move(loaded);
    if (stage_.contains(self_) || ended_) own_audience_entry_.reset();
    return {};
}

status<room_error> stage_replica::set_own_entry(const member_entry& entry) {
    if (entry.id != self_) return fail(room_error::not_own_entry);
    // On the stage the stream is the authority on the member's entry.
    if (entry.member_role != role::listener) return fail(room_error::invalid_delta);
    own_audience_entry_ = entry;
    return {};
}

result<apply_effect, room_error> stage_replica::apply(const sequenced_delta& delta) {
    if (!loaded_) return fail(room_error::needs_resync);
    if (delta.on != stream::stage) return fail(room_error::wrong_stream);
    if (delta.seq <= seq_) return apply_effect::duplicate;
    if (delta.seq != seq_.next()) return fail(room_error::needs_resync);
    if (ended_) return fail(room_error::room_ended);
    if (const auto changed = change(delta.change); !changed) return fail(changed.error());
    seq_ = delta.seq;
    return apply_effect::applied;
}

status<room_error> stage_replica::change(const any_delta& change) {
    // Each branch checks, then mutates; a failed check leaves the replica as it was.
    return std::visit(
        [this](const auto& d) -> status<room_error> {
            using delta_type = std::decay_t<decltype(d)>;
            if constexpr (std::is_same_v<delta_type, delta::member_joined>) {
                if (!is_on_stage(d.member.member_role) || stage_.contains(d.member.id)) {
                    return fail(room_error::invalid_delta);
                }
                stage_.emplace(d.member.id, d.member);
                if (d.member.id == self_) own_audience_entry_.reset();
            } else if constexpr (std::is_same_v<delta_type, delta::member_left>) {
                if (stage_.erase(d.id) == 0) return fail(room_error::invalid_delta);
            } else if constexpr (std::is_same_v<delta_type, delta::role_changed>) {
                const auto found = stage_.find(d.id);
                if (found != stage_.end()) {
                    if (is_on_stage(d.new_role)) {
                        change_role(found->second, d.new_role);
                    } else {
                        if (d.id == self_) {
                            own_audience_entry_ = std::move(found->second);
                            change_role(*own_audience_entry_, role::listener);
                        }
                        stage_.erase(found);
                    }
                } else {
                    if (!is_on_stage(d.new_role) || !d.entry || d.entry->id != d.id ||
                        d.entry->member_role != d.new_role) {
                        return fail(room_error::invalid_delta);
                    }
                    stage_.emplace(d.id, *d.entry);
                    if (d.id == self_) own_audience_entry_.reset();
                }
            } else if constexpr (std::is_same_v<delta_type, delta::mute_changed>) {
                const auto found = stage_.find(d.id);
                if (found == stage_.end()) return fail(room_error::invalid_delta);
                found->second.self_muted = d.self_muted;
                found->second.moderator_muted = d.moderator_muted;
            } else if constexpr (std::is_same_v<delta_type, delta::host_changed>) {
                const auto found = stage_.find(d.id);
                if (found == stage_.end()) return fail(room_error::invalid_delta);
                change_role(found->second, role::host);
            } else if constexpr (std::is_same_v<delta_type, delta::profile_changed>) {
                const auto found = stage_.find(d.id);
                if (found == stage_.end()) return fail(room_error::invalid_delta);
                found->second.profile = d.profile;
            } else if constexpr (std::is_same_v<delta_type, delta::audience_count>) {
                audience_count_ = d.listeners;
            } else if constexpr (std::is_same_v<delta_type, delta::room_ended>) {
                stage_.clear();
                own_audience_entry_.reset();
                audience_count_ = 0;
                ended_ = true;
            } else {
                // hand_changed and invitation_changed concern listeners: full stream only.
                return fail(room_error::invalid_delta);
            }
            return {};
        },
        change);
}

const member_entry* stage_replica::find(member_id id) const noexcept {
    const auto found = stage_.find(id);
    return found == stage_.end() ? nullptr : &found->second;
}

const member_entry* stage_replica::own_entry() const noexcept {
    if (const member_entry* on_stage = find(self_)) return on_stage;
    return own_audience_entry_ ? &*own_audience_entry_ : nullptr;
}

std::optional<member_id> stage_replica::host() const noexcept {
    for (const auto& [id, member] : stage_) {
        if (member.member_role == role::host) return id;
    }
    return std::nullopt;
}

stage_snapshot stage_replica::to_snapshot() const {
    stage_snapshot snapshot;
    snapshot.room = room_;
    snapshot.kind = kind_;
    snapshot.stage_only = stage_only_;
    snapshot.seq = seq_;
    snapshot.audience_count = audience_count_;
    snapshot.ended = ended_;
    snapshot.stage.reserve(stage_.size());
    for (const auto& [id, member] : stage_) snapshot.stage.push_back(member);
    std::sort(snapshot.stage.begin(), snapshot.stage.end(),
              [](const member_entry& a, const member_entry& b) { return a.joined_order < b.joined_order; });
    return snapshot;
}

std::size_t stage_replica::approximate_bytes() const noexcept {
    // A node per entry (entry plus key, hash and link) and the bucket array.
    constexpr std::size_t node_bytes = sizeof(stage_map::value_type) + 2 * sizeof(void*);
    std::size_t total = sizeof(*this) + stage_.bucket_count() * sizeof(void*) + stage_.size() * node_bytes;
    for (const auto& [id, member] : stage_) total += member.profile.capacity();
    if (own_audience_entry_) total += own_audience_entry_->profile.capacity();
    return total;
}

}  // namespace stoa::room
