// Per-thread recording merged at the end: the catalog, the recorder each thread owns, and exact
// merges, including four real threads recording at once.
#include <catch2/catch.hpp>

#include <chrono>
#include <random>
#include <thread>
#include <vector>

#include "stoa/loadgen/metrics/metric_set.hpp"

using namespace stoa::loadgen::metrics;
using std::chrono::microseconds;

namespace {

const stoa::time_point origin = stoa::from_micros(1'000'000'000);

struct run_metrics {
    metric_catalog catalog{time_series_config{histogram_config{1, 60'000'000, 2}, 64}};
    histogram_id join;
    histogram_id frame_latency;
    counter_id frames_received;
    counter_id decrypt_failures;

    run_metrics() {
        join = catalog.add_histogram("join", histogram_config{1, 3'600'000'000, 3}).value();
        frame_latency = catalog.add_histogram("frame.latency", histogram_config{1, 60'000'000, 3}).value();
        frames_received = catalog.add_counter("frames.received").value();
        decrypt_failures = catalog.add_counter("decrypt_failures").value();
    }
};

metric_set set_of(const metric_catalog& catalog) {
    auto set = metric_set::make(catalog, origin);
    REQUIRE(set.ok());
    return std::move(set).value();
}

// What one worker thread measures in a simulated 30 s run; deterministic per thread.
void simulate_worker(metric_set& set, const run_metrics& ids, std::uint64_t thread_index) {
    std::mt19937_64 rng(1000 + thread_index);
    std::lognormal_distribution<double> join_latency(std::log(150'000.0), 0.8);
    std::exponential_distribution<double> frame_latency(1.0 / 30'000.0);
    for (std::int64_t step = 0; step < 30'000; ++step) {  // one step per millisecond
        const auto now = origin + std::chrono::milliseconds(step);
        if (step % 100 == 0) {
            set.record(ids.join, static_cast<std::uint64_t>(join_latency(rng)));
            set.series().set_connected(now, thread_index * 1000 + static_cast<std::uint64_t>(step) / 100);
        }
        const auto scheduled = now - microseconds(static_cast<std::int64_t>(frame_latency(rng)));
        set.record_from_schedule(ids.frame_latency, scheduled, now);
        set.add(ids.frames_received);
        set.series().add_frames(now);
        set.series().record_latency(now, static_cast<std::uint64_t>((now - scheduled).count()));
        if (rng() % 1000 == 0) {
            set.add(ids.decrypt_failures);
            set.series().add_errors(now);
        }
    }
}

}  // namespace

TEST_CASE("the catalog refuses bad, duplicate and too many names, and bad configurations", "[loadgen][metrics]") {
    metric_catalog catalog;
    CHECK(catalog.add_histogram("join", {}).ok());
    CHECK(catalog.add_histogram("join", {}).error().code == metrics_error_code::duplicate_name);
    CHECK(catalog.add_counter("join").error().code == metrics_error_code::duplicate_name);
    CHECK(catalog.add_counter("").error().code == metrics_error_code::invalid_name);
    CHECK(catalog.add_counter("Join").error().code == metrics_error_code::invalid_name);
    CHECK(catalog.add_counter("join p99").error().code == metrics_error_code::invalid_name);
    CHECK(catalog.add_counter(std::string(65, 'a')).error().code == metrics_error_code::invalid_name);
    CHECK(catalog.add_counter(std::string(64, 'a')).ok());
    CHECK(catalog.add_histogram("bad", {1, 3'600'000'000, 0}).error().code == metrics_error_code::invalid_config);
    for (int i = 0; i < 254; ++i) REQUIRE(catalog.add_counter("c" + std::to_string(i)).ok());
    CHECK(catalog.add_counter("one-too-many").error().code == metrics_error_code::too_large);
    CHECK(catalog.find_histogram("join").has_value());
    CHECK_FALSE(catalog.find_histogram("c0").has_value());
    CHECK(catalog.find_counter("c0").has_value());
}

TEST_CASE("four threads' metric sets merge to exactly what one thread recording everything sees",
          "[loadgen][metrics]") {
    const run_metrics ids;
    constexpr std::uint64_t thread_count = 4;

    // Each worker owns its set: no locks, no atomics, nothing shared while recording.
    std::vector<metric_set> per_thread;
    for (std::uint64_t t = 0; t < thread_count; ++t) per_thread.push_back(set_of(ids.catalog));
    std::vector<std::thread> workers;
    for (std::uint64_t t = 0; t < thread_count; ++t)
        workers.emplace_back([&per_thread, &ids, t] { simulate_worker(per_thread[t], ids, t); });
    for (std::thread& worker : workers) worker.join();
    for (metric_set& set : per_thread) set.series().advance_to(origin + std::chrono::seconds(30));
    const auto merged = metric_set::merge_all(per_thread);
    REQUIRE(merged.ok());

    // The same work recorded by one thread into per-worker sets merges to the same report.
    std::vector<metric_set> sequential;
    for (std::uint64_t t = 0; t < thread_count; ++t) {
        sequential.push_back(set_of(ids.catalog));
        simulate_worker(sequential.back(), ids, t);
        sequential.back().series().advance_to(origin + std::chrono::seconds(30));
    }
    const auto merged_sequentially = metric_set::merge_all(sequential);
    REQUIRE(merged_sequentially.ok());
    CHECK(*merged == *merged_sequentially);

    // And one set recording all four workers' values has exactly the merged histograms and
    // counters. (Its series cannot compare: one gauge overwritten by four workers in turn.)
    metric_set single = set_of(ids.catalog);
    for (std::uint64_t t = 0; t < thread_count; ++t) simulate_worker(single, ids, t);
    CHECK(single.histogram(ids.join) == merged->histogram(ids.join));
    CHECK(single.histogram(ids.frame_latency) == merged->histogram(ids.frame_latency));
    CHECK(single.counter(ids.frames_received) == merged->counter(ids.frames_received));
    CHECK(single.counter(ids.decrypt_failures) == merged->counter(ids.decrypt_failures));
    CHECK(merged->counter(ids.frames_received) == 4 * 30'000);
    CHECK(merged->histogram(ids.join).count() == 4 * 300);

    // The merged series: 30 s in 64 intervals of 1 s (plus the second the run ends in), every
    // second with 4 x 1000 frames and the four threads' connected gauges summed.
    const time_series& series = merged->series();
    CHECK(series.interval_seconds() == 1);
    REQUIRE(series.intervals().size() == 31);
    for (std::size_t s = 0; s < 30; ++s) {
        CHECK(series.intervals()[s].frames == 4000);
        CHECK(series.intervals()[s].connected == 6000 + 4 * (10 * s + 9));
        CHECK(total_count(series.intervals()[s].latency) == 4000);
    }
}

TEST_CASE("recording values one by one equals merging per-thread sets", "[loadgen][metrics]") {
    const run_metrics ids;
    metric_set single = set_of(ids.catalog);
    std::vector<metric_set> parts(4, set_of(ids.catalog));
    std::mt19937_64 rng(77);
    for (int i = 0; i < 100'000; ++i) {
        const std::uint64_t v = rng() % (std::uint64_t{1} << (rng() % 32));
        const std::size_t part = rng() % parts.size();
        single.record(ids.join, v);
        parts[part].record(ids.join, v);
        single.add(ids.frames_received, 3);
        parts[part].add(ids.frames_received, 3);
    }
    const auto merged = metric_set::merge_all(parts);
    REQUIRE(merged.ok());
    CHECK(*merged == single);
}

TEST_CASE("sets with different catalogs do not merge, and a failed merge changes nothing", "[loadgen][metrics]") {
    const run_metrics ids;
    metric_set a = set_of(ids.catalog);
    a.record(ids.join, 5);
    const metric_set before = a;

    metric_catalog other_config{ids.catalog.series()};
    (void)other_config.add_histogram("join", histogram_config{1, 3'600'000'000, 2});
    (void)other_config.add_histogram("frame.latency", histogram_config{1, 60'000'000, 3});
    (void)other_config.add_counter("frames.received");
    (void)other_config.add_counter("decrypt_failures");
    metric_set b = set_of(other_config);
    b.record(histogram_id{1}, 9);
    auto merged = a.merge(b);
    REQUIRE_FALSE(merged.ok());
    CHECK(merged.error().code == metrics_error_code::config_mismatch);
    CHECK(merged.error().detail == "histograms.join");
    CHECK(a == before);

    metric_catalog missing_counter{ids.catalog.series()};
    (void)missing_counter.add_histogram("join", histogram_config{1, 3'600'000'000, 3});
    (void)missing_counter.add_histogram("frame.latency", histogram_config{1, 60'000'000, 3});
    (void)missing_counter.add_counter("frames.received");
    (void)missing_counter.add_counter("frames.lost");
    merged = a.merge(set_of(missing_counter));
    REQUIRE_FALSE(merged.ok());
    CHECK(merged.error().detail == "counters.frames.lost");
    CHECK(a == before);

    CHECK_FALSE(metric_set::merge_all({}).ok());
}

TEST_CASE("sets whose catalogs list the metrics in another order merge by name", "[loadgen][metrics]") {
    const run_metrics ids;
    metric_catalog reversed{ids.catalog.series()};
    const histogram_id frame_latency = reversed.add_histogram("frame.latency", {1, 60'000'000, 3}).value();
    const histogram_id join = reversed.add_histogram("join", {1, 3'600'000'000, 3}).value();
    const counter_id failures = reversed.add_counter("decrypt_failures").value();
    (void)reversed.add_counter("frames.received");

    metric_set a = set_of(ids.catalog);
    metric_set b = set_of(reversed);
    a.record(ids.join, 100);
    b.record(join, 200);
    b.record(frame_latency, 3);
    b.add(failures, 2);
    REQUIRE(a.merge(b).ok());
    CHECK(a.histogram(ids.join).count() == 2);
    CHECK(a.histogram(ids.join).max() == 200u);
    CHECK(a.histogram(ids.frame_latency).count() == 1);
    CHECK(a.counter(ids.decrypt_failures) == 2);
    CHECK(a.counter(ids.frames_received) == 0);
}
