// The index arithmetic under every histogram: configurations accepted and refused, the memory a
// configuration costs, and that counters tile the value range without gaps, overlaps or
// precision worse than configured.
#include <catch2/catch.hpp>

#include <cmath>
#include <random>

#include "sample_data.hpp"
#include "stoa/loadgen/metrics/histogram_layout.hpp"

using namespace stoa::loadgen::metrics;

using stoa::test::layout_of;

TEST_CASE("histogram configurations outside the limits are refused with invalid_config", "[loadgen][metrics]") {
    const histogram_config bad[] = {
        {1, 3'600'000'000, 0},                                // no significant digit
        {1, 3'600'000'000, 6},                                // more than 5
        {0, 3'600'000'000, 3},                                // lowest 0
        {1000, 1999, 3},                                      // highest below twice lowest
        {1, (std::uint64_t{1} << 62) + 1, 3},                 // above 2^62
        {1, 3'600'000'000, 5},                                // 2,097,152 counters, over the 2^20 cap
        {std::uint64_t{1} << 50, std::uint64_t{1} << 62, 5},  // unit + sub-bucket magnitude over 62 bits
    };
    for (const histogram_config& config : bad) {
        CAPTURE(config.lowest_discernible, config.highest_trackable, config.significant_digits);
        const auto layout = histogram_layout::make(config);
        REQUIRE_FALSE(layout.ok());
        CHECK(layout.error().code == metrics_error_code::invalid_config);
    }
}

TEST_CASE("the default configuration costs 23,552 counters (184 KiB) and is precise to 0.1%", "[loadgen][metrics]") {
    // 2 * 10^3 rounds up to 2,048 sub-buckets; 22 buckets double up to past one hour.
    const histogram_layout layout = layout_of({});
    CHECK(layout.counts_length() == 23'552);
    CHECK(layout.sub_bucket_half_count() == 1024);
    CHECK(1.0 / static_cast<double>(layout.sub_bucket_half_count()) <= 0.001);
    // The series' per-second histograms: 1 us to 60 s at 2 digits.
    CHECK(layout_of({1, 60'000'000, 2}).counts_length() == 2'560);
    // The widest accepted: the whole 62-bit range at 3 digits, and an hour at 4.
    CHECK(layout_of({1, std::uint64_t{1} << 62, 3}).counts_length() == 55'296);
    CHECK(layout_of({1, 3'600'000'000, 4}).counts_length() == 311'296);
}

TEST_CASE("every significant-digit setting bounds the relative error by 10^-digits", "[loadgen][metrics]") {
    for (std::uint32_t digits = 1; digits <= max_significant_digits; ++digits) {
        // 5 digits fit the 2^20-counter cap only up to 2^24 (16 s in microseconds).
        const histogram_layout layout = layout_of({1, std::uint64_t{1} << 20, digits});
        CAPTURE(digits);
        CHECK(1.0 / static_cast<double>(layout.sub_bucket_half_count()) <=
              std::pow(10.0, -static_cast<double>(digits)));
    }
}

TEST_CASE("counters tile the range: contiguous, ascending, each value inside its own counter", "[loadgen][metrics]") {
    const histogram_config configs[] = {
        {1, 3'600'000'000, 3},          {1, 60'000'000, 2}, {1, 1'000'000, 1},
        {1000, 3'600'000'000, 3},       {3, 100'000, 2},    {1, 1 << 20, 4},
        {1, std::uint64_t{1} << 62, 3},
    };
    for (const histogram_config& config : configs) {
        CAPTURE(config.lowest_discernible, config.highest_trackable, config.significant_digits);
        const histogram_layout layout = layout_of(config);
        const std::uint32_t top = layout.index_of(config.highest_trackable);
        REQUIRE(top < layout.counts_length());
        CHECK(layout.lowest_at(0) == 0);
        std::size_t gaps = 0;
        for (std::uint32_t i = 0; i < top; ++i) {
            if (layout.highest_at(i) + 1 != layout.lowest_at(i + 1)) ++gaps;
            if (layout.index_of(layout.lowest_at(i)) != i || layout.index_of(layout.highest_at(i)) != i) ++gaps;
        }
        CHECK(gaps == 0);
        CHECK(layout.lowest_at(top) <= config.highest_trackable);
        CHECK(config.highest_trackable <= layout.highest_at(top));
    }
}

TEST_CASE("every value's counter reports it within the configured precision", "[loadgen][metrics]") {
    const histogram_config configs[] = {
        {1, 3'600'000'000, 3}, {1, 60'000'000, 2}, {1, 1'000'000, 1}, {1000, 3'600'000'000, 3}, {1, 1 << 22, 5},
    };
    for (const histogram_config& config : configs) {
        CAPTURE(config.lowest_discernible, config.highest_trackable, config.significant_digits);
        const histogram_layout layout = layout_of(config);
        std::size_t failures = 0;
        const auto check = [&](std::uint64_t v) {
            const std::uint32_t index = layout.index_of(v);
            const bool inside = layout.lowest_at(index) <= v && v <= layout.highest_at(index);
            // Both ends of the counter stand for v within the precision.
            if (!inside || !stoa::test::within_precision(layout, v, layout.highest_at(index)) ||
                !stoa::test::within_precision(layout, v, layout.lowest_at(index)))
                ++failures;
        };
        // Every value up to 200,000, then a million random ones over the whole range.
        for (std::uint64_t v = 0; v <= 200'000 && v <= config.highest_trackable; ++v) check(v);
        std::mt19937_64 rng(config.significant_digits * 7919 + config.lowest_discernible);
        std::uniform_real_distribution<double> exponent(0.0, std::log(static_cast<double>(config.highest_trackable)));
        for (int i = 0; i < 1'000'000; ++i) {
            check(std::min(config.highest_trackable, static_cast<std::uint64_t>(std::exp(exponent(rng)))));
        }
        CHECK(failures == 0);
    }
}

TEST_CASE("below 2 * 10^digits a unit-resolution histogram is exact", "[loadgen][metrics]") {
    const histogram_layout layout = layout_of({1, 3'600'000'000, 3});
    for (std::uint64_t v = 0; v < 2048; ++v) {
        REQUIRE(layout.lowest_at(layout.index_of(v)) == v);
        REQUIRE(layout.highest_at(layout.index_of(v)) == v);
    }
    CHECK(layout.width_at(layout.index_of(2048)) == 2);
}
