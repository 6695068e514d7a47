// How a member that lost its connection comes back: exponential backoff with jitter, so a
// restarted relay is not hit by everyone at the same instant. Attempt k (from 0) waits a delay
// drawn uniformly from [c·(1-jitter), c], where c = min(max, min·multiplier^k): with jitter 100%
// ("full jitter") anywhere from 0 to c, with jitter 0 exactly c.
#pragma once

#include <chrono>
#include <cstdint>

#include "stoa/common/time.hpp"
#include "stoa/loadgen/scenario/deterministic_random.hpp"
#include "stoa/loadgen/scenario/quantity.hpp"

namespace stoa::loadgen {

struct reconnect_backoff {
    duration min = std::chrono::milliseconds(500);
    duration max = std::chrono::seconds(10);
    double multiplier = 2.0;  // >= 1
    share jitter{1.0};

    // c for attempt k: min·multiplier^k, capped at max.
    [[nodiscard]] duration ceiling(std::uint32_t attempt) const noexcept;
    // The shortest and longest delay attempt k can draw.
    [[nodiscard]] duration shortest(std::uint32_t attempt) const noexcept;
    // A delay for attempt k, uniform in [shortest(k), ceiling(k)].
    [[nodiscard]] duration delay(std::uint32_t attempt, deterministic_random& random) const noexcept;

    friend bool operator==(const reconnect_backoff&, const reconnect_backoff&) = default;
};

}  // namespace stoa::loadgen
