// Zipf popularity over n items: item k (from 0) has probability (k+1)^-s / H(n, s). Exponent 0 is
// uniform; around 1 is the classic "a few rooms get most listeners" shape.
#pragma once

#include <cstdint>
#include <vector>

namespace stoa::loadgen {

class zipf_distribution {
public:
    // n >= 1, exponent >= 0 and finite (the scenario reader checks both).
    zipf_distribution(std::uint32_t n, double exponent);

    [[nodiscard]] std::uint32_t size() const noexcept { return static_cast<std::uint32_t>(cumulative_.size()); }
    [[nodiscard]] double probability(std::uint32_t k) const noexcept;
    // The item a uniform draw from [0, 1) falls on (inverse of the cumulative distribution).
    [[nodiscard]] std::uint32_t item_at(double unit) const noexcept;

private:
    std::vector<double> cumulative_;  // cumulative_[k] = P(item <= k); the last is exactly 1
};

}  // namespace stoa::loadgen
