// Explicit time for the sans-I/O core: callers pass `now`; the core never reads a clock.
#pragma once

#include <chrono>
#include <cstdint>

namespace stoa {

// A clock with no now(): time points come only from the caller (the event loop, a test,
// the browser's performance.now()). Microsecond resolution from an arbitrary origin.
struct core_clock {
    using rep = std::int64_t;
    using period = std::micro;
    using duration = std::chrono::duration<rep, period>;
    using time_point = std::chrono::time_point<core_clock, duration>;
    static constexpr bool is_steady = true;
};

using time_point = core_clock::time_point;
using duration = core_clock::duration;

[[nodiscard]] constexpr time_point from_micros(std::int64_t micros) noexcept { return time_point(duration(micros)); }
[[nodiscard]] constexpr std::int64_t to_micros(time_point t) noexcept { return t.time_since_epoch().count(); }

}  // namespace stoa
