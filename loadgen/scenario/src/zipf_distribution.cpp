// Zipf by its cumulative table: exact probabilities, sampling by binary search.
#include "stoa/loadgen/scenario/zipf_distribution.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>

namespace stoa::loadgen {

zipf_distribution::zipf_distribution(std::uint32_t n, double exponent) {
    assert(n >= 1 && exponent >= 0.0 && std::isfinite(exponent));
    cumulative_.resize(n);
    double sum = 0.0;
    for (std::uint32_t k = 0; k < n; ++k) {
        sum += std::pow(static_cast<double>(k) + 1.0, -exponent);
        cumulative_[k] = sum;
    }
    for (auto& c : cumulative_) c /= sum;
    cumulative_.back() = 1.0;
}

double zipf_distribution::probability(std::uint32_t k) const noexcept {
    return k == 0 ? cumulative_[0] : cumulative_[k] - cumulative_[k - 1];
}

std::uint32_t zipf_distribution::item_at(double unit) const noexcept {
    const auto it = std::upper_bound(cumulative_.begin(), cumulative_.end(), unit);
    const auto k = static_cast<std::uint32_t>(it - cumulative_.begin());
    return std::min(k, size() - 1);
}

}  // namespace stoa::loadgen
