// Exponential backoff with jitter, computed in floating point and clamped to [0, max].
#include "stoa/loadgen/scenario/reconnect_backoff.hpp"

#include <algorithm>
#include <cmath>

namespace stoa::loadgen {

duration reconnect_backoff::ceiling(std::uint32_t attempt) const noexcept {
    const double grown = static_cast<double>(min.count()) * std::pow(multiplier, static_cast<double>(attempt));
    if (!(grown < static_cast<double>(max.count()))) return max;  // also catches overflow to infinity
    return duration(std::llround(grown));
}

duration reconnect_backoff::shortest(std::uint32_t attempt) const noexcept {
    const double c = static_cast<double>(ceiling(attempt).count());
    return duration(static_cast<std::int64_t>(std::ceil(c * (1.0 - jitter.fraction))));
}

duration reconnect_backoff::delay(std::uint32_t attempt, deterministic_random& random) const noexcept {
    const duration c = ceiling(attempt);
    const duration low = shortest(attempt);
    const double span = static_cast<double>((c - low).count());
    const auto drawn = low + duration(static_cast<std::int64_t>(std::floor(uniform_unit(random) * (span + 1.0))));
    return std::min(drawn, c);
}

}  // namespace stoa::loadgen
