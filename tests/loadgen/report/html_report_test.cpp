// The HTML page: self-contained (no script, no external address), every report string escaped,
// the charts and tables present, and sound with empty histograms and a one-interval series.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cctype>
#include <fstream>

#include "report_data.hpp"

using namespace stoa::loadgen;

namespace {

std::string render(const load_report& report) {
    const auto summary = summarize(report);
    const auto thresholds = check_thresholds(report, summary);
    return render_html(report, summary, thresholds);
}

std::string lower(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
    return text;
}

std::size_t occurrences(std::string_view text, std::string_view part) {
    std::size_t count = 0;
    for (auto at = text.find(part); at != std::string_view::npos; at = text.find(part, at + part.size())) ++count;
    return count;
}

void check_self_contained(const std::string& page) {
    const std::string folded = lower(page);
    CHECK(folded.find("<script") == std::string::npos);
    CHECK(folded.find("http://") == std::string::npos);
    CHECK(folded.find("https://") == std::string::npos);
    CHECK(folded.find("url(") == std::string::npos);
    CHECK(folded.find("@import") == std::string::npos);
    CHECK(folded.find("<link") == std::string::npos);
    CHECK(folded.find("<img") == std::string::npos);
    CHECK(folded.find(" src=") == std::string::npos);
    CHECK(folded.find(" href=") == std::string::npos);
    for (const char* handler : {"onload=", "onerror=", "onclick=", "onmouseover="})
        CHECK(folded.find(handler) == std::string::npos);
    // Numbers drawn are finite.
    CHECK(page.find("nan") == std::string::npos);
    CHECK(page.find("NaN") == std::string::npos);
    CHECK(page.find("inf\"") == std::string::npos);
    CHECK(page.starts_with("<!DOCTYPE html>"));
    CHECK(page.find("</html>") != std::string::npos);
    CHECK(occurrences(page, "<svg") == occurrences(page, "</svg>"));
    CHECK(occurrences(page, "<table") == occurrences(page, "</table>"));
    CHECK(occurrences(page, "<section") == occurrences(page, "</section>"));
    CHECK(occurrences(page, "<figure") == occurrences(page, "</figure>"));
}

}  // namespace

TEST_CASE("html: a full report is one self-contained page with charts and tables", "[html]") {
    const load_report report = stoa::test::full_report();
    const std::string page = render(report);
    check_self_contained(page);
    CHECK(occurrences(page, "<svg") == 5);  // four time charts and the percentile chart
    CHECK(page.find("<style>") != std::string::npos);
    for (const char* heading :
         {"Members connected", "Frames received per second", "Frame latency, p50 and p99", "Errors per second",
          "Latency by percentile", "Thresholds", "Latencies", "Counters and derived figures", "Run"})
        CHECK(page.find(heading) != std::string::npos);
    // Axes with units and ticks.
    CHECK(page.find(">seconds since the start<") != std::string::npos);
    CHECK(page.find(">members<") != std::string::npos);
    CHECK(page.find(">frames/s<") != std::string::npos);
    CHECK(page.find(">ms<") != std::string::npos);
    CHECK(page.find(">99.99%<") != std::string::npos);
    CHECK(page.find(">percentile<") != std::string::npos);
    // One curve per non-empty latency histogram: rekey is empty.
    CHECK(page.find("<title>frame_latency</title>") != std::string::npos);
    CHECK(page.find("<title>rekey</title>") == std::string::npos);
    // The thresholds, escaped, with their verdicts.
    CHECK(page.find("join.p99&lt;1s") != std::string::npos);
    CHECK(page.find("join.p99<1s") == std::string::npos);
    CHECK(occurrences(page, "class=\"badge pass\"") == 3);
    CHECK(page.find("All 3 thresholds passed") != std::string::npos);
    // Run info and figures.
    CHECK(page.find("ws://127.0.0.1:8080/rooms") != std::string::npos);
    CHECK(page.find("2026-11-21T22:04:05Z") != std::string::npos);
    CHECK(page.find("<code>frames.loss</code>") != std::string::npos);
    CHECK(page.find("0.05%") != std::string::npos);

    if (const char* directory = std::getenv("STOA_REPORT_HTML_OUT")) {
        std::ofstream(std::string(directory) + "/full_report.html") << page;
    }
}

TEST_CASE("html: every string from the report is escaped", "[html]") {
    load_report report = stoa::test::full_report();
    report.run.scenario_name = "<script>alert('x')</script>";
    report.run.server = "wss://host/\"><img src=x onerror=alert(1)>";
    report.run.started_utc = "2026-11-21T22:04:05Z";
    report.run.thresholds = {stoa::test::threshold_of("join.p99<1s"), stoa::test::threshold_of("errors.count<5")};
    const auto summary = summarize(report);
    std::vector<threshold_result> results = check_thresholds(report, summary);
    results.push_back({"<script>evil</script>", std::nullopt, false, "unknown metric: <b>"});
    const std::string page = render_html(report, summary, results);

    const std::string folded = lower(page);
    CHECK(folded.find("<script") == std::string::npos);
    CHECK(folded.find("<img") == std::string::npos);
    CHECK(page.find("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;") != std::string::npos);
    CHECK(page.find("wss://host/&quot;&gt;&lt;img src=x onerror=alert(1)&gt;") != std::string::npos);
    CHECK(page.find("&lt;script&gt;evil&lt;/script&gt;") != std::string::npos);
    CHECK(page.find("unknown metric: &lt;b&gt;") != std::string::npos);
    CHECK(page.find("<title>stoa-load: &lt;script&gt;") != std::string::npos);
    CHECK(page.find("2 of 3 thresholds failed") != std::string::npos);
}

TEST_CASE("html: a report of nothing, with one interval, still renders", "[html]") {
    load_report report{stoa::test::run_of(), stoa::test::empty_set()};
    report.run.scenario_name.clear();
    report.run.duration_seconds = 0.0;
    const std::string page = render(report);
    check_self_contained(page);
    CHECK(page.find("(unnamed)") != std::string::npos);
    CHECK(page.find("No latency was recorded") != std::string::npos);
    CHECK(page.find("No thresholds given") != std::string::npos);
    // Members were planned and nobody joined: the page says the run failed, above everything.
    CHECK(page.find("Run failed") != std::string::npos);
    CHECK(page.find("nobody joined") != std::string::npos);
    CHECK(occurrences(page, "<svg") == 4);  // the time charts, with their single interval as dots
    CHECK(page.find("(1 interval)") != std::string::npos);
    CHECK(page.find("<circle") != std::string::npos);
}

TEST_CASE("html: a one-interval series with data, and a failing threshold", "[html]") {
    metrics::metric_set set = stoa::test::empty_set();
    stoa::test::record(set, "join", 2'000'000);
    set.series().set_connected(stoa::test::report_origin, 3);
    set.series().record_latency(stoa::test::report_origin, 25'000);
    load_report report{stoa::test::run_of(), std::move(set)};
    report.run.thresholds = {stoa::test::threshold_of("join.p99<1s"), stoa::test::threshold_of("join.p99<5%")};
    const std::string page = render(report);
    check_self_contained(page);
    CHECK(occurrences(page, "<svg") == 5);
    CHECK(page.find("2 of 2 thresholds failed") != std::string::npos);
    CHECK(page.find("unit mismatch: join.p99 is a duration") != std::string::npos);
    CHECK(page.find("<title>join</title>") != std::string::npos);
    CHECK(page.find(">2 s<") != std::string::npos);  // join.p99 measured, in its unit
}

TEST_CASE("html: values past a histogram's range are pointed out", "[html]") {
    metrics::metric_set set = stoa::test::empty_set();
    stoa::test::record(set, "reconnect", 30'000'000);
    stoa::test::record(set, "reconnect", 4'000'000'000, 2);  // 66 minutes: past the 1 h range
    const std::string page = render({stoa::test::run_of(), std::move(set)});
    check_self_contained(page);
    CHECK(page.find("reconnect: 2 values exceeded the histogram's range (60 min)") != std::string::npos);
    CHECK(page.find(">66.7 min<") != std::string::npos);  // the exact max
}

TEST_CASE("html: a long run gets a clock axis and many shards read as ranges", "[html]") {
    metrics::metric_set set = stoa::test::empty_set();
    for (std::int64_t second = 0; second < 3000; second += 7)
        set.series().set_connected(stoa::test::report_origin + std::chrono::seconds(second),
                                   static_cast<std::uint64_t>(second));
    load_report report{stoa::test::run_of({1, 2, 3, 4, 7, 9, 10}, 12), std::move(set)};
    const std::string page = render(report);
    check_self_contained(page);
    CHECK(page.find("time since the start (min:s)") != std::string::npos);
    CHECK(page.find(">10:00<") != std::string::npos);
    CHECK(page.find("1–4, 7, 9–10 of 12") != std::string::npos);
    CHECK(page.find("One point per interval of 4 s") != std::string::npos);  // 3000 s in 1,024 intervals at most
}
