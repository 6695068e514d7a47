// A room's recipients in one array, stage followers before full followers.
#include "stoa/relay/fanout_list.hpp"

#include <utility>

namespace stoa::relay {

bool fanout_list::add(connection_id c, room::stream on) {
    if (position_.contains(c)) return false;
    members_.push_back(c);
    position_.emplace(c, members_.size() - 1);
    if (on == room::stream::stage) {
        // The first full follower (if any) steps to the end to make room at the boundary.
        swap_slots(members_.size() - 1, stage_end_);
        ++stage_end_;
    }
    return true;
}

bool fanout_list::move(connection_id c, room::stream to) {
    const auto found = position_.find(c);
    if (found == position_.end()) return false;
    const std::size_t at = found->second;
    const bool on_stage = at < stage_end_;
    if (to == room::stream::stage && !on_stage) {
        swap_slots(at, stage_end_);
        ++stage_end_;
    } else if (to == room::stream::full && on_stage) {
        swap_slots(at, stage_end_ - 1);
        --stage_end_;
    }
    return true;
}

bool fanout_list::remove(connection_id c) {
    const auto found = position_.find(c);
    if (found == position_.end()) return false;
    std::size_t hole = found->second;
    position_.erase(found);
    if (hole < stage_end_) {
        // The last stage follower fills the hole, which moves the hole to the boundary.
        const std::size_t last_stage = --stage_end_;
        if (hole != last_stage) place(hole, members_[last_stage]);
        hole = last_stage;
    }
    const std::size_t last = members_.size() - 1;
    if (hole != last) place(hole, members_[last]);
    members_.pop_back();
    return true;
}

void fanout_list::clear() noexcept {
    members_.clear();
    position_.clear();
    stage_end_ = 0;
}

std::optional<room::stream> fanout_list::stream_of(connection_id c) const {
    const auto found = position_.find(c);
    if (found == position_.end()) return std::nullopt;
    return found->second < stage_end_ ? room::stream::stage : room::stream::full;
}

std::span<const connection_id> fanout_list::followers(room::stream on) const noexcept {
    const std::span<const connection_id> all(members_);
    return on == room::stream::stage ? all.first(stage_end_) : all.subspan(stage_end_);
}

std::array<std::span<const connection_id>, 2> fanout_list::everyone_except(connection_id except) const {
    const std::span<const connection_id> all(members_);
    const auto found = position_.find(except);
    if (found == position_.end()) return {all, {}};
    // One lookup per broadcast instead of a comparison per recipient.
    return {all.first(found->second), all.subspan(found->second + 1)};
}

void fanout_list::swap_slots(std::size_t a, std::size_t b) {
    if (a == b) return;
    const connection_id at_a = members_[a];
    place(a, members_[b]);
    place(b, at_a);
}

void fanout_list::place(std::size_t at, connection_id c) {
    members_[at] = c;
    position_.find(c)->second = at;
}

}  // namespace stoa::relay
