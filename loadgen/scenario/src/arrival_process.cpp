// Poisson and storm event times. Times are kept in floating point seconds (or fractions of the
// window) and floored to microseconds on the way out, which keeps them non-decreasing.
#include "stoa/loadgen/scenario/arrival_process.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace stoa::loadgen {

namespace {
// Past this the process is "never": far beyond any scenario, far below int64 overflow.
constexpr double never_seconds = 1e9;

duration from_seconds(double seconds) noexcept {
    return duration(static_cast<std::int64_t>(std::floor(std::min(seconds, never_seconds) * 1e6)));
}
}  // namespace

poisson_process::poisson_process(double rate_per_second, deterministic_random random) noexcept
    : mean_gap_seconds_(rate_per_second > 0.0 ? 1.0 / rate_per_second : std::numeric_limits<double>::infinity()),
      random_(random) {}

duration poisson_process::next() noexcept {
    if (std::isinf(mean_gap_seconds_)) return from_seconds(never_seconds);
    seconds_ = std::min(seconds_ + exponential(random_, mean_gap_seconds_), never_seconds);
    return from_seconds(seconds_);
}

void poisson_process::skip_to(duration offset) noexcept {
    seconds_ = std::max(seconds_, std::chrono::duration<double>(offset).count());
}

storm_times::storm_times(arrival_pattern pattern, std::uint32_t count, duration window,
                         deterministic_random random) noexcept
    : pattern_(pattern), count_(count), window_(window), random_(random) {}

std::optional<duration> storm_times::next() noexcept {
    if (emitted_ >= count_) return std::nullopt;
    if (pattern_ == arrival_pattern::uniform) {
        // window·(2i+1)/(2N) exactly, in integers: q·(2i+1) + r·(2i+1)/(2N) with window = q·2N + r.
        const std::int64_t slots = 2 * static_cast<std::int64_t>(count_);
        const std::int64_t odd = 2 * static_cast<std::int64_t>(emitted_) + 1;
        ++emitted_;
        return duration(window_.count() / slots * odd + window_.count() % slots * odd / slots);
    }
    // The largest of i uniforms is V^(1/i); drawn from the top on the complement, the uniforms
    // come out smallest first.
    const std::uint32_t left = count_ - emitted_;
    complement_ *= std::pow(1.0 - uniform_unit(random_), 1.0 / left);
    ++emitted_;
    const auto micros =
        static_cast<std::int64_t>(std::floor((1.0 - complement_) * static_cast<double>(window_.count())));
    return duration(std::clamp<std::int64_t>(micros, 0, window_.count()));
}

}  // namespace stoa::loadgen
