// Coordinated omission: a stalled measurement loop must not hide its stall. Hand-computed
// examples of measuring from the schedule and of the expected-interval correction, and the
// correction's bucket-at-a-time shortcut against the sample-at-a-time definition.
#include <catch2/catch.hpp>

#include <random>
#include <vector>

#include "stoa/loadgen/metrics/log_histogram.hpp"

using namespace stoa::loadgen::metrics;

namespace {

log_histogram histogram_of(const histogram_config& config) {
    auto histogram = log_histogram::make(config);
    REQUIRE(histogram.ok());
    return std::move(histogram).value();
}

// HdrHistogram's recordValueWithExpectedInterval, one sample at a time.
void record_corrected_naively(log_histogram& histogram, std::uint64_t value, std::uint64_t interval) {
    histogram.record(value);
    if (interval == 0 || value <= interval) return;
    for (std::uint64_t missing = value - interval; missing >= interval; missing -= interval) histogram.record(missing);
}

}  // namespace

TEST_CASE("the expected-interval correction, worked by hand", "[loadgen][metrics][coordinated-omission]") {
    // A closed loop samples every 100 us: 100 samples of 10 us, then one that stalls 1,000 us.
    // Uncorrected, the stall is one sample in 101 and p99 says 10 us.
    log_histogram plain = histogram_of({});
    log_histogram corrected = histogram_of({});
    for (int i = 0; i < 100; ++i) {
        plain.record(10);
        corrected.record_corrected(10, 100);
    }
    plain.record(1'000);
    corrected.record_corrected(1'000, 100);
    CHECK(plain.count() == 101);
    CHECK(plain.percentile(99) == 10u);  // rank ceil(0.99 * 101) = 100: still a fast sample

    // Corrected, the stall also stands for the 9 samples it kept from being taken:
    // 900, 800, ..., 100 us. Sorted: 100 x 10, then 100, 200, ..., 1000 (ranks 101..110).
    CHECK(corrected.count() == 110);
    CHECK(corrected.percentile(90) == 10u);   // rank 99
    CHECK(corrected.percentile(95) == 500u);  // rank ceil(104.5) = 105: the 5th of 100..1000
    CHECK(corrected.percentile(99) == 900u);  // rank ceil(108.9) = 109
    CHECK(corrected.percentile(100) == 1000u);
    const std::uint64_t expected_counts[] = {100, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
    const std::uint64_t expected_values[] = {10, 100, 200, 300, 400, 500, 600, 700, 800, 900, 1000};
    std::size_t i = 0;
    for (const bucket_view bucket : corrected.buckets()) {
        REQUIRE(i < 11);
        CHECK(bucket.lowest == expected_values[i]);
        CHECK(bucket.count == expected_counts[i]);
        ++i;
    }
    CHECK(i == 11);
}

TEST_CASE("measured from the schedule, a stall shows in every request it delayed",
          "[loadgen][metrics][coordinated-omission]") {
    // An open-loop schedule: request k is due at 100 k us and takes 10 us, one at a time. Request
    // 50 stalls for 1,000 us (5,000 to 6,000), so requests 51..60 wait behind it:
    // 51 completes at 6,010 (910 us after it was due), 52 at 6,020 (820), ..., 59 at 6,090 (190),
    // 60 at 6,100 (100); from 61 on the server is idle again (10 us each).
    log_histogram from_schedule = histogram_of({});
    log_histogram from_send = histogram_of({});  // measured from when the request actually went out
    std::uint64_t server_free_at = 0;
    for (std::uint64_t k = 0; k < 100; ++k) {
        const std::uint64_t due = 100 * k;
        const std::uint64_t start = std::max(due, server_free_at);
        const std::uint64_t done = start + (k == 50 ? 1'000 : 10);
        server_free_at = done;
        from_schedule.record_from_schedule(stoa::from_micros(static_cast<std::int64_t>(due)),
                                           stoa::from_micros(static_cast<std::int64_t>(done)));
        from_send.record(done - start);
    }
    const std::vector<std::uint64_t> delayed = {1000, 910, 820, 730, 640, 550, 460, 370, 280, 190, 100};
    std::vector<std::uint64_t> seen;
    for (const bucket_view bucket : from_schedule.buckets()) {
        if (bucket.lowest > 10) seen.insert(seen.begin(), bucket.lowest);
    }
    CHECK(seen == delayed);
    CHECK(from_schedule.count_at(from_schedule.layout().index_of(10)) == 89);
    // p95 is rank 95: the 6th slowest of 100, 550 us. Measured from the send time it is 10 us.
    CHECK(from_schedule.percentile(95) == 550u);
    CHECK(from_send.percentile(95) == 10u);
    CHECK(from_send.percentile(99) == 10u);
}

TEST_CASE("the correction equals recording the missing samples one by one",
          "[loadgen][metrics][coordinated-omission]") {
    const histogram_config configs[] = {{1, 3'600'000'000, 3}, {1, 1'000'000, 2}, {1000, 100'000'000, 1}};
    std::mt19937_64 rng(2024);
    for (const histogram_config& config : configs) {
        CAPTURE(config.lowest_discernible, config.highest_trackable, config.significant_digits);
        log_histogram fast = histogram_of(config);
        log_histogram naive = histogram_of(config);
        for (int i = 0; i < 3'000; ++i) {
            // Intervals from 1 us to 100 ms; values up to 4,000 intervals, some past the range.
            const std::uint64_t interval = 1 + rng() % (rng() % 2 ? 100 : 100'000);
            const std::uint64_t value = rng() % (interval * (1 + rng() % 4'000) + 1);
            fast.record_corrected(value, interval);
            record_corrected_naively(naive, value, interval);
        }
        fast.record_corrected(5, 0);  // no interval: just the value
        record_corrected_naively(naive, 5, 0);
        CHECK(fast.clamped() == naive.clamped());
        CHECK(fast == naive);
    }
}
