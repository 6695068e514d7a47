// The phases of a scenario, run one after another. Each lasts `length` and plans arrivals and
// departures (or stage changes, or reconnections) inside it; scenario_schedule turns them into
// events. Phases move listeners in and out of the audience; each room's speakers are there
// from the start (the host opens the room, the others are invited on stage).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <variant>

#include "stoa/common/time.hpp"
#include "stoa/loadgen/scenario/quantity.hpp"

namespace stoa::loadgen {

// How a storm spreads its N events over its window T.
enum class arrival_pattern : std::uint8_t {
    // An open-model Poisson process of rate N/T given that exactly N events fall in [0, T]: the
    // times are N independent uniform draws, sorted (memoryless, unevenly spaced, exact size).
    poisson,
    // Evenly spaced: one event every T/N, the first at T/(2N).
    uniform,
};

// Nothing arrives or leaves; the speakers talk.
struct steady_phase {
    duration length{};
    friend bool operator==(const steady_phase&, const steady_phase&) = default;
};

// The audience grows or shrinks linearly to `to` listeners over the phase (evenly spaced joins or
// departures; departing listeners are picked at random).
struct ramp_phase {
    duration length{};
    std::uint32_t to = 0;
    friend bool operator==(const ramp_phase&, const ramp_phase&) = default;
};

// `members` absent listeners join within `within` (all absent ones when not given).
struct join_storm_phase {
    duration length{};  // >= within
    duration within{};
    std::optional<std::uint32_t> members;
    arrival_pattern arrival = arrival_pattern::poisson;
    friend bool operator==(const join_storm_phase&, const join_storm_phase&) = default;
};

// `members` listeners of the audience, picked at random, leave within `within` (all when not given).
struct leave_storm_phase {
    duration length{};  // >= within
    duration within{};
    std::optional<std::uint32_t> members;
    arrival_pattern arrival = arrival_pattern::poisson;
    friend bool operator==(const leave_storm_phase&, const leave_storm_phase&) = default;
};

// Listeners arrive as a Poisson process of `arrival_rate` per second and each stays an
// exponentially distributed time of mean `mean_stay` (those present at the start too), so the
// audience tends to arrival_rate · mean_stay listeners (Little's law). Arrivals are the absent
// listeners, longest absent first; an arrival finding none absent is skipped.
struct churn_phase {
    duration length{};
    double arrival_rate = 0.0;  // per second
    duration mean_stay{};
    friend bool operator==(const churn_phase&, const churn_phase&) = default;
};

// Every `every`, in each room: the longest-serving speaker other than the host steps down to the
// audience, and a listener of that room picked at random is invited on stage.
struct speaker_rotation_phase {
    duration length{};
    duration every{};
    friend bool operator==(const speaker_rotation_phase&, const speaker_rotation_phase&) = default;
};

// `members` listeners of the audience, picked at random, raise their hands within `within` (all
// when not given); the host invites the first `invite` share of them on stage, each
// `invite_after` after raising it.
struct hand_raise_storm_phase {
    duration length{};  // >= within + invite_after
    duration within{};
    std::optional<std::uint32_t> members;
    arrival_pattern arrival = arrival_pattern::poisson;
    share invite{0.0};
    duration invite_after = std::chrono::seconds(1);
    friend bool operator==(const hand_raise_storm_phase&, const hand_raise_storm_phase&) = default;
};

// At the phase's start every present member loses its connection at once, as when the relay
// restarts, and comes back after its own first reconnect_backoff delay (attempt 0); later attempts
// (if the relay is not back yet) follow the same backoff.
struct reconnect_storm_phase {
    duration length{};  // >= the scenario's reconnect.max, so every first attempt falls inside
    friend bool operator==(const reconnect_storm_phase&, const reconnect_storm_phase&) = default;
};

using phase = std::variant<steady_phase, ramp_phase, join_storm_phase, leave_storm_phase, churn_phase,
                           speaker_rotation_phase, hand_raise_storm_phase, reconnect_storm_phase>;

// The `kind` names used in files and --phase flags, in the variant's order.
[[nodiscard]] std::string_view phase_kind_name(const phase& p) noexcept;
[[nodiscard]] duration phase_length(const phase& p) noexcept;

}  // namespace stoa::loadgen
