// The whole plan of a run as a stream of member events in time order: first each room's
// speakers (the host opens the room, the others join and are invited on stage), then every
// phase's arrivals and departures. Pure and seeded: the same scenario gives the same events on
// every host, and each host (shard) is handed only its own members' events while the plan as a
// whole is tracked for all. Memory is bounded by the number of members, however long the run.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>

#include "stoa/common/time.hpp"
#include "stoa/loadgen/scenario/member_event.hpp"
#include "stoa/loadgen/scenario/member_layout.hpp"
#include "stoa/loadgen/scenario/population.hpp"
#include "stoa/loadgen/scenario/scenario.hpp"
#include "stoa/loadgen/scenario/shard.hpp"

namespace stoa::loadgen {

class phase_generator;

class scenario_schedule {
public:
    // `plan` must be valid (as parse_scenario and parse_command_line return it); `start` is the
    // run's time zero on the caller's clock.
    scenario_schedule(const scenario& plan, shard part, time_point start);
    ~scenario_schedule();
    scenario_schedule(scenario_schedule&&) noexcept;
    scenario_schedule& operator=(scenario_schedule&&) noexcept;

    // When this shard's next event is due; nullopt once the plan has no more.
    [[nodiscard]] std::optional<time_point> next_time();
    // This shard's next event if it is due at or before `now`.
    [[nodiscard]] std::optional<member_event> next_event(time_point now);
    // This shard's next event, whenever it is due.
    [[nodiscard]] std::optional<member_event> next_event();

    [[nodiscard]] const member_layout& layout() const noexcept { return layout_; }
    // The plan's state for all members, up to and including the next pending event.
    [[nodiscard]] const population& planned() const noexcept { return population_; }
    [[nodiscard]] time_point start() const noexcept { return start_; }
    [[nodiscard]] time_point end() const noexcept { return start_ + plan_.length; }
    // The phase the last planned event belongs to (0-based), or nullopt during the speakers' setup.
    [[nodiscard]] std::optional<std::size_t> current_phase() const noexcept;

private:
    [[nodiscard]] std::optional<member_event> plan_next();
    void start_phase(std::size_t index);

    scenario plan_;
    shard part_;
    time_point start_;
    member_layout layout_;
    population population_;
    std::uint32_t setup_cursor_ = 0;  // speakers' setup: 2 events per non-host speaker, 1 per host
    bool setup_invite_pending_ = false;
    std::size_t phase_ = 0;  // the phase after the setup, == phases.size() when done
    bool in_phases_ = false;
    time_point phase_start_;
    std::unique_ptr<phase_generator> generator_;
    std::optional<member_event> pending_;
};

}  // namespace stoa::loadgen
