// Seeded sample data for the histogram tests: the latency shapes a load test meets (uniform,
// exponential, log-normal, heavy-tailed Pareto, bimodal stalls, constant, bucket edges) and the
// exact answers a histogram is checked against.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "stoa/loadgen/metrics/histogram_layout.hpp"
#include "stoa/loadgen/metrics/quantile.hpp"

namespace stoa::test {

// The layout of a configuration the test knows to be valid.
inline loadgen::metrics::histogram_layout layout_of(const loadgen::metrics::histogram_config& config) {
    auto layout = loadgen::metrics::histogram_layout::make(config);
    REQUIRE(layout.ok());
    return *layout;
}

struct named_sample {
    std::string name;
    std::vector<std::uint64_t> values;
};

// Every value is at most `highest`, so none is clamped.
inline std::vector<named_sample> latency_samples(std::uint64_t seed, std::size_t n, std::uint64_t highest) {
    std::mt19937_64 rng(seed);
    const auto capped = [highest](double v) {
        if (!(v >= 0.0)) return std::uint64_t{0};
        if (v >= static_cast<double>(highest)) return highest;
        return static_cast<std::uint64_t>(v);
    };
    const auto make = [&](std::string name, auto draw) {
        named_sample sample{std::move(name), {}};
        sample.values.reserve(n);
        for (std::size_t i = 0; i < n; ++i) sample.values.push_back(capped(draw()));
        return sample;
    };
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    std::exponential_distribution<double> exponential(1.0 / 20'000.0);
    std::lognormal_distribution<double> lognormal(std::log(20'000.0), 1.0);
    std::normal_distribution<double> fast(5'000.0, 800.0);
    std::normal_distribution<double> stalled(500'000.0, 50'000.0);
    const double top = static_cast<double>(highest);

    std::vector<named_sample> samples;
    samples.push_back(make("uniform to 1 s", [&] { return unit(rng) * 1e6; }));
    samples.push_back(make("uniform to 5000 (exact region)", [&] { return std::floor(unit(rng) * 5000.0); }));
    samples.push_back(make("exponential, mean 20 ms", [&] { return exponential(rng); }));
    samples.push_back(make("log-normal around 20 ms", [&] { return lognormal(rng); }));
    // Pareto with alpha 1.1: a tail so heavy the mean barely exists.
    samples.push_back(
        make("pareto alpha 1.1 from 1 ms", [&] { return 1000.0 / std::pow(1.0 - unit(rng), 1.0 / 1.1); }));
    samples.push_back(
        make("bimodal, 5% stalls near 500 ms", [&] { return unit(rng) < 0.05 ? stalled(rng) : fast(rng); }));
    samples.push_back(make("log-uniform over the whole range", [&] { return std::exp(unit(rng) * std::log(top)); }));
    samples.push_back(make("constant 20 ms", [] { return 20'000.0; }));
    // Values on and around every power of two: the bucket edges.
    named_sample edges{"powers of two and neighbours", {}};
    for (int bit = 0; bit < 63 && (std::uint64_t{1} << bit) <= highest; ++bit) {
        const std::uint64_t p = std::uint64_t{1} << bit;
        for (const std::uint64_t v : {p - 1, p, p + 1}) {
            if (v <= highest) edges.values.push_back(v);
        }
    }
    edges.values.push_back(highest);
    samples.push_back(std::move(edges));
    return samples;
}

// The exact value at quantile q of sorted data, by the histograms' own rank definition.
inline std::uint64_t exact_value_at_quantile(const std::vector<std::uint64_t>& sorted, double q) {
    return sorted[loadgen::metrics::rank_for_quantile(q, sorted.size()) - 1];
}

// Whether `reported` stands for `exact` within the layout's precision: the larger of
// exact / sub_bucket_half_count (10^-digits of it) and the unit below lowest_discernible.
inline bool within_precision(const loadgen::metrics::histogram_layout& layout, std::uint64_t exact,
                             std::uint64_t reported) {
    const std::uint64_t difference = reported > exact ? reported - exact : exact - reported;
    const std::uint64_t unit = std::uint64_t{1} << layout.unit_magnitude();
    // difference * half < exact, without the multiplication overflowing.
    return difference < unit || (exact > 0 && difference <= (exact - 1) / layout.sub_bucket_half_count());
}

}  // namespace stoa::test
