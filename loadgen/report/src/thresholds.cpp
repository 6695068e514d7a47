// --assert: each threshold against the figure its path names. A threshold never passes by
// accident: an unknown path or a unit that does not fit the figure fails and says why.
#include <string>

#include "stoa/loadgen/report/load_report.hpp"
#include "text_format.hpp"

namespace stoa::loadgen {
namespace {

threshold_result check_one(const threshold& limit, std::span<const summary_value> summary) {
    threshold_result out;
    out.text = limit.text;
    const std::string path = limit.metric_path();
    const summary_value* figure = find_value(summary, path);
    if (figure == nullptr) {
        out.problem = "unknown metric: " + path;
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
