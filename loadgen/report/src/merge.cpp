// `stoa-load merge`: the shards of one run become one report. The metrics merge exactly; the run
// fields are checked to belong to the same run and combined as the header documents.
#include <algorithm>
#include <limits>
#include <set>
#include <string>

#include "stoa/loadgen/report/load_report.hpp"

namespace stoa::loadgen {
namespace {

failure<report_error> incompatible(std::size_t index, std::string detail) {
    return fail(report_error{report_error_code::incompatible, "report " + std::to_string(index + 1) + ": " + detail});
}

// Sums the uint32 fields, refusing a total that does not fit (a host's report is untrusted).
bool add_to(std::uint32_t& total, std::uint32_t amount) {
    if (amount > std::numeric_limits<std::uint32_t>::max() - total) return false;
    total += amount;
    return true;
}

}  // namespace

result<load_report, report_error> merge_reports(std::span<const load_report> reports) {
    if (reports.empty()) return fail(report_error{report_error_code::incompatible, "no reports to merge"});
    const run_info& first = reports.front().run;
    run_info merged = first;
    std::set<std::uint32_t> shards(first.shards.begin(), first.shards.end());
    for (std::size_t i = 1; i < reports.size(); ++i) {
        const run_info& run = reports[i].run;
        if (run.scenario_name != first.scenario_name)
            return incompatible(i, "scenario \"" + run.scenario_name + "\", not \"" + first.scenario_name + "\"");
        if (run.seed != first.seed)
            return incompatible(i, "seed " + std::to_string(run.seed) + ", not " + std::to_string(first.seed));
        if (run.shard_count != first.shard_count)
            return incompatible(i,
                                std::to_string(run.shard_count) + " shards, not " + std::to_string(first.shard_count));
        for (const std::uint32_t shard : run.shards) {
            if (!shards.insert(shard).second)
                return incompatible(i, "shard " + std::to_string(shard) + " is in an earlier report too");
        }
        if (!add_to(merged.members_planned, run.members_planned))
            return incompatible(i, "members_planned sums past 2^32 - 1");
        if (!add_to(merged.threads, run.threads)) return incompatible(i, "threads sum past 2^32 - 1");
        // ISO 8601 UTC in one format compares as text; an empty time is unknown, not earliest.
        if (merged.started_utc.empty() || (!run.started_utc.empty() && run.started_utc < merged.started_utc))
            merged.started_utc = run.started_utc;
        merged.duration_seconds = std::max(merged.duration_seconds, run.duration_seconds);
    }
    merged.shards.assign(shards.begin(), shards.end());

    std::vector<metrics::metric_set> sets;
    sets.reserve(reports.size());
    for (const load_report& report : reports) sets.push_back(report.metrics);
    auto metrics = metrics::metric_set::merge_all(sets);
    if (!metrics) {
        const metrics::metrics_error& failed = metrics.error();
        // Different metrics (e.g. another build's error codes) mean different runs; an overflow
        // means a corrupt report.
        const auto code = failed.code == metrics::metrics_error_code::config_mismatch
                              ? report_error_code::incompatible
                              : report_error_code::invalid_metrics;
        return fail(
            report_error{code, "metrics: " + std::string(metrics::to_string(failed.code)) + ": " + failed.detail});
    }
    return load_report{std::move(merged), std::move(metrics).value()};
}

}  // namespace stoa::loadgen
