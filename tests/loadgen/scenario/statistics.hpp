// Goodness-of-fit helpers for the schedule tests. Every tolerance is a critical value at
// α = 0.001 derived from the sample size, so a failure means the distribution is wrong, not that
// a fudge factor was too tight (and the seeds are fixed, so the tests are deterministic).
#pragma once

#include <algorithm>
#include <cmath>
#include <functional>
#include <vector>

namespace stoa::loadgen::test {

// Two-sided standard normal quantile for α = 0.001.
inline constexpr double z_two_sided = 3.2905;
// One-sided standard normal quantile for α = 0.001.
inline constexpr double z_one_sided = 3.0902;

// Kolmogorov-Smirnov statistic of `samples` against a continuous CDF.
inline double ks_statistic(std::vector<double> samples, const std::function<double(double)>& cdf) {
    std::sort(samples.begin(), samples.end());
    const auto n = static_cast<double>(samples.size());
    double d = 0.0;
    for (std::size_t i = 0; i < samples.size(); ++i) {
        const double f = cdf(samples[i]);
        d = std::max({d, static_cast<double>(i + 1) / n - f, f - static_cast<double>(i) / n});
    }
    return d;
}

// The KS critical value at α = 0.001 for n samples (asymptotic: sqrt(-ln(α/2)/2) / sqrt(n)).
inline double ks_critical(std::size_t n) {
    return std::sqrt(-std::log(0.001 / 2.0) / 2.0) / std::sqrt(static_cast<double>(n));
}

// The chi-square critical value at α = 0.001 for `df` degrees of freedom (Wilson-Hilferty).
inline double chi_square_critical(double df) {
    const double a = 2.0 / (9.0 * df);
    return df * std::pow(1.0 - a + z_one_sided * std::sqrt(a), 3.0);
}

struct moments {
    double mean = 0.0;
    double variance = 0.0;  // unbiased
};

inline moments moments_of(const std::vector<double>& values) {
    moments m;
    for (double v : values) m.mean += v;
    m.mean /= static_cast<double>(values.size());
    for (double v : values) m.variance += (v - m.mean) * (v - m.mean);
    m.variance /= static_cast<double>(values.size() - 1);
    return m;
}

}  // namespace stoa::loadgen::test
