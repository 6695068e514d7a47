// A thread's (or a report's) metrics, and merging them by name, all-or-nothing.
#include "stoa/loadgen/metrics/metric_set.hpp"

#include <string>
#include <utility>

namespace stoa::loadgen::metrics {
namespace {

metrics_error mismatch(std::string detail) {
    return {metrics_error_code::config_mismatch, std::move(detail)};
}

}  // namespace

metric_set::metric_set(metric_catalog catalog, std::vector<log_histogram> histograms,
                       std::vector<std::uint64_t> counters, time_series series)
    : catalog_(std::move(catalog)),
      histograms_(std::move(histograms)),
      counters_(std::move(counters)),
      series_(std::move(series)) {}

result<metric_set, metrics_error> metric_set::make(const metric_catalog& catalog, time_point origin) {
    auto series = time_series::make(catalog.series(), origin);
    if (!series) return fail(std::move(series).error());
    std::vector<log_histogram> histograms;
    histograms.reserve(catalog.histograms().size());
    for (const histogram_entry& entry : catalog.histograms()) histograms.emplace_back(entry.layout);
    std::vector<std::uint64_t> counters(catalog.counters().size(), 0);
    return metric_set(catalog, std::move(histograms), std::move(counters), std::move(series).value());
}

result<metric_set, metrics_error> metric_set::from_parts(metric_catalog catalog, std::vector<log_histogram> histograms,
                                                         std::vector<std::uint64_t> counters, time_series series) {
    if (histograms.size() != catalog.histograms().size() || counters.size() != catalog.counters().size())
        return fail(metrics_error{metrics_error_code::inconsistent, "catalog and values differ in length"});
    for (std::size_t i = 0; i < histograms.size(); ++i) {
        if (!(histograms[i].layout() == catalog.histograms()[i].layout))
            return fail(mismatch("histograms." + catalog.histograms()[i].name));
    }
    if (!(series.config() == catalog.series())) return fail(mismatch("series"));
    return metric_set(std::move(catalog), std::move(histograms), std::move(counters), std::move(series));
}

status<metrics_error> metric_set::merge(const metric_set& other) {
    // Check everything first, so a failed merge leaves this set as it was.
    const auto& theirs = other.catalog_;
    if (theirs.histograms().size() != catalog_.histograms().size()) return fail(mismatch("histograms"));
    if (theirs.counters().size() != catalog_.counters().size()) return fail(mismatch("counters"));
    if (!(theirs.series().latency == catalog_.series().latency)) return fail(mismatch("series.latency"));

    std::vector<std::uint32_t> histogram_slot(theirs.histograms().size());
    for (std::size_t i = 0; i < theirs.histograms().size(); ++i) {
        const histogram_entry& entry = theirs.histograms()[i];
        const auto mine = catalog_.find_histogram(entry.name);
        if (!mine || !(catalog_.histograms()[mine->value].layout == entry.layout))
            return fail(mismatch("histograms." + entry.name));
        std::uint64_t total = 0;
        if (__builtin_add_overflow(histograms_[mine->value].count(), other.histograms_[i].count(), &total))
            return fail(metrics_error{metrics_error_code::count_overflow, "histograms." + entry.name});
        histogram_slot[i] = mine->value;
    }
    std::vector<std::uint32_t> counter_slot(theirs.counters().size());
    for (std::size_t i = 0; i < theirs.counters().size(); ++i) {
        const auto mine = catalog_.find_counter(theirs.counters()[i]);
        if (!mine) return fail(mismatch("counters." + theirs.counters()[i]));
        std::uint64_t sum = 0;
        if (__builtin_add_overflow(counters_[mine->value], other.counters_[i], &sum))
            return fail(metrics_error{metrics_error_code::count_overflow, "counters." + theirs.counters()[i]});
        counter_slot[i] = mine->value;
    }

    for (std::size_t i = 0; i < histogram_slot.size(); ++i) {
        // Checked above: equal layouts and no overflow, so this cannot fail.
        const auto merged = histograms_[histogram_slot[i]].merge(other.histograms_[i]);
        (void)merged;
    }
    for (std::size_t i = 0; i < counter_slot.size(); ++i) counters_[counter_slot[i]] += other.counters_[i];
    const auto merged_series = series_.merge(other.series_);
    (void)merged_series;
    return {};
}

result<metric_set, metrics_error> metric_set::merge_all(std::span<const metric_set> sets) {
    if (sets.empty()) return fail(metrics_error{metrics_error_code::invalid_config, "no metric sets to merge"});
    metric_set merged = sets.front();
    for (std::size_t i = 1; i < sets.size(); ++i) {
        if (auto status = merged.merge(sets[i]); !status)
            return fail(metrics_error{status.error().code, "set " + std::to_string(i) + ": " + status.error().detail});
    }
    return merged;
}

bool operator==(const metric_set& a, const metric_set& b) {
    const metric_catalog& ca = a.catalog_;
    const metric_catalog& cb = b.catalog_;
    if (ca.histograms().size() != cb.histograms().size() || ca.counters().size() != cb.counters().size()) return false;
    for (std::size_t i = 0; i < ca.histograms().size(); ++i) {
        const auto other = cb.find_histogram(ca.histograms()[i].name);
        if (!other || !(a.histograms_[i] == b.histograms_[other->value])) return false;
    }
    for (std::size_t i = 0; i < ca.counters().size(); ++i) {
        const auto other = cb.find_counter(ca.counters()[i]);
        if (!other || a.counters_[i] != b.counters_[other->value]) return false;
    }
    return ca.series() == cb.series() && a.series_ == b.series_;
}

}  // namespace stoa::loadgen::metrics
