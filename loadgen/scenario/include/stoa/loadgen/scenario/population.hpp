// The plan's view of who is where: absent, in a room's audience, on its stage (or hosting it),
// with a raised hand or disconnected. The schedules choose members from it (the absent listener
// who has waited longest, a random member of the audience) and apply each event they plan to it.
// Memory is about 30 bytes per member and does not grow with the length of a run.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <span>
#include <vector>

#include "stoa/loadgen/scenario/deterministic_random.hpp"
#include "stoa/loadgen/scenario/member_event.hpp"
#include "stoa/loadgen/scenario/member_index.hpp"
#include "stoa/loadgen/scenario/member_layout.hpp"

namespace stoa::loadgen {

enum class member_place : std::uint8_t { absent, audience, stage, host };

class population {
public:
    // Everyone absent; listeners wait to join in index order.
    explicit population(const member_layout& layout);

    [[nodiscard]] member_place place_of(member_index member) const noexcept { return members_[member.value].place; }
    [[nodiscard]] bool hand_raised(member_index member) const noexcept { return members_[member.value].hand_raised; }
    [[nodiscard]] bool connected(member_index member) const noexcept { return !members_[member.value].disconnected; }
    [[nodiscard]] room_index room_of(member_index member) const noexcept { return members_[member.value].room; }

    [[nodiscard]] std::uint32_t present_count() const noexcept { return present_; }
    [[nodiscard]] std::uint32_t audience_count() const noexcept { return static_cast<std::uint32_t>(audience_.size()); }
    [[nodiscard]] std::uint32_t audience_count(room_index room) const noexcept {
        return static_cast<std::uint32_t>(rooms_[room.value].audience.size());
    }
    [[nodiscard]] std::span<const member_index> audience() const noexcept { return audience_; }
    // A room's speakers other than its host, longest on stage first.
    [[nodiscard]] std::span<const member_index> stage(room_index room) const noexcept {
        return rooms_[room.value].stage;
    }
    [[nodiscard]] std::uint32_t room_count() const noexcept { return static_cast<std::uint32_t>(rooms_.size()); }

    // The absent listener next in line to join (the one absent longest), if any.
    [[nodiscard]] std::optional<member_index> next_absent() const noexcept;
    [[nodiscard]] std::uint32_t absent_waiting() const noexcept { return static_cast<std::uint32_t>(waiting_.size()); }
    // A member of the audience (of one room) picked uniformly, if there is one.
    [[nodiscard]] std::optional<member_index> random_audience(deterministic_random& random) const noexcept;
    [[nodiscard]] std::optional<member_index> random_audience(room_index room,
                                                              deterministic_random& random) const noexcept;

    // Records a planned event. The event must make sense for the member's place (join when
    // absent, leave from the audience, invite_to_stage from the audience...): the schedules only
    // plan such events, and anything else is a programming error (asserted).
    void apply(const member_event& event);

private:
    struct member_state {
        room_index room;
        std::uint32_t audience_position = 0;       // in audience_
        std::uint32_t room_audience_position = 0;  // in rooms_[room].audience
        member_place place = member_place::absent;
        bool hand_raised = false;
        bool disconnected = false;
    };
    struct room_state {
        std::vector<member_index> audience;
        std::vector<member_index> stage;
    };

    void add_to_audience(member_index member);
    void remove_from_audience(member_index member);

    std::vector<member_state> members_;
    std::vector<room_state> rooms_;
    std::vector<member_index> audience_;
    std::deque<member_index> waiting_;  // absent members who may join as listeners, in line
    std::uint32_t present_ = 0;
};

}  // namespace stoa::loadgen
