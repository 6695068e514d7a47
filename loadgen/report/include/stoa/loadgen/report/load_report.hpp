// A stoa-load report: what was run (run_info) and everything measured (a metric_set in the
// run_metrics catalog). One host writes one; `stoa-load merge` combines the reports of several
// shards exactly. The JSON form is documented in docs/loadgen.md, "Report".
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "stoa/common/result.hpp"
#include "stoa/loadgen/metrics/metric_set.hpp"
#include "stoa/loadgen/metrics/metrics_json.hpp"
#include "stoa/loadgen/metrics/metrics_error.hpp"
#include "stoa/loadgen/scenario/threshold.hpp"

namespace stoa::loadgen {

inline constexpr std::string_view report_format_name = "stoa-load-report";
inline constexpr std::uint64_t report_format_version = 1;

struct run_info {
    std::string scenario_name;
    std::string server;                 // the relay's URL as text
    std::uint64_t seed = 0;
    std::vector<std::uint32_t> shards;  // 1-based shard indexes this report covers, ascending
    std::uint32_t shard_count = 1;      // N of --shard i/N
    std::uint32_t members_planned = 0;  // members of the covered shards
    std::uint32_t threads = 1;          // worker threads, summed over merged hosts
    // ISO 8601 UTC as "2026-11-21T22:04:05Z" (a fraction of a second allowed), or empty when
    // unknown; the reader refuses other forms so that merging can take the earliest as text.
    std::string started_utc;            // earliest when merged
    double duration_seconds = 0.0;      // wall time of the run (longest when merged)
    std::vector<threshold> thresholds;  // as given; evaluated on the metrics, never stored as pass/fail

    friend bool operator==(const run_info&, const run_info&) = default;
};

struct load_report {
    run_info run;
    metrics::metric_set metrics;

    friend bool operator==(const load_report&, const load_report&) = default;
};

// One figure derived from the metrics, addressable by --assert: "join.p99" (seconds),
// "frames.loss" (a ratio), "decrypt.failures" (a count).
struct summary_value {
    std::string path;
    double value = 0.0;          // in the unit's base: seconds, fraction, bytes, per second, or a count
    threshold_unit unit = threshold_unit::none;

    friend bool operator==(const summary_value&, const summary_value&) = default;
};

// Every figure of a report, in a stable order:
// - each histogram H (microseconds): H.count, H.min, H.p50, H.p90, H.p99, H.p999, H.max, H.mean in
//   seconds; an empty histogram contributes only H.count = 0;
// - each counter C: C (a count);
// - derived: frames.loss = lost / expected, frames.late_ratio = late / expected (ratios; absent when
//   nothing was expected), playout.gap_max = max gap in seconds (0 when decoders heard no gap),
//   errors.count = the errors counter, generator.cpu_seconds, generator.cpu_per_member_seconds,
//   generator.rss_per_member (bytes), frames.per_second (received / duration), frames.loss.probe,
//   generator.saturated (0 or 1), generator.busy_share, tls.handshake_share_of_join.
[[nodiscard]] std::vector<summary_value> summarize(const load_report& report);
[[nodiscard]] const summary_value* find_value(std::span<const summary_value> summary, std::string_view path) noexcept;

struct threshold_result {
    std::string text;               // the threshold as written
    std::optional<double> measured; // nullopt: the path names no figure (it then fails)
    bool passed = false;
    std::string problem;            // why it failed to apply: unknown metric, unit mismatch; empty otherwise
};

// Each of the report's thresholds against its summary. A unit that does not suit the figure
// (a "%" on a latency, "ms" on a count) fails with a problem stated. A plain number against a
// ratio figure is taken as a fraction.
[[nodiscard]] std::vector<threshold_result> check_thresholds(const load_report& report,
                                                             std::span<const summary_value> summary);

enum class report_error_code : std::uint8_t {
    invalid_json,         // not JSON, too large, too deep
    wrong_format,         // not a stoa-load report, or an unknown version
    invalid_field,        // a run field missing, of the wrong type, or out of range (detail names it)
    invalid_metrics,      // the metrics member failed (detail carries the metrics_error)
    incompatible,         // merging reports of different scenarios, seeds, shard counts, or overlapping shards
};

[[nodiscard]] std::string_view to_string(report_error_code code) noexcept;

struct report_error {
    report_error_code code{};
    std::string detail;

    friend bool operator==(const report_error&, const report_error&) = default;
};

// {"format":"stoa-load-report","version":1,"run":{...},"summary":{path: value, ...},
//  "thresholds":[{"text","measured","passed","problem"}],"metrics":<metrics_json>}
// "summary" and "thresholds" are written for readers; reading ignores them and recomputes.
[[nodiscard]] std::string to_json_text(const load_report& report);
[[nodiscard]] result<load_report, report_error> report_from_json_text(std::string_view text);
// The same with explicit bounds (the defaults above are metrics::read_limits{}): text size, depth,
// value count and the dense histogram counters the metrics may allocate.
[[nodiscard]] result<load_report, report_error> report_from_json_text(std::string_view text,
                                                                      const metrics::read_limits& limits);

// Combines the reports of the shards of one run: same scenario name, seed and shard count, no
// shard twice. Metrics merge exactly (metric_set::merge_all); run fields as documented above.
[[nodiscard]] result<load_report, report_error> merge_reports(std::span<const load_report> reports);

// A self-contained HTML page (inline CSS and SVG, no script, no network): the run, the
// thresholds, the summary table, the per-second series (members connected, frames/s, frame
// latency p50/p99, errors) and the latency distributions.
[[nodiscard]] std::string render_html(const load_report& report, std::span<const summary_value> summary,
                                      std::span<const threshold_result> thresholds);

}  // namespace stoa::loadgen
