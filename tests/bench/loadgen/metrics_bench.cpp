// The cost of measuring: one record into a log-linear histogram (the hot path of every simulated
// member's every frame), through a metric set, into the per-second series, and the end-of-run
// operations (quantile, merge, JSON) for scale.
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "stoa/loadgen/metrics/log_histogram.hpp"
#include "stoa/loadgen/metrics/metric_set.hpp"
#include "stoa/loadgen/metrics/metrics_json.hpp"
#include "stoa/loadgen/metrics/time_series.hpp"

using namespace stoa::loadgen::metrics;

namespace {

constexpr std::size_t value_count = 4096;  // a power of two: the index wraps with a mask

// Latencies spread log-uniformly from 1 us to 10 s, so records touch many buckets.
std::vector<std::uint64_t> latencies() {
    std::mt19937_64 rng(1);
    std::uniform_real_distribution<double> exponent(0.0, std::log(10e6));
    std::vector<std::uint64_t> values(value_count);
    for (auto& v : values) v = static_cast<std::uint64_t>(std::exp(exponent(rng)));
    return values;
}

void BM_record(benchmark::State& state) {
    auto histogram = log_histogram::make({1, 3'600'000'000, static_cast<std::uint32_t>(state.range(0))}).value();
    const std::vector<std::uint64_t> values = latencies();
    std::size_t i = 0;
    for (auto _ : state) {
        histogram.record(values[i++ & (value_count - 1)]);
    }
    benchmark::DoNotOptimize(histogram.count());
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_record)->Arg(2)->Arg(3)->Arg(4);

void BM_record_same_value(benchmark::State& state) {
    auto histogram = log_histogram::make({}).value();
    std::uint64_t v = 20'000;
    for (auto _ : state) {
        benchmark::DoNotOptimize(v);
        histogram.record(v);
    }
    benchmark::DoNotOptimize(histogram.count());
}
BENCHMARK(BM_record_same_value);

void BM_record_from_schedule(benchmark::State& state) {
    auto histogram = log_histogram::make({}).value();
    const std::vector<std::uint64_t> values = latencies();
    std::int64_t scheduled = 0;
    std::size_t i = 0;
    for (auto _ : state) {
        scheduled += 20'000;
        const auto latency = static_cast<std::int64_t>(values[i++ & (value_count - 1)]);
        histogram.record_from_schedule(stoa::from_micros(scheduled), stoa::from_micros(scheduled + latency));
    }
    benchmark::DoNotOptimize(histogram.count());
}
BENCHMARK(BM_record_from_schedule);

void BM_metric_set_record(benchmark::State& state) {
    metric_catalog catalog;
    const histogram_id frame_latency = catalog.add_histogram("frame.latency", {}).value();
    const counter_id frames = catalog.add_counter("frames.received").value();
    metric_set set = metric_set::make(catalog, stoa::from_micros(0)).value();
    const std::vector<std::uint64_t> values = latencies();
    std::size_t i = 0;
    for (auto _ : state) {
        set.record(frame_latency, values[i++ & (value_count - 1)]);
        set.add(frames);
    }
    benchmark::DoNotOptimize(set.counter(frames));
}
BENCHMARK(BM_metric_set_record);

// One frame's worth of series bookkeeping: frames + latency, time advancing 20 us per frame, so
// a new second (flush of the open interval) every 50,000 frames is included in the average.
void BM_series_frame(benchmark::State& state) {
    time_series series = time_series::make({}, stoa::from_micros(0)).value();
    const std::vector<std::uint64_t> values = latencies();
    std::int64_t now = 0;
    std::size_t i = 0;
    for (auto _ : state) {
        now += 20;
        series.add_frames(stoa::from_micros(now));
        series.record_latency(stoa::from_micros(now), values[i++ & (value_count - 1)] % 1'000'000);
    }
    benchmark::DoNotOptimize(series.intervals().size());
}
BENCHMARK(BM_series_frame);

// A 1 s stall at a 20 ms expected interval: the value and 49 synthesized samples.
void BM_record_corrected_stall(benchmark::State& state) {
    auto histogram = log_histogram::make({}).value();
    for (auto _ : state) histogram.record_corrected(1'000'000, 20'000);
    benchmark::DoNotOptimize(histogram.count());
}
BENCHMARK(BM_record_corrected_stall);

void BM_percentile_99(benchmark::State& state) {
    auto histogram = log_histogram::make({}).value();
    for (const std::uint64_t v : latencies()) histogram.record(v);
    for (auto _ : state) benchmark::DoNotOptimize(histogram.percentile(99));
}
BENCHMARK(BM_percentile_99);

void BM_merge(benchmark::State& state) {
    auto into = log_histogram::make({}).value();
    auto from = log_histogram::make({}).value();
    for (const std::uint64_t v : latencies()) from.record(v);
    for (auto _ : state) benchmark::DoNotOptimize(into.merge(from).ok());
}
BENCHMARK(BM_merge);

}  // namespace

BENCHMARK_MAIN();
