// The per-second series: what lands in which second, gauges carried over quiet seconds, the
// pairwise coarsening that bounds memory, and merging threads' series.
#include <catch2/catch.hpp>

#include <chrono>
#include <random>

#include "stoa/loadgen/metrics/time_series.hpp"

using namespace stoa::loadgen::metrics;
using std::chrono::microseconds;
using std::chrono::milliseconds;
using std::chrono::seconds;

namespace {

const stoa::time_point origin = stoa::from_micros(7'000'000);  // any clock's start

time_series series_of(std::size_t max_intervals = 1024) {
    auto series = time_series::make({histogram_config{1, 60'000'000, 2}, max_intervals}, origin);
    REQUIRE(series.ok());
    return std::move(series).value();
}

}  // namespace

TEST_CASE("events land in the second they happen in", "[loadgen][metrics][series]") {
    time_series series = series_of();
    series.set_connected(origin, 10);
    series.add_frames(origin + milliseconds(10), 50);
    series.record_latency(origin + milliseconds(20), 20'000);
    series.record_latency(origin + milliseconds(999), 40'000);
    series.add_errors(origin + seconds(1), 2);  // the first microsecond of second 1
    series.set_connected(origin + milliseconds(1'500), 12);
    series.record_latency(origin + milliseconds(1'999), 1'000);
    series.flush();

    REQUIRE(series.intervals().size() == 2);
    CHECK(series.interval_seconds() == 1);
    const series_interval& first = series.intervals()[0];
    CHECK(first.connected == 10);
    CHECK(first.frames == 50);
    CHECK(first.errors == 0);
    CHECK(total_count(first.latency) == 2);
    // At 2 digits 20,000 and 40,000 share counters with their neighbours: compare counters.
    const histogram_layout& layout = series.latency_layout();
    CHECK(layout.index_of(*series.latency_at_quantile(0, 0.5)) == layout.index_of(20'000));
    CHECK(layout.index_of(*series.latency_at_quantile(0, 0.99)) == layout.index_of(40'000));
    const series_interval& second = series.intervals()[1];
    CHECK(second.connected == 12);
    CHECK(second.errors == 2);
    CHECK(layout.index_of(*series.latency_at_quantile(1, 0.5)) == layout.index_of(1'000));
    CHECK_FALSE(series.latency_at_quantile(2, 0.5).has_value());
}

TEST_CASE("quiet seconds get intervals that carry the connected gauge forward", "[loadgen][metrics][series]") {
    time_series series = series_of();
    series.set_connected(origin + milliseconds(500), 100);
    series.add_frames(origin + seconds(4), 3);
    series.advance_to(origin + milliseconds(6'200));
    series.flush();
    REQUIRE(series.intervals().size() == 7);
    for (const series_interval& interval : series.intervals()) CHECK(interval.connected == 100);
    CHECK(series.intervals()[4].frames == 3);
    CHECK(series.intervals()[6].frames == 0);
}

TEST_CASE("time only moves forward: late or early stamps count in the open interval", "[loadgen][metrics][series]") {
    time_series series = series_of();
    series.add_frames(origin - seconds(5), 1);  // before the origin: the first second
    series.add_frames(origin + seconds(3), 1);
    series.add_frames(origin + seconds(1), 1);  // stamped in the past: counted now, in second 3
    series.flush();
    REQUIRE(series.intervals().size() == 4);
    CHECK(series.intervals()[0].frames == 1);
    CHECK(series.intervals()[1].frames == 0);
    CHECK(series.intervals()[3].frames == 2);
}

TEST_CASE("at capacity, intervals merge pairwise and the width doubles, keeping the whole run",
          "[loadgen][metrics][series]") {
    time_series series = series_of(8);
    // One frame per second for 100 s, connected = the second's number, latency = 100 + second (exact at 2 digits).
    for (std::int64_t s = 0; s < 100; ++s) {
        const auto now = origin + seconds(s) + milliseconds(300);
        series.add_frames(now, 1);
        series.set_connected(now, static_cast<std::uint64_t>(s));
        series.record_latency(now, 100 + static_cast<std::uint64_t>(s));
        CHECK(series.intervals().size() <= 8);
    }
    series.flush();
    // 100 s fits 8 intervals at 16 s: [0,16) .. [96,112).
    CHECK(series.interval_seconds() == 16);
    REQUIRE(series.intervals().size() == 7);
    std::uint64_t frames = 0;
    for (std::size_t i = 0; i < series.intervals().size(); ++i) {
        const series_interval& interval = series.intervals()[i];
        frames += interval.frames;
        CHECK(total_count(interval.latency) == interval.frames);
        // The gauge is the value at the end of the interval (or the last set, for the open one).
        CHECK(interval.connected == std::min<std::uint64_t>(16 * i + 15, 99));
    }
    CHECK(frames == 100);
    CHECK(series.intervals()[0].frames == 16);
    CHECK(series.intervals()[6].frames == 4);
    CHECK(series.latency_at_quantile(0, 0.0) == 100u);
    CHECK(series.latency_at_quantile(0, 1.0) == 115u);
}

TEST_CASE("a jump of years is absorbed by coarsening, not by allocating every second", "[loadgen][metrics][series]") {
    time_series series = series_of(16);
    series.add_frames(origin, 1);
    series.add_frames(origin + seconds(100'000'000), 1);  // three years later
    series.flush();
    CHECK(series.intervals().size() <= 16);
    CHECK(series.interval_seconds() >= 100'000'000 / 16);
    CHECK(series.intervals().front().frames == 1);
    CHECK(series.intervals().back().frames == 1);
}

TEST_CASE("merged threads' series equal one series that saw every event", "[loadgen][metrics][series]") {
    // Three threads, each with its own members; the combined gauge is their sum.
    std::vector<time_series> threads(3, series_of(32));
    time_series together = series_of(32);
    std::mt19937_64 rng(3);
    for (std::int64_t ms = 0; ms < 90'000; ms += 37) {
        const auto now = origin + milliseconds(ms);
        std::uint64_t connected_total = 0;
        for (std::size_t t = 0; t < threads.size(); ++t) {
            const std::uint64_t connected = (static_cast<std::uint64_t>(ms) / 1000 + t * 7) % 50;
            const std::uint64_t latency = 1'000 + rng() % 200'000;
            threads[t].set_connected(now, connected);
            threads[t].add_frames(now, 2);
            threads[t].record_latency(now, latency);
            if (rng() % 10 == 0) {
                threads[t].add_errors(now);
                together.add_errors(now);
            }
            together.add_frames(now, 2);
            together.record_latency(now, latency);
            connected_total += connected;
        }
        together.set_connected(now, connected_total);
    }
    time_series merged = threads[0];
    REQUIRE(merged.merge(threads[1]).ok());
    REQUIRE(merged.merge(threads[2]).ok());
    CHECK(merged.interval_seconds() == 4);  // 90 s in at most 32 intervals
    CHECK(merged == together);
}

TEST_CASE("merging series of different widths widens the narrower one first", "[loadgen][metrics][series]") {
    time_series long_run = series_of(4);
    time_series short_run = series_of(4);
    for (std::int64_t s = 0; s < 10; ++s) long_run.add_frames(origin + seconds(s), 1);   // width 4 by the end
    for (std::int64_t s = 0; s < 3; ++s) short_run.add_frames(origin + seconds(s), 10);  // width 1
    REQUIRE(short_run.merge(long_run).ok());
    CHECK(short_run.interval_seconds() == 4);
    REQUIRE(short_run.intervals().size() == 3);
    CHECK(short_run.intervals()[0].frames == 34);  // seconds 0-3: 4 from the long run, 30 from the short
    CHECK(short_run.intervals()[1].frames == 4);
    CHECK(short_run.intervals()[2].frames == 2);
}

TEST_CASE("series with different latency configurations do not merge", "[loadgen][metrics][series]") {
    time_series a = series_of();
    const auto b = time_series::make({histogram_config{1, 60'000'000, 3}, 1024}, origin);
    REQUIRE(b.ok());
    a.add_frames(origin, 1);
    const time_series before = a;
    const auto merged = a.merge(*b);
    REQUIRE_FALSE(merged.ok());
    CHECK(merged.error().code == metrics_error_code::config_mismatch);
    CHECK(a == before);
}

TEST_CASE("a series configuration outside the limits is refused", "[loadgen][metrics][series]") {
    CHECK(time_series::make({histogram_config{}, 1}, origin).error().code == metrics_error_code::invalid_config);
    CHECK(time_series::make({histogram_config{}, 70'000}, origin).error().code == metrics_error_code::invalid_config);
    CHECK(time_series::make({histogram_config{1, 60'000'000, 9}, 1024}, origin).error().code ==
          metrics_error_code::invalid_config);
}
