#include "stoa/loadgen/driver/room_registry.hpp"

namespace stoa::loadgen {

void room_registry::when_ready(room_index room, room_ready ready) {
    std::unique_lock lock(mutex_);
    if (room.value >= rooms_.size()) return;
    if (rooms_[room.value]) {
        const room_ref ref = *rooms_[room.value];
        lock.unlock();
        ready(ref);
        return;
    }
    waiters_[room.value].push_back(std::move(ready));
}

void room_registry::publish(room_index room, room_ref ref) {
    std::vector<room_ready> ready;
    {
        const std::lock_guard lock(mutex_);
        if (room.value >= rooms_.size()) return;
        rooms_[room.value] = ref;
        ready.swap(waiters_[room.value]);
    }
    for (auto& callback : ready) callback(ref);
}

std::optional<room_ref> room_registry::find(room_index room) const {
    const std::lock_guard lock(mutex_);
    if (room.value >= rooms_.size()) return std::nullopt;
    return rooms_[room.value];
}

bool room_registry::claim_lookup(room_index room) {
    const std::lock_guard lock(mutex_);
    if (room.value >= lookup_claimed_.size() || lookup_claimed_[room.value]) return false;
    lookup_claimed_[room.value] = true;
    return true;
}

void room_registry::epoch_started(room_index room, std::uint64_t epoch, time_point at) {
    const std::lock_guard lock(mutex_);
    epochs_.try_emplace({room.value, epoch}, at);
}

std::optional<time_point> room_registry::epoch_start(room_index room, std::uint64_t epoch) const {
    const std::lock_guard lock(mutex_);
    const auto found = epochs_.find({room.value, epoch});
    if (found == epochs_.end()) return std::nullopt;
    return found->second;
}

}  // namespace stoa::loadgen
