// Which recorded value a quantile names. One definition shared by the histograms and by the
// tests' exact computation on sorted data, so they disagree only by the histogram's precision.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

namespace stoa::loadgen::metrics {

// The 1-based rank, among `count` sorted values, of the value at quantile q: the smallest value
// with at least q * count values at or below it (the nearest-rank definition). q <= 0 (and NaN)
// names the minimum, q >= 1 the maximum. q * count within rounding noise of an integer counts as
// that integer, so 0.07 * 100 is rank 7, not 8. `count` must be at least 1.
[[nodiscard]] inline std::uint64_t rank_for_quantile(double q, std::uint64_t count) noexcept {
    if (!(q > 0.0)) return 1;
    if (q >= 1.0) return count;
    const double exact = q * static_cast<double>(count);
    const double nearest = std::round(exact);
    const double tolerance = exact * 8.0 * std::numeric_limits<double>::epsilon();
    const double rank = std::fabs(exact - nearest) <= tolerance ? nearest : std::ceil(exact);
    if (!(rank >= 1.0)) return 1;
    if (rank >= static_cast<double>(count)) return count;
    return static_cast<std::uint64_t>(rank);
}

}  // namespace stoa::loadgen::metrics
