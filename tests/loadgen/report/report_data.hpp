// Reports built from known recordings for the report tests: a catalog from make_catalog, a run
// description, and helpers that record into a set by metric name.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <catch2/catch.hpp>

#include "stoa/loadgen/report/load_report.hpp"
#include "stoa/loadgen/report/run_metrics.hpp"

namespace stoa::test {

inline constexpr std::array<std::string_view, 3> report_error_names{"room_full", "not_allowed", "rate_limited"};
inline const time_point report_origin = from_micros(1'000'000);

inline loadgen::metrics::metric_catalog report_catalog() {
    auto catalog = loadgen::run_metrics::make_catalog(report_error_names);
    REQUIRE(catalog.ok());
    return std::move(catalog).value();
}

inline loadgen::metrics::metric_set empty_set() {
    auto set = loadgen::metrics::metric_set::make(report_catalog(), report_origin);
    REQUIRE(set.ok());
    return std::move(set).value();
}

inline void record(loadgen::metrics::metric_set& set, std::string_view histogram, std::uint64_t micros,
                   std::uint64_t count = 1) {
    const auto id = set.catalog().find_histogram(histogram);
    REQUIRE(id.has_value());
    set.record(*id, micros, count);
}

inline void add(loadgen::metrics::metric_set& set, std::string_view counter, std::uint64_t amount) {
    const auto id = set.catalog().find_counter(counter);
    REQUIRE(id.has_value());
    set.add(*id, amount);
}

inline loadgen::threshold threshold_of(std::string_view text) {
    auto parsed = loadgen::parse_threshold(text);
    REQUIRE(parsed.ok());
    return std::move(parsed).value();
}

inline loadgen::run_info run_of(std::vector<std::uint32_t> shards = {1}, std::uint32_t shard_count = 1) {
    loadgen::run_info run;
    run.scenario_name = "join-storm";
    run.server = "ws://127.0.0.1:8080/rooms";
    run.seed = 42;
    run.shards = std::move(shards);
    run.shard_count = shard_count;
    run.members_planned = 500;
    run.threads = 2;
    run.started_utc = "2026-11-21T22:04:05Z";
    run.duration_seconds = 10.0;
    return run;
}

// A run with something in every field: latencies in every histogram but one (rekey stays empty),
// frames lost and late, errors by code, the generator's own figures, and a 12-second series.
inline loadgen::load_report full_report() {
    namespace names = loadgen::run_metrics;
    loadgen::metrics::metric_set set = empty_set();
    for (std::uint64_t i = 1; i <= 200; ++i) {
        record(set, names::connect, 800 + i * 13);
        record(set, names::join, 20'000 + i * i * 7);
        record(set, names::first_key, 40'000 + i * 100);
        record(set, names::first_audio, 60'000 + i * 150);
        record(set, names::frame_latency, 15'000 + (i % 17) * 900, 50);
    }
    record(set, names::playout_gap, 60'000, 3);
    record(set, names::reconnect, 1'500'000);
    add(set, names::connects, 210);
    add(set, names::joins, 200);
    add(set, names::frames_expected, 100'000);
    add(set, names::frames_received, 99'950);
    add(set, names::frames_lost, 50);
    add(set, names::frames_late, 200);
    add(set, names::errors, 7);
    add(set, "errors.room_full", 5);
    add(set, names::errors_other, 2);
    add(set, names::generator_cpu_us, 2'500'000);
    add(set, names::generator_max_rss, 100'000'000);
    add(set, names::generator_members, 500);
    auto& series = set.series();
    for (std::int64_t second = 0; second < 12; ++second) {
        const time_point now = report_origin + std::chrono::seconds(second) + std::chrono::milliseconds(500);
        series.set_connected(now, static_cast<std::uint64_t>(std::min<std::int64_t>(second * 50, 500)));
        series.add_frames(now, static_cast<std::uint64_t>(second * 1000));
        if (second == 4) series.add_errors(now, 7);
        if (second > 0) {
            for (std::uint64_t k = 0; k < 20; ++k) series.record_latency(now, 10'000 + k * 1000 * second);
        }
    }
    loadgen::run_info run = run_of();
    run.thresholds = {threshold_of("join.p99<1s"), threshold_of("frames.loss<0.1%"),
                      threshold_of("decrypt.failures==0")};
    return {std::move(run), std::move(set)};
}

}  // namespace stoa::test
