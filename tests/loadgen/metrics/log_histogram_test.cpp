// The dense histogram against exact computation on sorted data: percentiles, extremes, mean,
// counts per bucket, clamping, merging and resetting.
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <numeric>
#include <random>

#include "sample_data.hpp"
#include "stoa/loadgen/metrics/log_histogram.hpp"

using namespace stoa::loadgen::metrics;
using stoa::test::exact_value_at_quantile;
using stoa::test::within_precision;

namespace {

log_histogram histogram_of(const histogram_config& config) {
    auto histogram = log_histogram::make(config);
    REQUIRE(histogram.ok());
    return std::move(histogram).value();
}

const double checked_quantiles[] = {0.0,  0.0001, 0.001, 0.01, 0.05,  0.1,    0.25,    0.5,
                                    0.75, 0.9,    0.95,  0.99, 0.999, 0.9999, 0.99999, 1.0};

// Checks every property of `histogram` that the exact sorted data decides.
void check_against_exact(const log_histogram& histogram, std::vector<std::uint64_t> values, std::mt19937_64& rng) {
    std::sort(values.begin(), values.end());
    const histogram_layout& layout = histogram.layout();
    REQUIRE(histogram.count() == values.size());
    REQUIRE(histogram.min() == values.front());
    REQUIRE(histogram.max() == values.back());

    std::vector<double> quantiles(std::begin(checked_quantiles), std::end(checked_quantiles));
    std::uniform_real_distribution<double> any(0.0, 1.0);
    for (int i = 0; i < 200; ++i) quantiles.push_back(any(rng));
    std::size_t wrong = 0;
    for (const double q : quantiles) {
        const std::uint64_t exact = exact_value_at_quantile(values, q);
        const std::uint64_t reported = *histogram.value_at_quantile(q);
        // Same counter as the true sample, never below it, and within the precision.
        if (layout.index_of(reported) != layout.index_of(exact) || reported < exact ||
            !within_precision(layout, exact, reported)) {
            UNSCOPED_INFO("q " << q << ": exact " << exact << ", reported " << reported);
            ++wrong;
        }
    }
    CHECK(wrong == 0);

    const long double exact_sum =
        std::accumulate(values.begin(), values.end(), 0.0L, [](long double s, std::uint64_t v) { return s + v; });
    const double exact_mean = static_cast<double>(exact_sum / values.size());
    const double allowed = exact_mean / static_cast<double>(layout.sub_bucket_half_count()) +
                           static_cast<double>(std::uint64_t{1} << layout.unit_magnitude()) + 1e-9 * exact_mean;
    CHECK(std::abs(*histogram.mean() - exact_mean) <= allowed);

    // The non-empty buckets are exactly the sorted values grouped by counter.
    std::map<std::uint32_t, std::uint64_t> expected;
    for (const std::uint64_t v : values) ++expected[layout.index_of(v)];
    std::map<std::uint32_t, std::uint64_t> seen;
    for (const bucket_view bucket : histogram.buckets()) {
        seen[bucket.index] = bucket.count;
        CHECK(bucket.lowest == layout.lowest_at(bucket.index));
        CHECK(bucket.highest == layout.highest_at(bucket.index));
    }
    CHECK(seen == expected);
}

}  // namespace

TEST_CASE("percentiles match exact computation on sorted random data within the precision", "[loadgen][metrics]") {
    const histogram_config configs[] = {
        {1, 3'600'000'000, 3}, {1, 3'600'000'000, 2}, {1, 60'000'000, 1}, {1000, 3'600'000'000, 3}, {1, 1 << 30, 4},
    };
    for (const histogram_config& config : configs) {
        for (const std::size_t n : {std::size_t{1}, std::size_t{2}, std::size_t{3}, std::size_t{10}, std::size_t{999},
                                    std::size_t{100'000}}) {
            for (const auto& sample :
                 stoa::test::latency_samples(n * 31 + config.significant_digits, n, config.highest_trackable)) {
                CAPTURE(config.lowest_discernible, config.highest_trackable, config.significant_digits, n, sample.name);
                log_histogram histogram = histogram_of(config);
                for (const std::uint64_t v : sample.values) histogram.record(v);
                CHECK(histogram.clamped() == 0);
                std::mt19937_64 rng(n);
                check_against_exact(histogram, sample.values, rng);
            }
        }
    }
}

TEST_CASE("hand-checked percentiles of 1..1000 at unit resolution", "[loadgen][metrics]") {
    log_histogram histogram = histogram_of({});
    for (std::uint64_t v = 1; v <= 1000; ++v) histogram.record(v);
    CHECK(histogram.percentile(50) == 500u);
    CHECK(histogram.percentile(99) == 990u);
    CHECK(histogram.percentile(99.9) == 999u);
    CHECK(histogram.percentile(100) == 1000u);
    CHECK(histogram.percentile(0) == 1u);
    CHECK(histogram.mean() == Approx(500.5));
}

TEST_CASE("recording a count is recording the value that many times", "[loadgen][metrics]") {
    log_histogram once = histogram_of({});
    log_histogram many = histogram_of({});
    for (int i = 0; i < 7; ++i) once.record(123'456);
    once.record(9);
    many.record(123'456, 7);
    many.record(9);
    many.record(1'000'000'000, 0);  // a zero count records nothing, not even an extreme
    CHECK(once == many);
    CHECK(many.max() == 123'456u);
}

TEST_CASE("an empty histogram has no percentile, extreme or mean", "[loadgen][metrics]") {
    const log_histogram histogram = histogram_of({});
    CHECK(histogram.empty());
    CHECK_FALSE(histogram.value_at_quantile(0.99).has_value());
    CHECK_FALSE(histogram.min().has_value());
    CHECK_FALSE(histogram.max().has_value());
    CHECK_FALSE(histogram.mean().has_value());
    CHECK(histogram.buckets().begin() == histogram.buckets().end());
}

TEST_CASE("values above the range are clamped, counted apart, and keep the exact max", "[loadgen][metrics]") {
    log_histogram histogram = histogram_of({1, 1'000'000, 3});
    histogram.record(500);
    histogram.record(2'000'000);
    histogram.record(7'000'000, 2);
    CHECK(histogram.count() == 4);
    CHECK(histogram.clamped() == 3);
    CHECK(histogram.max() == 7'000'000u);
    const histogram_layout& layout = histogram.layout();
    CHECK(histogram.count_at(layout.index_of(1'000'000)) == 3);
    // The top percentiles sit in highest_trackable's counter: a sign the range was too small.
    CHECK(layout.index_of(*histogram.percentile(99)) == layout.index_of(1'000'000));
    CHECK(histogram.percentile(0) == 500u);

    // Only clamped values: the minimum is above the range too.
    log_histogram above = histogram_of({1, 1'000'000, 3});
    above.record(5'000'000);
    CHECK(above.min() == 5'000'000u);
    CHECK(above.percentile(50) == 5'000'000u);
    CHECK(above.clamped() == 1);
}

TEST_CASE("merging histograms equals recording everything into one", "[loadgen][metrics]") {
    const histogram_config config{1, 3'600'000'000, 3};
    for (const auto& sample : stoa::test::latency_samples(4242, 50'000, config.highest_trackable)) {
        CAPTURE(sample.name);
        log_histogram all = histogram_of(config);
        std::vector<log_histogram> parts(5, histogram_of(config));
        std::mt19937_64 rng(17);
        for (const std::uint64_t v : sample.values) {
            all.record(v);
            parts[rng() % parts.size()].record(v);
        }
        // One part above the range, so clamped counts merge too.
        all.record(config.highest_trackable * 3);
        parts[2].record(config.highest_trackable * 3);
        log_histogram merged = histogram_of(config);
        for (const log_histogram& part : parts) REQUIRE(merged.merge(part).ok());
        CHECK(merged == all);
        CHECK(merged.clamped() == 1);
        CHECK(merged.percentile(99) == all.percentile(99));
    }
}

TEST_CASE("merging histograms of different configurations fails and changes nothing", "[loadgen][metrics]") {
    log_histogram a = histogram_of({1, 3'600'000'000, 3});
    const log_histogram b = histogram_of({1, 3'600'000'000, 2});
    a.record(42);
    const log_histogram before = a;
    const auto merged = a.merge(b);
    REQUIRE_FALSE(merged.ok());
    CHECK(merged.error().code == metrics_error_code::config_mismatch);
    CHECK(a == before);
}

TEST_CASE("a merge whose total would overflow fails and changes nothing", "[loadgen][metrics]") {
    log_histogram a = histogram_of({});
    log_histogram b = histogram_of({});
    a.record(10, std::uint64_t{1} << 63);
    b.record(20, std::uint64_t{1} << 63);
    const log_histogram before = a;
    const auto merged = a.merge(b);
    REQUIRE_FALSE(merged.ok());
    CHECK(merged.error().code == metrics_error_code::count_overflow);
    CHECK(a == before);
}

TEST_CASE("a reset histogram is empty and records like a new one", "[loadgen][metrics]") {
    log_histogram histogram = histogram_of({});
    histogram.record(5);
    histogram.record(5'000'000'000);
    histogram.reset();
    CHECK(histogram == histogram_of({}));
    std::size_t nonzero = 0;
    for (std::uint32_t i = 0; i < histogram.counts_length(); ++i) nonzero += histogram.count_at(i) != 0;
    CHECK(nonzero == 0);
    histogram.record(77);
    CHECK(histogram.percentile(50) == 77u);
}

TEST_CASE("latency is measured from the scheduled time, and a negative difference records 0", "[loadgen][metrics]") {
    log_histogram histogram = histogram_of({});
    histogram.record_from_schedule(stoa::from_micros(1'000), stoa::from_micros(21'000));
    histogram.record_from_schedule(stoa::from_micros(5'000), stoa::from_micros(4'000));
    CHECK(histogram.min() == 0u);
    CHECK(histogram.max() == 20'000u);
}

TEST_CASE("a snapshot rebuilds an equal histogram", "[loadgen][metrics]") {
    log_histogram histogram = histogram_of({1000, 3'600'000'000, 2});
    for (std::uint64_t v = 1; v < 5'000'000; v = v * 3 + 1) histogram.record(v, v % 5 + 1);
    histogram.record(4'000'000'000);
    const auto rebuilt = log_histogram::from_snapshot(histogram.snapshot());
    REQUIRE(rebuilt.ok());
    CHECK(*rebuilt == histogram);
    CHECK(rebuilt->snapshot() == histogram.snapshot());
}
