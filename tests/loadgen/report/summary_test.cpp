// The summary figures against what was recorded: histogram statistics in seconds (exact where the
// histogram is exact, within its precision elsewhere), counters, and the derived ratios and rates.
#include <catch2/catch.hpp>

#include <algorithm>
#include <random>
#include <set>

#include "report_data.hpp"
#include "stoa/loadgen/metrics/quantile.hpp"

using namespace stoa::loadgen;
using stoa::test::add;
using stoa::test::record;

namespace {

load_report report_with(metrics::metric_set set, double duration_seconds = 10.0) {
    run_info run = stoa::test::run_of();
    run.duration_seconds = duration_seconds;
    return {std::move(run), std::move(set)};
}

double value_of(const std::vector<summary_value>& summary, std::string_view path, threshold_unit unit) {
    const summary_value* figure = find_value(summary, path);
    INFO(path);
    REQUIRE(figure != nullptr);
    CHECK(figure->unit == unit);
    return figure->value;
}

}  // namespace

TEST_CASE("summary: a histogram's figures in seconds, exact below 2048 us", "[summary]") {
    metrics::metric_set set = stoa::test::empty_set();
    record(set, "join", 1000, 98);
    record(set, "join", 2000);
    record(set, "join", 500'000);
    const auto summary = summarize(report_with(std::move(set)));

    CHECK(value_of(summary, "join.count", threshold_unit::none) == 100);
    CHECK(value_of(summary, "join.min", threshold_unit::seconds) == 0.001);
    CHECK(value_of(summary, "join.p50", threshold_unit::seconds) == 0.001);
    CHECK(value_of(summary, "join.p90", threshold_unit::seconds) == 0.001);
    CHECK(value_of(summary, "join.p99", threshold_unit::seconds) == 0.002);  // rank 99 of 100
    CHECK(value_of(summary, "join.p999", threshold_unit::seconds) == 0.5);   // rank 100: the exact max
    CHECK(value_of(summary, "join.max", threshold_unit::seconds) == 0.5);
    // The mean takes each value at its bucket's middle: 500,000 us is in [499,968, 500,223].
    const double exact_mean = (98 * 1000 + 2000 + 500'000) / 100.0 / 1e6;
    CHECK(value_of(summary, "join.mean", threshold_unit::seconds) == Approx(exact_mean).epsilon(1e-3));
}

TEST_CASE("summary: percentiles of seeded latencies are within 0.1% above the exact ones", "[summary]") {
    std::mt19937_64 random(7);
    std::lognormal_distribution<double> latency(std::log(30'000.0), 1.2);
    std::vector<std::uint64_t> values;
    metrics::metric_set set = stoa::test::empty_set();
    for (int i = 0; i < 20'000; ++i) {
        const auto micros = static_cast<std::uint64_t>(std::min(latency(random), 3.0e9));
        values.push_back(micros);
        record(set, "frame_latency", micros);
    }
    std::sort(values.begin(), values.end());
    const auto summary = summarize(report_with(std::move(set)));
    const auto exact = [&](double q) {
        return static_cast<double>(values[metrics::rank_for_quantile(q, values.size()) - 1]) / 1e6;
    };
    for (const auto& [path, q] : std::vector<std::pair<std::string, double>>{{"frame_latency.p50", 0.5},
                                                                             {"frame_latency.p90", 0.9},
                                                                             {"frame_latency.p99", 0.99},
                                                                             {"frame_latency.p999", 0.999}}) {
        INFO(path);
        const double figure = value_of(summary, path, threshold_unit::seconds);
        CHECK(figure >= exact(q));
        CHECK(figure <= exact(q) * 1.001 + 1e-6);
    }
    CHECK(value_of(summary, "frame_latency.min", threshold_unit::seconds) == static_cast<double>(values.front()) / 1e6);
    CHECK(value_of(summary, "frame_latency.max", threshold_unit::seconds) == static_cast<double>(values.back()) / 1e6);
}

TEST_CASE("summary: an empty histogram contributes only its count", "[summary]") {
    const auto summary = summarize(report_with(stoa::test::empty_set()));
    CHECK(value_of(summary, "rekey.count", threshold_unit::none) == 0);
    for (const char* stat : {"min", "p50", "p90", "p99", "p999", "max", "mean"})
        CHECK(find_value(summary, std::string("rekey.") + stat) == nullptr);
    CHECK(value_of(summary, "playout.gap_max", threshold_unit::seconds) == 0.0);  // no gap heard
    CHECK(find_value(summary, "frames.loss") == nullptr);                         // nothing expected
    CHECK(find_value(summary, "frames.late_ratio") == nullptr);
    CHECK(find_value(summary, "generator.cpu_per_member_seconds") == nullptr);  // no members
    CHECK(find_value(summary, "generator.rss_per_member") == nullptr);
    CHECK(value_of(summary, "frames.per_second", threshold_unit::per_second) == 0.0);
}

TEST_CASE("summary: counters and the derived figures of a full run", "[summary]") {
    const load_report report = stoa::test::full_report();
    const auto summary = summarize(report);
    CHECK(value_of(summary, "frames.expected", threshold_unit::none) == 100'000);
    CHECK(value_of(summary, "decrypt.failures", threshold_unit::none) == 0);
    CHECK(value_of(summary, "errors.room_full", threshold_unit::none) == 5);
    CHECK(value_of(summary, "frames.loss", threshold_unit::ratio) == 50.0 / 100'000.0);
    CHECK(value_of(summary, "frames.late_ratio", threshold_unit::ratio) == 200.0 / 100'000.0);
    CHECK(value_of(summary, "playout.gap_max", threshold_unit::seconds) == 0.06);
    CHECK(value_of(summary, "errors.count", threshold_unit::none) == 7);
    CHECK(value_of(summary, "generator.cpu_seconds", threshold_unit::seconds) == 2.5);
    CHECK(value_of(summary, "generator.cpu_per_member_seconds", threshold_unit::seconds) == 2.5 / 500);
    CHECK(value_of(summary, "generator.max_rss_bytes", threshold_unit::bytes) == 100'000'000);
    CHECK(value_of(summary, "generator.rss_per_member", threshold_unit::bytes) == 200'000);
    CHECK(value_of(summary, "frames.per_second", threshold_unit::per_second) == 9'995);
    CHECK(value_of(summary, "reconnect.p50", threshold_unit::seconds) == Approx(1.5).epsilon(1e-3));
}

TEST_CASE("summary: a stable order with unique paths", "[summary]") {
    const auto summary = summarize(stoa::test::full_report());
    std::set<std::string> paths;
    for (const summary_value& figure : summary) CHECK(paths.insert(figure.path).second);
    REQUIRE(summary.size() > 40);
    // The histograms in run_metrics' order, then the counters, then the derived figures.
    CHECK(summary[0].path == "connect.count");
    CHECK(summary[1].path == "connect.min");
    const auto position = [&](std::string_view path) {
        return std::find_if(summary.begin(), summary.end(), [&](const summary_value& f) { return f.path == path; }) -
               summary.begin();
    };
    CHECK(position("join.count") < position("reconnect.count"));
    CHECK(position("reconnect.mean") < position("connects"));
    CHECK(position("joins.refused") < position("errors.not_allowed"));
    CHECK(position("errors.not_allowed") < position("errors.rate_limited"));
    CHECK(position("errors.rate_limited") < position("frames.loss"));
    CHECK(summary.back().path == "frames.per_second");
}

TEST_CASE("summary: a zero duration gives no rate, and find_value finds nothing for other paths", "[summary]") {
    const auto summary = summarize(report_with(stoa::test::empty_set(), 0.0));
    CHECK(find_value(summary, "frames.per_second") == nullptr);
    CHECK(find_value(summary, "no.such.path") == nullptr);
    CHECK(find_value(summary, "") == nullptr);
}
