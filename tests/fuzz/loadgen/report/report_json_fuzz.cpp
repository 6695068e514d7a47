// Fuzzes the report reader and everything that consumes what it accepts. It may not crash, hang
// or throw; an accepted report must write back to text that reads to an equal report, summarize
// to unique paths, evaluate each of its thresholds, refuse a merge with itself (its shards
// overlap), and render a page in which no report string became markup.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <set>
#include <string>
#include <string_view>

#include "stoa/loadgen/report/load_report.hpp"

namespace {

using namespace stoa::loadgen;

void check(bool condition) {
    if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    metrics::read_limits limits;
    limits.max_counters = std::size_t{1} << 20;  // keep each run's memory small
    const auto parsed = report_from_json_text(text, limits);
    if (!parsed) {
        check(!to_string(parsed.error().code).empty());
        check(!parsed.error().detail.empty());
        return 0;
    }
    const load_report& report = *parsed;
    const std::string written = to_json_text(report);
    const auto again = report_from_json_text(written, limits);
    check(again.ok());
    check(*again == report);

    const auto summary = summarize(report);
    std::set<std::string_view> paths;
    for (const summary_value& figure : summary) check(paths.insert(figure.path).second);
    const auto results = check_thresholds(report, summary);
    check(results.size() == report.run.thresholds.size());
    for (const threshold_result& result : results) {
        check(!result.passed || (result.problem.empty() && result.measured.has_value()));
        check(result.problem.empty() || !result.passed);
    }

    const load_report twice[] = {report, report};
    const auto merged = merge_reports(twice);
    check(!merged.ok() && merged.error().code == report_error_code::incompatible);

    const std::string page = render_html(report, summary, results);
    check(page.find("<script") == std::string::npos);
    check(page.find("<img") == std::string::npos);
    return 0;
}
