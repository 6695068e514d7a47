// The plan's membership bookkeeping: swap-remove sets for the audience (global and per room) so
// random picks and removals are O(1), a queue of absent listeners, and each room's stage in order.
#include "stoa/loadgen/scenario/population.hpp"

#include <algorithm>
#include <cassert>

namespace stoa::loadgen {

population::population(const member_layout& layout) : members_(layout.member_count()), rooms_(layout.room_count()) {
    for (std::uint32_t i = 0; i < layout.member_count(); ++i) {
        const member_index member(i);
        members_[i].room = layout.room_of(member);
        if (!layout.is_speaker(member)) waiting_.push_back(member);
    }
}

std::optional<member_index> population::next_absent() const noexcept {
    if (waiting_.empty()) return std::nullopt;
    return waiting_.front();
}

std::optional<member_index> population::random_audience(deterministic_random& random) const noexcept {
    if (audience_.empty()) return std::nullopt;
    return audience_[random.uniform(audience_.size())];
}

std::optional<member_index> population::random_audience(room_index room, deterministic_random& random) const noexcept {
    const auto& audience = rooms_[room.value].audience;
    if (audience.empty()) return std::nullopt;
    return audience[random.uniform(audience.size())];
}

void population::add_to_audience(member_index member) {
    member_state& state = members_[member.value];
    auto& room = rooms_[state.room.value].audience;
    state.place = member_place::audience;
    state.audience_position = static_cast<std::uint32_t>(audience_.size());
    state.room_audience_position = static_cast<std::uint32_t>(room.size());
    audience_.push_back(member);
    room.push_back(member);
}

void population::remove_from_audience(member_index member) {
    member_state& state = members_[member.value];
    const member_index last = audience_.back();
    audience_[state.audience_position] = last;
    members_[last.value].audience_position = state.audience_position;
    audience_.pop_back();
    auto& room = rooms_[state.room.value].audience;
    const member_index room_last = room.back();
    room[state.room_audience_position] = room_last;
    members_[room_last.value].room_audience_position = state.room_audience_position;
    room.pop_back();
}

void population::apply(const member_event& event) {
    const member_index member = event.member;
    member_state& state = members_[member.value];
    switch (event.kind) {
        case member_event_kind::open_room:
            assert(state.place == member_place::absent);
            state.place = member_place::host;
            ++present_;
            break;
        case member_event_kind::join:
            assert(state.place == member_place::absent);
            if (!waiting_.empty() && waiting_.front() == member) waiting_.pop_front();
            add_to_audience(member);
            ++present_;
            break;
        case member_event_kind::leave:
            assert(state.place == member_place::audience);
            remove_from_audience(member);
            state.place = member_place::absent;
            state.hand_raised = false;
            state.disconnected = false;
            --present_;
            waiting_.push_back(member);
            break;
        case member_event_kind::raise_hand:
            assert(state.place == member_place::audience);
            state.hand_raised = true;
            break;
        case member_event_kind::invite_to_stage:
            assert(state.place == member_place::audience);
            remove_from_audience(member);
            state.place = member_place::stage;
            state.hand_raised = false;
            rooms_[state.room.value].stage.push_back(member);
            break;
        case member_event_kind::move_to_audience: {
            assert(state.place == member_place::stage);
            auto& stage = rooms_[state.room.value].stage;
            stage.erase(std::find(stage.begin(), stage.end(), member));
            add_to_audience(member);
            break;
        }
        case member_event_kind::disconnect:
            assert(state.place != member_place::absent && !state.disconnected);
            state.disconnected = true;
            break;
        case member_event_kind::reconnect:
            assert(state.disconnected);
            state.disconnected = false;
            break;
    }
}

}  // namespace stoa::loadgen
