// --assert: each threshold against the figure its path names. A threshold never passes by
// accident: an unknown path or a unit that does not fit the figure fails and says why.
#include <algorithm>
#include <array>
#include <string>

#include "stoa/loadgen/report/load_report.hpp"
#include "text_format.hpp"

namespace stoa::loadgen {
namespace {

// Why a path names no figure. Figures that need samples are absent without them, and a threshold
// on them fails (no joins at all is no evidence that joins are fast); say so rather than call a
// well-known path unknown.
std::string missing_reason(const std::string& path, std::span<const summary_value> summary) {
    constexpr std::array<std::string_view, 7> sampled{"min", "p50", "p90", "p99", "p999", "max", "mean"};
    const auto dot = path.rfind('.');
    if (dot != std::string::npos &&
        std::find(sampled.begin(), sampled.end(), std::string_view(path).substr(dot + 1)) != sampled.end()) {
        const std::string histogram = path.substr(0, dot);
        if (const summary_value* count = find_value(summary, histogram + ".count"); count && count->value == 0.0)
            return "no samples: " + histogram + " recorded nothing";
    }
    if ((path == "frames.loss" || path == "frames.late_ratio") && find_value(summary, "frames.expected"))
        return "no frames were expected, so " + path + " is undefined";
    return "unknown metric: " + path;
}

threshold_result check_one(const threshold& limit, std::span<const summary_value> summary) {
    threshold_result out;
    out.text = limit.text;
    const std::string path = limit.metric_path();
    const summary_value* figure = find_value(summary, path);
    if (figure == nullptr) {
        out.problem = missing_reason(path, summary);
        return out;
    }
    out.measured = figure->value;
    const threshold_unit unit = limit.value.unit;
    // A plain number against a ratio is a fraction: frames.loss<0.001 means 0.1%.
    const bool fits = unit == figure->unit || (unit == threshold_unit::none && figure->unit == threshold_unit::ratio);
    if (!fits) {
        out.problem = "unit mismatch: " + path + " is " + std::string(report_text::describe(figure->unit)) +
                      ", the threshold's value is " + std::string(report_text::describe(unit));
        return out;
    }
    out.passed = limit.holds(figure->value);
    return out;
}

}  // namespace

std::vector<threshold_result> check_thresholds(const load_report& report, std::span<const summary_value> summary) {
    std::vector<threshold_result> results;
    results.reserve(report.run.thresholds.size());
    for (const threshold& limit : report.run.thresholds) results.push_back(check_one(limit, summary));
    return results;
}

}  // namespace stoa::loadgen
