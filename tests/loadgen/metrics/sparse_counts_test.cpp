// The sparse (index, count) form: the invariant reports are checked against, merging, quantiles.
#include <catch2/catch.hpp>

#include <algorithm>
#include <random>

#include "sample_data.hpp"
#include "stoa/loadgen/metrics/log_histogram.hpp"
#include "stoa/loadgen/metrics/sparse_counts.hpp"

using namespace stoa::loadgen::metrics;

using stoa::test::layout_of;

TEST_CASE("sparse counts are checked: ascending, in range, non-zero, no overflow", "[loadgen][metrics]") {
    const histogram_layout layout = layout_of({1, 60'000'000, 2});
    struct row {
        sparse_counts counts;
        bool ok;
        metrics_error_code code;
        const char* detail;
    };
    const std::uint64_t half = std::uint64_t{1} << 63;
    const row table[] = {
        {{}, true, {}, ""},
        {{{0, 1}, {5, 3}, {2559, 1}}, true, {}, ""},
        {{{2560, 1}}, false, metrics_error_code::out_of_range, "[0]"},
        {{{4, 1}, {4, 1}}, false, metrics_error_code::not_ascending, "[1]"},
        {{{5, 1}, {4, 1}}, false, metrics_error_code::not_ascending, "[1]"},
        {{{5, 1}, {6, 0}}, false, metrics_error_code::not_ascending, "[1]"},
        {{{5, half}, {6, half}}, false, metrics_error_code::count_overflow, "[1]"},
    };
    for (const row& r : table) {
        CAPTURE(r.detail);
        const auto valid = validate_sparse_counts(layout, r.counts);
        CHECK(valid.ok() == r.ok);
        if (!r.ok && !valid.ok()) {
            CHECK(valid.error().code == r.code);
            CHECK(valid.error().detail == r.detail);
        }
    }
}

TEST_CASE("adding sparse counts equals adding the dense histograms", "[loadgen][metrics]") {
    const histogram_config config{1, 60'000'000, 2};
    std::mt19937_64 rng(99);
    for (int round = 0; round < 50; ++round) {
        auto a = log_histogram::make(config).value();
        auto b = log_histogram::make(config).value();
        for (int i = 0; i < 200; ++i) a.record(rng() % (1u << (rng() % 26)));
        for (int i = 0; i < 300; ++i) b.record(rng() % (1u << (rng() % 26)));
        sparse_counts sum = a.snapshot().counts;
        add_sparse_counts(sum, b.snapshot().counts);
        REQUIRE(a.merge(b).ok());
        CHECK(sum == a.snapshot().counts);
        CHECK(total_count(sum) == a.count());
        CHECK(validate_sparse_counts(a.layout(), sum).ok());
    }
}

TEST_CASE("quantiles of sparse counts match exact computation within the precision", "[loadgen][metrics]") {
    const histogram_config config{1, 60'000'000, 2};
    const histogram_layout layout = layout_of(config);
    for (const auto& sample : stoa::test::latency_samples(5, 20'000, config.highest_trackable)) {
        CAPTURE(sample.name);
        auto histogram = log_histogram::make(config).value();
        for (const std::uint64_t v : sample.values) histogram.record(v);
        const sparse_counts counts = histogram.snapshot().counts;
        std::vector<std::uint64_t> sorted = sample.values;
        std::sort(sorted.begin(), sorted.end());
        for (const double q : {0.0, 0.01, 0.5, 0.9, 0.99, 0.999, 1.0}) {
            CAPTURE(q);
            const std::uint64_t exact = stoa::test::exact_value_at_quantile(sorted, q);
            const std::uint64_t reported = *value_at_quantile(layout, counts, q);
            CHECK(layout.index_of(reported) == layout.index_of(exact));
            CHECK(reported >= exact);
            CHECK(stoa::test::within_precision(layout, exact, reported));
        }
    }
    CHECK_FALSE(value_at_quantile(layout, {}, 0.5).has_value());
}
