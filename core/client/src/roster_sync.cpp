// The roster replica's sync with the relay: snapshot parts, deltas, held deltas and resyncs.
#include "roster_sync.hpp"

#include <algorithm>

#include "stoa/room/errors.hpp"

namespace stoa::client {

void roster_sync::start(room::stream follow, const room::member_entry& self) {
    // The old replica is of the wrong stream now: replace it whole.
    replica_ = std::monostate{};
    held_deltas_.clear();
    resyncing_ = false;
    resync_request_.reset();
    followed_ = follow;
    pending_self_ = self;
    assembler_ = proto::snapshot_assembler{};
}

void roster_sync::reset() {
    replica_ = std::monostate{};
    held_deltas_.clear();
    resyncing_ = false;
    assembler_ = proto::snapshot_assembler{};
    pending_self_.reset();
    resync_request_.reset();
}

bool roster_sync::add_snapshot_part(proto::snapshot_message part) {
    auto assembled = assembler_.add(std::move(part));
    if (!assembled.ok()) {
        io_.report(static_cast<std::uint16_t>(assembled.error().code), proto::to_string(assembled.error().code),
                   "snapshot parts out of order: " + assembled.error().detail);
        resyncing_ = false;
        request_resync();
        return false;
    }
    if (!assembled.value()) return false;  // more parts to come
    return load(*assembled.value());
}

bool roster_sync::load(const std::variant<room::stage_snapshot, room::full_snapshot>& snapshot) {
    const room::stream stream_of_snapshot =
        std::holds_alternative<room::full_snapshot>(snapshot) ? room::stream::full : room::stream::stage;
    if (stream_of_snapshot != followed_) return false;  // a stale answer from before a role change
    status<room::room_error> loaded;
    if (const auto* stage = std::get_if<room::stage_snapshot>(&snapshot)) {
        room::stage_replica replica(self_);
        const room::member_entry* own = pending_self_ ? &*pending_self_ : nullptr;
        if (const auto* previous = std::get_if<room::stage_replica>(&replica_); own == nullptr && previous != nullptr) {
            own = previous->own_entry();
        }
        loaded = replica.load(*stage);
        // A listener's own entry is not on the stage stream; the welcome or notice carried it.
        if (loaded.ok() && own != nullptr && !room::is_on_stage(own->member_role)) {
            (void)replica.set_own_entry(*own);
        }
        if (loaded.ok()) replica_ = std::move(replica);
    } else {
        room::full_replica replica;
        loaded = replica.load(std::get<room::full_snapshot>(snapshot));
        if (loaded.ok()) replica_ = std::move(replica);
    }
    resyncing_ = false;
    resync_request_.reset();
    if (!loaded.ok()) {
        io_.report(static_cast<std::uint16_t>(loaded.error()), room::to_string(loaded.error()), "snapshot refused");
        request_resync();
        return false;
    }
    pending_self_.reset();
    return true;
}

std::optional<roster_sync::applied_delta> roster_sync::apply(const room::sequenced_delta& delta) {
    if (resyncing_ || assembler_.in_progress() || std::holds_alternative<std::monostate>(replica_)) {
        if (held_deltas_.size() >= max_held_deltas) {
            // Too far behind to catch up by replay: start over from a fresh snapshot.
            held_deltas_.clear();
            resyncing_ = false;
            request_resync();
            return std::nullopt;
        }
        held_deltas_.push_back(delta);
        return std::nullopt;
    }
    applied_delta out;
    if (const auto* left = std::get_if<room::delta::member_left>(&delta.change)) {
        if (const auto* member = find_member(left->id)) out.departing = member->index;
    }
    result<room::apply_effect, room::room_error> applied = room::apply_effect::duplicate;
    if (auto* stage = std::get_if<room::stage_replica>(&replica_)) {
        if (delta.on != room::stream::stage) return std::nullopt;
        applied = stage->apply(delta);
    } else if (auto* full = std::get_if<room::full_replica>(&replica_)) {
        if (delta.on != room::stream::full) return std::nullopt;
        applied = full->apply(delta);
    }
    if (!applied.ok()) {
        if (applied.error() == room::room_error::needs_resync) {
            held_deltas_.push_back(delta);
        } else {
            io_.report(static_cast<std::uint16_t>(applied.error()), room::to_string(applied.error()), "delta refused");
        }
        request_resync();
        return std::nullopt;
    }
    if (applied.value() != room::apply_effect::applied) return std::nullopt;
    return out;
}

roster_sync::own_entry_change roster_sync::set_own_entry(const room::member_entry& entry) {
    auto* stage = std::get_if<room::stage_replica>(&replica_);
    if (stage == nullptr) return own_entry_change::ignored;
    const bool was_invited = stage->own_entry() != nullptr && stage->own_entry()->invited_to_stage;
    if (!stage->set_own_entry(entry).ok()) return own_entry_change::ignored;
    return entry.invited_to_stage && !was_invited ? own_entry_change::newly_invited : own_entry_change::updated;
}

void roster_sync::on_refused(std::optional<std::uint32_t> request_id) {
    if (resync_request_ && request_id == resync_request_) {
        resyncing_ = false;  // refused: the next gap asks again
        resync_request_.reset();
    }
}

void roster_sync::request_resync() {
    if (resyncing_) return;
    resyncing_ = true;
    ++stats_.resyncs;
    resync_request_ = io_.next_request_id();
    io_.send_json({resync_request_, proto::resync{followed_}});
}

const room::member_entry* roster_sync::find_member(member_id member) const {
    if (const auto* stage = std::get_if<room::stage_replica>(&replica_)) {
        if (member == self_) return stage->own_entry();
        return stage->find(member);
    }
    if (const auto* full = std::get_if<room::full_replica>(&replica_)) return full->find(member);
    return nullptr;
}

const room::member_entry* roster_sync::find_stage_member_by_index(sender_index index) const {
    const room::member_entry* found = nullptr;
    for_each_stage_member([&](const room::member_entry& member) {
        if (member.index == index) found = &member;
    });
    return found;
}

std::optional<member_id> roster_sync::host() const {
    if (const auto* stage = std::get_if<room::stage_replica>(&replica_)) return stage->host();
    if (const auto* full = std::get_if<room::full_replica>(&replica_)) return full->host();
    return std::nullopt;
}

std::uint32_t roster_sync::audience_count() const noexcept {
    if (const auto* stage = std::get_if<room::stage_replica>(&replica_)) return stage->audience_count();
    if (const auto* full = std::get_if<room::full_replica>(&replica_)) return full->listener_count();
    return 0;
}

std::vector<room::member_entry> roster_sync::raised_hands() const {
    std::vector<room::member_entry> hands;
    if (const auto* full = std::get_if<room::full_replica>(&replica_)) {
        full->for_each_member([&](const room::member_entry& member) {
            if (member.member_role == room::role::listener && member.hand_raised) {
                hands.push_back(member);
            }
        });
    }
    std::sort(hands.begin(), hands.end(), [](const auto& a, const auto& b) { return a.joined_order < b.joined_order; });
    return hands;
}

std::size_t roster_sync::approximate_bytes() const noexcept {
    // Counted as before the split: a full replica (host, moderators) is not included.
    if (const auto* stage = std::get_if<room::stage_replica>(&replica_)) return stage->approximate_bytes();
    return 0;
}

}  // namespace stoa::client
