// Everything one worker thread measures: its own histograms, counters and time series, recorded
// without locks or atomics. At the end of the run the threads are joined and their sets merged
// exactly into the report's set; reports from several generator hosts merge the same way.
#pragma once

#include <cassert>
#include <cstdint>
#include <span>
#include <vector>

#include "stoa/common/result.hpp"
#include "stoa/common/time.hpp"
#include "stoa/loadgen/metrics/log_histogram.hpp"
#include "stoa/loadgen/metrics/metric_catalog.hpp"
#include "stoa/loadgen/metrics/metrics_error.hpp"
#include "stoa/loadgen/metrics/time_series.hpp"

namespace stoa::loadgen::metrics {

class metric_set {
public:
    // The catalog's series configuration must be valid (make() reports it otherwise).
    [[nodiscard]] static result<metric_set, metrics_error> make(const metric_catalog& catalog, time_point origin);
    // Builds a set from a catalog and values already checked against it (a parsed report).
    [[nodiscard]] static result<metric_set, metrics_error> from_parts(metric_catalog catalog,
                                                                      std::vector<log_histogram> histograms,
                                                                      std::vector<std::uint64_t> counters,
                                                                      time_series series);

    // The hot path: O(1), no allocation, no synchronisation. Ids come from this set's catalog
    // (checked in debug builds only).
    void record(histogram_id id, std::uint64_t value, std::uint64_t count = 1) noexcept {
        assert(id.value < histograms_.size());
        histograms_[id.value].record(value, count);
    }
    void record_from_schedule(histogram_id id, time_point scheduled, time_point actual) noexcept {
        assert(id.value < histograms_.size());
        histograms_[id.value].record_from_schedule(scheduled, actual);
    }
    void record_corrected(histogram_id id, std::uint64_t value, std::uint64_t expected_interval) noexcept {
        assert(id.value < histograms_.size());
        histograms_[id.value].record_corrected(value, expected_interval);
    }
    void add(counter_id id, std::uint64_t amount = 1) noexcept {
        assert(id.value < counters_.size());
        counters_[id.value] += amount;
    }
    [[nodiscard]] time_series& series() noexcept { return series_; }

    [[nodiscard]] const metric_catalog& catalog() const noexcept { return catalog_; }
    [[nodiscard]] const log_histogram& histogram(histogram_id id) const noexcept { return histograms_[id.value]; }
    [[nodiscard]] std::uint64_t counter(counter_id id) const noexcept { return counters_[id.value]; }
    [[nodiscard]] const time_series& series() const noexcept { return series_; }

    // Adds another set's values, matching metrics by name, so sets whose catalogs list the same
    // metrics in another order (a parsed report) merge too. Fails, changing nothing, unless both
    // name the same histograms (with equal configurations), the same counters and equal series
    // latency configurations, or if a count would overflow.
    [[nodiscard]] status<metrics_error> merge(const metric_set& other);

    // Merges every set into a copy of the first (threads joined, or parsed host reports).
    [[nodiscard]] static result<metric_set, metrics_error> merge_all(std::span<const metric_set> sets);

    // Same metrics by name with equal values; catalog order and the series' origin do not matter.
    friend bool operator==(const metric_set& a, const metric_set& b);

private:
    metric_set(metric_catalog catalog, std::vector<log_histogram> histograms, std::vector<std::uint64_t> counters,
               time_series series);

    metric_catalog catalog_;
    std::vector<log_histogram> histograms_;
    std::vector<std::uint64_t> counters_;
    time_series series_;
};

}  // namespace stoa::loadgen::metrics
