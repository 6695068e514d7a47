// Event times for the schedules, as offsets from a phase's start. Each is a pure generator:
// constant memory, one time per call, never decreasing.
#pragma once

#include <cstdint>
#include <optional>

#include "stoa/common/time.hpp"
#include "stoa/loadgen/scenario/deterministic_random.hpp"
#include "stoa/loadgen/scenario/phase.hpp"

namespace stoa::loadgen {

// An unbounded Poisson process: exponential gaps of mean 1/rate.
class poisson_process {
public:
    poisson_process(double rate_per_second, deterministic_random random) noexcept;
    [[nodiscard]] duration next() noexcept;
    // Restarts the process at `offset` when it is behind it (memorylessness makes that exact):
    // the next arrival is then an exponential gap after `offset`.
    void skip_to(duration offset) noexcept;

private:
    double mean_gap_seconds_;
    double seconds_ = 0.0;  // the running sum, kept in floating point so rounding never accumulates
    deterministic_random random_;
};

// Exactly `count` times in [0, window], spread by `pattern` (see arrival_pattern). The Poisson
// pattern draws the sorted uniform times one at a time (the order statistics run from the top:
// each next largest remaining gap is V^(1/i) of the last), so it needs no sorting and no memory.
class storm_times {
public:
    storm_times(arrival_pattern pattern, std::uint32_t count, duration window, deterministic_random random) noexcept;
    [[nodiscard]] std::uint32_t remaining() const noexcept { return count_ - emitted_; }
    // nullopt once all `count` have been given.
    [[nodiscard]] std::optional<duration> next() noexcept;

private:
    arrival_pattern pattern_;
    std::uint32_t count_;
    std::uint32_t emitted_ = 0;
    duration window_;
    double complement_ = 1.0;  // 1 - the last uniform time, as a fraction of the window
    deterministic_random random_;
};

}  // namespace stoa::loadgen
