// The report's figures: what --assert can name and what the HTML summary table shows. Every
// figure is computed from the metric set alone (plus the run's duration), so a merged report's
// summary is the summary of everything recorded.
#include <algorithm>
#include <cmath>
#include <optional>
#include <set>
#include <string>

#include "stoa/loadgen/report/load_report.hpp"
#include "stoa/loadgen/report/run_metrics.hpp"

namespace stoa::loadgen {
namespace {

using metrics::counter_id;
using metrics::histogram_id;
using metrics::log_histogram;
using metrics::metric_set;

double seconds_of(std::uint64_t micros) {
    return static_cast<double>(micros) / 1e6;
}

// Paths stay unique: a report read from untrusted text may name a counter like a derived figure
// ("frames.loss") or a histogram statistic ("join.p99"); the first figure with a path wins.
class summary_builder {
public:
    void add(std::string path, double value, threshold_unit unit) {
        if (!std::isfinite(value) || !seen_.insert(path).second) return;
        figures_.push_back({std::move(path), value, unit});
    }
    [[nodiscard]] std::vector<summary_value> take() { return std::move(figures_); }

private:
    std::vector<summary_value> figures_;
    std::set<std::string, std::less<>> seen_;
};

// The known names first, in run_metrics' order, then any others by name: the same order for a
// report and for its JSON read back (whose catalog is in key order).
template <std::size_t N>
std::vector<std::string> in_stable_order(const std::vector<std::string>& present,
                                         const std::array<std::string_view, N>& known) {
    std::vector<std::string> ordered;
    for (const std::string_view name : known) {
        if (std::find(present.begin(), present.end(), name) != present.end()) ordered.emplace_back(name);
    }
    std::vector<std::string> others;
    for (const std::string& name : present) {
        if (std::find(known.begin(), known.end(), name) == known.end()) others.push_back(name);
    }
    std::sort(others.begin(), others.end());
    ordered.insert(ordered.end(), others.begin(), others.end());
    return ordered;
}

std::optional<std::uint64_t> counter_of(const metric_set& set, std::string_view name) {
    const auto id = set.catalog().find_counter(name);
    if (!id) return std::nullopt;
    return set.counter(*id);
}

void add_histogram(summary_builder& out, const std::string& name, const log_histogram& histogram) {
    out.add(name + ".count", static_cast<double>(histogram.count()), threshold_unit::none);
    if (histogram.empty()) return;
    out.add(name + ".min", seconds_of(*histogram.min()), threshold_unit::seconds);
    out.add(name + ".p50", seconds_of(*histogram.percentile(50)), threshold_unit::seconds);
    out.add(name + ".p90", seconds_of(*histogram.percentile(90)), threshold_unit::seconds);
    out.add(name + ".p99", seconds_of(*histogram.percentile(99)), threshold_unit::seconds);
    out.add(name + ".p999", seconds_of(*histogram.percentile(99.9)), threshold_unit::seconds);
    out.add(name + ".max", seconds_of(*histogram.max()), threshold_unit::seconds);
    out.add(name + ".mean", *histogram.mean() / 1e6, threshold_unit::seconds);
}

threshold_unit counter_unit(std::string_view name) {
    return name == run_metrics::generator_max_rss ? threshold_unit::bytes : threshold_unit::none;
}

void add_derived(summary_builder& out, const load_report& report) {
    namespace names = run_metrics;
    const metric_set& set = report.metrics;
    const auto ratio_of = [&](std::string_view part, std::string_view whole) -> std::optional<double> {
        const auto numerator = counter_of(set, part);
        const auto denominator = counter_of(set, whole);
        if (!numerator || !denominator || *denominator == 0) return std::nullopt;
        return static_cast<double>(*numerator) / static_cast<double>(*denominator);
    };
    if (const auto loss = ratio_of(names::frames_lost, names::frames_expected))
        out.add("frames.loss", *loss, threshold_unit::ratio);
    if (const auto loss = ratio_of(names::frames_lost_probe, names::frames_expected_probe))
        out.add("frames.loss.probe", *loss, threshold_unit::ratio);
    // Only probes judge lateness; a report without probe counts (an older one) used every listener.
    const auto probe_expected = counter_of(set, names::frames_expected_probe);
    if (const auto late = ratio_of(names::frames_late, probe_expected && *probe_expected > 0
                                                           ? names::frames_expected_probe
                                                           : names::frames_expected))
        out.add("frames.late_ratio", *late, threshold_unit::ratio);
    if (const auto gap = set.catalog().find_histogram(names::playout_gap)) {
        const auto longest = set.histogram(*gap).max();
        out.add("playout.gap_max", longest ? seconds_of(*longest) : 0.0, threshold_unit::seconds);
    }
    if (const auto errors = counter_of(set, names::errors))
        out.add("errors.count", static_cast<double>(*errors), threshold_unit::none);

    const auto members = counter_of(set, names::generator_members);
    const bool have_members = members && *members > 0;
    if (const auto cpu = counter_of(set, names::generator_cpu_us)) {
        out.add("generator.cpu_seconds", seconds_of(*cpu), threshold_unit::seconds);
        if (have_members)
            out.add("generator.cpu_per_member_seconds", seconds_of(*cpu) / static_cast<double>(*members),
                    threshold_unit::seconds);
    }
    if (const auto rss = counter_of(set, names::generator_max_rss); rss && have_members)
        out.add("generator.rss_per_member", static_cast<double>(*rss) / static_cast<double>(*members),
                threshold_unit::bytes);
    // wss://: how much of the time to join went on TLS handshakes (all members together).
    const auto handshake = set.catalog().find_histogram(names::tls_handshake);
    const auto join = set.catalog().find_histogram(names::join);
    if (handshake && join && !set.histogram(*handshake).empty() && !set.histogram(*join).empty()) {
        const double spent = *set.histogram(*handshake).mean() * static_cast<double>(set.histogram(*handshake).count());
        const double joining = *set.histogram(*join).mean() * static_cast<double>(set.histogram(*join).count());
        if (joining > 0) out.add("tls.handshake_share_of_join", spent / joining, threshold_unit::ratio);
    }
    if (const auto saturated = counter_of(set, names::generator_saturated_workers))
        out.add("generator.saturated", *saturated > 0 ? 1.0 : 0.0, threshold_unit::none);
    if (const auto busy = ratio_of(names::generator_busy_seconds, names::generator_worker_seconds))
        out.add("generator.busy_share", *busy, threshold_unit::ratio);
    const double duration = report.run.duration_seconds;
    if (const auto received = counter_of(set, names::frames_received); received && duration > 0.0)
        out.add("frames.per_second", static_cast<double>(*received) / duration, threshold_unit::per_second);
}

}  // namespace

std::vector<summary_value> summarize(const load_report& report) {
    const metric_set& set = report.metrics;
    const metrics::metric_catalog& catalog = set.catalog();
    summary_builder out;

    std::vector<std::string> histogram_names;
    for (const metrics::histogram_entry& entry : catalog.histograms()) histogram_names.push_back(entry.name);
    for (const std::string& name : in_stable_order(histogram_names, run_metrics::histograms))
        add_histogram(out, name, set.histogram(*catalog.find_histogram(name)));

    for (const std::string& name : in_stable_order(catalog.counters(), run_metrics::fixed_counters))
        out.add(name, static_cast<double>(set.counter(*catalog.find_counter(name))), counter_unit(name));

    add_derived(out, report);
    return out.take();
}

const summary_value* find_value(std::span<const summary_value> summary, std::string_view path) noexcept {
    for (const summary_value& figure : summary) {
        if (figure.path == path) return &figure;
    }
    return nullptr;
}

}  // namespace stoa::loadgen
