// One phase's planner: gives the phase's events one at a time, in time order, each chosen against
// the plan as it stands (scenario_schedule applies every event before asking for the next).
// Private to the library; tested through scenario_schedule.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>

#include "stoa/common/time.hpp"
#include "stoa/loadgen/scenario/member_event.hpp"
#include "stoa/loadgen/scenario/phase.hpp"
#include "stoa/loadgen/scenario/population.hpp"
#include "stoa/loadgen/scenario/scenario.hpp"

namespace stoa::loadgen {

class phase_generator {
public:
    virtual ~phase_generator() = default;
    // The next event, no earlier than the last and no later than the phase's end; nullopt when
    // the phase plans nothing more.
    [[nodiscard]] virtual std::optional<member_event> next(const population& members) = 0;
};

// `members` is the plan at the phase's start; `seed` is the scenario's, `index` the phase's place.
[[nodiscard]] std::unique_ptr<phase_generator> make_phase_generator(const phase& p, const scenario& plan,
                                                                    const population& members, time_point start,
                                                                    std::size_t index);

}  // namespace stoa::loadgen
