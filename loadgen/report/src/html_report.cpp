// The HTML report: one self-contained page (inline CSS and SVG, no script, no external address)
// that can be mailed, archived as a CI artifact and opened offline. Every string that comes from
// the report is escaped.
#include <algorithm>
#include <array>
#include <string>

#include "stoa/loadgen/report/load_report.hpp"
#include "stoa/loadgen/report/run_verdict.hpp"
#include "svg_chart.hpp"
#include "text_format.hpp"

namespace stoa::loadgen {
namespace {

using report_text::format_count;
using report_text::format_figure;
using report_text::format_seconds;
using report_text::html_escape;

// The figures summarize() gives every non-empty histogram, after H.count.
constexpr std::array<std::string_view, 7> histogram_stats{"min", "p50", "p90", "p99", "p999", "max", "mean"};

constexpr std::string_view page_style = R"(
:root { color-scheme: light; }
body { margin: 0; background: #f6f7f9; color: #1f2933;
  font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1180px; margin: 0 auto; padding: 24px 20px 40px; }
h1 { font-size: 24px; margin: 0 0 4px; }
h1 .scenario { color: #0b5394; }
h2 { font-size: 18px; margin: 32px 0 10px; border-bottom: 1px solid #d9dee4; padding-bottom: 4px; }
h3 { font-size: 14px; margin: 0 0 4px; color: #3e4c59; }
section, header { margin-bottom: 8px; }
.verdict { display: inline-block; margin: 8px 0 0; padding: 4px 12px; border-radius: 14px; font-weight: 600; }
.verdict.pass { background: #def7e5; color: #0e6027; }
.verdict.fail { background: #fde2e1; color: #9b1c1c; }
.verdict.none { background: #e4e7eb; color: #3e4c59; }
table { border-collapse: collapse; background: #fff; border: 1px solid #d9dee4; font-size: 14px; }
th, td { padding: 5px 10px; border-bottom: 1px solid #e8ebef; text-align: left; vertical-align: top; }
th { background: #eef1f4; font-weight: 600; }
td.number, th.number { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
table.run th { background: none; font-weight: 500; color: #52606d; }
code { font: 13px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
.badge { display: inline-block; min-width: 40px; text-align: center; padding: 1px 8px; border-radius: 10px;
  font-weight: 600; font-size: 12px; }
.badge.pass { background: #def7e5; color: #0e6027; }
.badge.fail { background: #fde2e1; color: #9b1c1c; }
.problem { color: #9b1c1c; }
.note { color: #52606d; font-size: 13px; margin: 4px 0 12px; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap: 16px; }
figure { margin: 0; background: #fff; border: 1px solid #d9dee4; border-radius: 6px; padding: 10px 12px 6px; }
svg.chart { width: 100%; height: auto; display: block; font-family: inherit; }
svg .grid { stroke: #e4e7eb; stroke-width: 1; }
svg .grid.minor { stroke-dasharray: 2 3; }
svg .axis { stroke: #7b8794; stroke-width: 1; }
svg .tick { font-size: 11px; fill: #52606d; }
svg .unit { font-size: 12px; fill: #323f4b; }
svg .label { font-size: 12px; fill: #323f4b; }
svg .line { fill: none; stroke-width: 1.8; stroke-linejoin: round; stroke-linecap: round; }
.tables { display: grid; grid-template-columns: repeat(auto-fit, minmax(340px, 1fr)); gap: 16px; align-items: start; }
footer { margin-top: 36px; color: #7b8794; font-size: 12px; }
)";

// Shard lists of many hosts read better as ranges: "1-4, 7".
std::string shard_ranges(const std::vector<std::uint32_t>& shards) {
    std::string out;
    for (std::size_t i = 0; i < shards.size();) {
        std::size_t j = i;
        while (j + 1 < shards.size() && shards[j + 1] == shards[j] + 1) ++j;
        if (!out.empty()) out += ", ";
        out += std::to_string(shards[i]);
        if (j > i) out += "–" + std::to_string(shards[j]);
        i = j + 1;
    }
    return out.empty() ? "none" : out;
}

std::string row(std::string_view heading, std::string_view escaped_value) {
    return "<tr><th scope=\"row\">" + std::string(heading) + "</th><td>" + std::string(escaped_value) + "</td></tr>";
}

std::string run_section(const load_report& report) {
    const run_info& run = report.run;
    std::string out = "<section><h2>Run</h2><table class=\"run\">";
    out += row("Scenario", html_escape(run.scenario_name.empty() ? "(unnamed)" : run.scenario_name));
    out += row("Server", "<code>" + html_escape(run.server) + "</code>");
    out += row("Seed", std::to_string(run.seed));
    out += row("Shards", html_escape(shard_ranges(run.shards)) + " of " + std::to_string(run.shard_count));
    out += row("Members planned", format_count(run.members_planned));
    out += row("Worker threads", format_count(run.threads));
    out += row("Started (UTC)", run.started_utc.empty() ? "unknown" : html_escape(run.started_utc));
    out += row("Duration", html_escape(format_seconds(run.duration_seconds)));
    out += row("Series interval",
               html_escape(format_seconds(static_cast<double>(report.metrics.series().interval_seconds()))));
    return out + "</table></section>";
}

std::string threshold_verdict(std::span<const threshold_result> thresholds);

std::string verdict(const load_report& report, std::span<const threshold_result> thresholds) {
    // A run that did not measure the server says so before any threshold.
    const run_judgement judged = judge_run(report);
    std::string run;
    if (judged.verdict != run_verdict::measured) {
        run = "<p class=\"verdict fail\">Run " + html_escape(to_string(judged.verdict)) + "</p><ul>";
        for (const std::string& reason : judged.reasons) run += "<li>" + html_escape(reason) + "</li>";
        run += "</ul>";
    }
    return run + threshold_verdict(thresholds);
}

std::string threshold_verdict(std::span<const threshold_result> thresholds) {
    if (thresholds.empty()) return "<p class=\"verdict none\">No thresholds given</p>";
    const auto failed =
        std::count_if(thresholds.begin(), thresholds.end(), [](const threshold_result& r) { return !r.passed; });
    if (failed == 0)
        return "<p class=\"verdict pass\">All " + std::to_string(thresholds.size()) + " thresholds passed</p>";
    return "<p class=\"verdict fail\">" + std::to_string(failed) + " of " + std::to_string(thresholds.size()) +
           " thresholds failed</p>";
}

std::string thresholds_section(const load_report& report, std::span<const summary_value> summary,
                               std::span<const threshold_result> thresholds) {
    std::string out = "<section><h2>Thresholds</h2>";
    if (thresholds.empty()) return out + "<p class=\"note\">No thresholds were given (--assert).</p></section>";
    out +=
        "<table><thead><tr><th>threshold</th><th class=\"number\">measured</th><th>result</th><th>note</th>"
        "</tr></thead><tbody>";
    for (std::size_t i = 0; i < thresholds.size(); ++i) {
        const threshold_result& result = thresholds[i];
        std::string measured = "—";
        if (result.measured) {
            // The figure's own unit, when the result is the report's own threshold.
            threshold_unit unit = threshold_unit::none;
            if (i < report.run.thresholds.size()) {
                if (const summary_value* figure = find_value(summary, report.run.thresholds[i].metric_path()))
                    unit = figure->unit;
            }
            measured = format_figure(*result.measured, unit);
        }
        out += "<tr><td><code>" + html_escape(result.text) + "</code></td><td class=\"number\">" +
               html_escape(measured) + "</td><td><span class=\"badge " +
               (result.passed ? "pass\">pass" : "fail\">fail") + "</span></td><td class=\"problem\">" +
               html_escape(result.problem) + "</td></tr>";
    }
    return out + "</tbody></table></section>";
}

std::string figure_of(std::string_view heading, std::string svg) {
    return "<figure><h3>" + html_escape(heading) + "</h3>" + std::move(svg) + "</figure>";
}

std::string series_section(const load_report& report) {
    metrics::time_series series = report.metrics.series();
    series.flush();
    const auto& intervals = series.intervals();
    const double width = static_cast<double>(series.interval_seconds());

    report_svg::time_chart connected{"Members connected", "members", width, {}, false, true};
    report_svg::time_chart frames{"Frames received per second", "frames/s", width, {}, false, false};
    report_svg::time_chart latency{"Frame latency per interval", "ms", width, {}, false, false};
    report_svg::time_chart errors{"Errors", width == 1.0 ? "errors per second" : "errors per interval", width, {}, true,
                                  true};
    report_svg::time_line members_line{"members connected", report_svg::line_color(0), {}};
    report_svg::time_line frames_line{"frames/s", report_svg::line_color(2), {}};
    report_svg::time_line p50{"p50", report_svg::line_color(0), {}};
    report_svg::time_line p99{"p99", report_svg::line_color(1), {}};
    report_svg::time_line errors_line{"errors", report_svg::line_color(1), {}};
    for (std::size_t i = 0; i < intervals.size(); ++i) {
        members_line.values.emplace_back(static_cast<double>(intervals[i].connected));
        frames_line.values.emplace_back(static_cast<double>(intervals[i].frames) / width);
        errors_line.values.emplace_back(static_cast<double>(intervals[i].errors));
        const auto to_ms = [](std::optional<std::uint64_t> micros) -> std::optional<double> {
            if (!micros) return std::nullopt;
            return static_cast<double>(*micros) / 1e3;
        };
        p50.values.push_back(to_ms(series.latency_at_quantile(i, 0.5)));
        p99.values.push_back(to_ms(series.latency_at_quantile(i, 0.99)));
    }
    connected.lines.push_back(std::move(members_line));
    frames.lines.push_back(std::move(frames_line));
    latency.lines.push_back(std::move(p50));
    latency.lines.push_back(std::move(p99));
    errors.lines.push_back(std::move(errors_line));

    std::string out = "<section><h2>Over time</h2><p class=\"note\">One point per interval of " +
                      html_escape(format_seconds(width)) + " (" + std::to_string(intervals.size()) +
                      (intervals.size() == 1 ? " interval" : " intervals") +
                      "), summed over every worker thread and host; the members connected are counted at each "
                      "interval's end, the frame latency is of the frames received in it.</p><div class=\"charts\">";
    out += figure_of("Members connected", report_svg::render_time_chart(connected));
    out += figure_of("Frames received per second", report_svg::render_time_chart(frames));
    out += figure_of("Frame latency, p50 and p99", report_svg::render_time_chart(latency));
    out += figure_of(errors.y_label == "errors per second" ? "Errors per second" : "Errors per interval",
                     report_svg::render_time_chart(errors));
    return out + "</div></section>";
}

// The histograms whose figures the summary holds, in the summary's order.
std::vector<std::string> histograms_in(const load_report& report, std::span<const summary_value> summary) {
    std::vector<std::string> names;
    constexpr std::string_view count_suffix = ".count";
    for (const summary_value& figure : summary) {
        if (!figure.path.ends_with(count_suffix)) continue;
        std::string name = figure.path.substr(0, figure.path.size() - count_suffix.size());
        if (report.metrics.catalog().find_histogram(name)) names.push_back(std::move(name));
    }
    return names;
}

std::string distributions_section(const load_report& report, const std::vector<std::string>& histograms) {
    std::vector<report_svg::percentile_curve> curves;
    for (const std::string& name : histograms) {
        const metrics::log_histogram& histogram =
            report.metrics.histogram(*report.metrics.catalog().find_histogram(name));
        if (histogram.empty()) continue;
        curves.push_back(report_svg::sample_percentiles(histogram, name, report_svg::line_color(curves.size())));
    }
    std::string out = "<section><h2>Latency distributions</h2>";
    if (curves.empty()) return out + "<p class=\"note\">No latency was recorded.</p></section>";
    out +=
        "<p class=\"note\">Each latency by percentile, from the minimum (0%) to 99.99%: the x axis spreads the "
        "tail so each further nine takes the same width; the y axis is logarithmic. Measured from when each event "
        "was scheduled, so a stalled generator shows as latency. Legend: name (samples).</p>";
    out += "<figure>" + report_svg::render_percentile_chart(curves, "Latency by percentile") + "</figure>";
    return out + "</section>";
}

std::string latency_table(const load_report& report, std::span<const summary_value> summary,
                          const std::vector<std::string>& histograms) {
    constexpr std::array<std::string_view, 7> headings{"min", "p50", "p90", "p99", "p99.9", "max", "mean"};
    std::string out = "<section><h2>Latencies</h2>";
    if (histograms.empty()) return out + "<p class=\"note\">The report has no latency histograms.</p></section>";
    out += "<table><thead><tr><th>metric</th><th class=\"number\">count</th>";
    for (const std::string_view heading : headings) out += "<th class=\"number\">" + std::string(heading) + "</th>";
    out += "</tr></thead><tbody>";
    for (const std::string& name : histograms) {
        const summary_value* count = find_value(summary, name + ".count");
        out += "<tr><td><code>" + html_escape(name) + "</code></td><td class=\"number\">" +
               html_escape(count ? format_count(count->value) : "—") + "</td>";
        for (const std::string_view stat : histogram_stats) {
            const summary_value* figure = find_value(summary, name + "." + std::string(stat));
            out += "<td class=\"number\">" + html_escape(figure ? format_figure(figure->value, figure->unit) : "—") +
                   "</td>";
        }
        out += "</tr>";
    }
    out += "</tbody></table>";
    // Values past the histogram's range count at its top: the percentiles up there are a floor.
    for (const std::string& name : histograms) {
        const metrics::log_histogram& histogram =
            report.metrics.histogram(*report.metrics.catalog().find_histogram(name));
        if (histogram.clamped() == 0) continue;
        out += "<p class=\"note problem\">" + html_escape(name) + ": " +
               format_count(static_cast<double>(histogram.clamped())) +
               (histogram.clamped() == 1 ? " value" : " values") + " exceeded the histogram's range (" +
               html_escape(format_seconds(static_cast<double>(histogram.config().highest_trackable) / 1e6)) +
               ") and count at its top: the percentiles there are lower bounds, the max is exact.</p>";
    }
    return out +
           "<p class=\"note\">Paths for --assert: <code>NAME.p99</code> and the like, in seconds (write a "
           "unit: <code>join.p99&lt;1s</code>).</p></section>";
}

std::string figures_table(std::span<const summary_value> summary, const std::vector<std::string>& histograms) {
    // A histogram's own figures are in the latency table already.
    const auto of_histogram = [&](const std::string& path) {
        return std::any_of(histograms.begin(), histograms.end(), [&](const std::string& name) {
            if (!(path.size() > name.size() && path.starts_with(name) && path[name.size()] == '.')) return false;
            const std::string_view stat = std::string_view(path).substr(name.size() + 1);
            return stat == "count" ||
                   std::find(histogram_stats.begin(), histogram_stats.end(), stat) != histogram_stats.end();
        });
    };
    std::vector<const summary_value*> figures;
    for (const summary_value& figure : summary) {
        if (!of_histogram(figure.path)) figures.push_back(&figure);
    }
    // Two tables side by side (one under the other on a narrow screen): the list is long and narrow.
    const std::size_t half = (figures.size() + 1) / 2;
    std::string out = "<section><h2>Counters and derived figures</h2><div class=\"tables\">";
    for (std::size_t part = 0; part < 2; ++part) {
        const std::size_t first = part == 0 ? 0 : half;
        const std::size_t last = part == 0 ? half : figures.size();
        if (first == last) continue;
        out += "<table><thead><tr><th>path (for --assert)</th><th class=\"number\">value</th></tr></thead><tbody>";
        for (std::size_t i = first; i < last; ++i) {
            out += "<tr><td><code>" + html_escape(figures[i]->path) + "</code></td><td class=\"number\">" +
                   html_escape(format_figure(figures[i]->value, figures[i]->unit)) + "</td></tr>";
        }
        out += "</tbody></table>";
    }
    return out + "</div></section>";
}

}  // namespace

std::string render_html(const load_report& report, std::span<const summary_value> summary,
                        std::span<const threshold_result> thresholds) {
    const std::vector<std::string> histograms = histograms_in(report, summary);
    const std::string name = report.run.scenario_name.empty() ? "(unnamed)" : report.run.scenario_name;
    std::string page =
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        "<title>stoa-load: " +
        html_escape(name) + "</title>\n<style>";
    page += page_style;
    page += "</style>\n</head>\n<body>\n<main>\n<header><h1>stoa-load report: <span class=\"scenario\">" +
            html_escape(name) + "</span></h1>" + verdict(report, thresholds) + "</header>\n";
    page += run_section(report) + "\n";
    page += thresholds_section(report, summary, thresholds) + "\n";
    page += series_section(report) + "\n";
    page += distributions_section(report, histograms) + "\n";
    page += latency_table(report, summary, histograms) + "\n";
    page += figures_table(summary, histograms) + "\n";
    page += "<footer>stoa-load report, format " + std::string(report_format_name) + " version " +
            std::to_string(report_format_version) +
            ". Self-contained: no script, nothing loaded from the network."
            "</footer>\n</main>\n</body>\n</html>\n";
    return page;
}

}  // namespace stoa::loadgen
