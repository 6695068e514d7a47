// --assert against a report: the examples, every unit family, and the ways a threshold
// fails without a figure to hold (unknown path, no samples, a unit that does not fit).
#include <catch2/catch.hpp>

#include "report_data.hpp"

using namespace stoa::loadgen;
using stoa::test::add;
using stoa::test::record;
using stoa::test::threshold_of;

namespace {

threshold_result check(const load_report& base, std::string_view text) {
    load_report report = base;
    report.run.thresholds = {threshold_of(text)};
    const auto results = check_thresholds(report, summarize(report));
    REQUIRE(results.size() == 1);
    CHECK(results[0].text == text);
    return results[0];
}

load_report run_with(std::uint64_t join_micros, std::uint64_t lost, std::uint64_t expected) {
    metrics::metric_set set = stoa::test::empty_set();
    record(set, "join", join_micros, 100);
    add(set, "frames.expected", expected);
    add(set, "frames.lost", lost);
    add(set, "frames.received", expected - lost);
    add(set, "generator.max_rss_bytes", 300'000'000);
    add(set, "generator.members", 1'000);
    return {stoa::test::run_of(), std::move(set)};
}

}  // namespace

TEST_CASE("thresholds: the issue's examples pass and fail on the measured figures", "[thresholds]") {
    const load_report good = run_with(400'000, 5, 10'000);    // 0.4 s, 0.05% lost
    const load_report bad = run_with(1'500'000, 20, 10'000);  // 1.5 s, 0.2% lost

    const threshold_result fast = check(good, "join.p99<1s");
    CHECK(fast.passed);
    CHECK(fast.measured == Approx(0.4).epsilon(1e-3));
    CHECK(fast.problem.empty());
    const threshold_result slow = check(bad, "join.p99<1s");
    CHECK_FALSE(slow.passed);
    CHECK(slow.measured == Approx(1.5).epsilon(1e-3));
    CHECK(slow.problem.empty());

    CHECK(check(good, "frames.loss<0.1%").passed);
    const threshold_result lossy = check(bad, "frames.loss<0.1%");
    CHECK_FALSE(lossy.passed);
    CHECK(lossy.measured == 0.002);
    CHECK(lossy.problem.empty());
}

TEST_CASE("thresholds: a plain number against a ratio is a fraction", "[thresholds]") {
    const load_report report = run_with(400'000, 5, 10'000);
    CHECK(check(report, "frames.loss<0.001").passed);
    CHECK_FALSE(check(report, "frames.loss<0.0001").passed);
    CHECK(check(report, "frames.loss==0.0005").passed);
}

TEST_CASE("thresholds: every comparator and unit family", "[thresholds]") {
    const load_report report = run_with(400'000, 5, 10'000);
    CHECK(check(report, "decrypt.failures==0").passed);
    CHECK(check(report, "frames.lost<=5").passed);
    CHECK_FALSE(check(report, "frames.lost<5").passed);
    CHECK(check(report, "frames.lost>=5").passed);
    CHECK_FALSE(check(report, "frames.lost>5").passed);
    CHECK(check(report, "join.p50 < 500ms").passed);
    CHECK(check(report, "join.max>399000us").passed);
    CHECK(check(report, "frames.per_second>=999.5/s").passed);       // 9,995 received in 10 s
    CHECK(check(report, "frames.per_second<600000/m").passed);       // 10,000/s
    CHECK(check(report, "generator.rss_per_member<=300KB").passed);  // 300,000 bytes
    CHECK_FALSE(check(report, "generator.rss_per_member<300KB").passed);
    CHECK(check(report, "generator.max_rss_bytes<1GiB").passed);
    CHECK(check(report, "playout.gap_max==0s").passed);
}

TEST_CASE("thresholds: a unit that does not suit the figure fails with the reason", "[thresholds]") {
    const load_report report = run_with(400'000, 5, 10'000);
    struct mismatch {
        std::string_view text;
        std::string_view problem;
    };
    for (const mismatch& row : {mismatch{"join.p99<5%",
                                         "unit mismatch: join.p99 is a duration, the threshold's value "
                                         "is a ratio"},
                                mismatch{"join.p99<1",
                                         "unit mismatch: join.p99 is a duration, the threshold's value "
                                         "is a count"},
                                mismatch{"decrypt.failures<1ms",
                                         "unit mismatch: decrypt.failures is a count, the "
                                         "threshold's value is a duration"},
                                mismatch{"frames.loss<1s",
                                         "unit mismatch: frames.loss is a ratio, the threshold's "
                                         "value is a duration"},
                                mismatch{"frames.per_second>10",
                                         "unit mismatch: frames.per_second is a rate, the "
                                         "threshold's value is a count"},
                                mismatch{"generator.rss_per_member<1000",
                                         "unit mismatch: generator.rss_per_member is "
                                         "bytes, the threshold's value is a count"}}) {
        INFO(row.text);
        const threshold_result result = check(report, row.text);
        CHECK_FALSE(result.passed);
        CHECK(result.measured.has_value());  // the figure exists; only the comparison is refused
        CHECK(result.problem == row.problem);
    }
}

TEST_CASE("thresholds: a path that names no figure fails as unknown, or for want of samples", "[thresholds]") {
    const load_report report = run_with(400'000, 5, 10'000);
    const threshold_result unknown = check(report, "join.p98<1s");
    CHECK_FALSE(unknown.passed);
    CHECK_FALSE(unknown.measured.has_value());
    CHECK(unknown.problem == "unknown metric: join.p98");
    CHECK(check(report, "nothing<1").problem == "unknown metric: nothing");

    const threshold_result empty = check(report, "rekey.p99<1s");  // recorded nothing
    CHECK_FALSE(empty.passed);
    CHECK_FALSE(empty.measured.has_value());
    CHECK(empty.problem == "no samples: rekey recorded nothing");

    const threshold_result nothing_expected = check(run_with(400'000, 0, 0), "frames.loss<0.1%");
    CHECK_FALSE(nothing_expected.passed);
    CHECK(nothing_expected.problem == "no frames were expected, so frames.loss is undefined");
}

TEST_CASE("thresholds: one result per threshold, in order", "[thresholds]") {
    load_report report = run_with(400'000, 5, 10'000);
    report.run.thresholds = {threshold_of("join.p99<1s"), threshold_of("nope>1"), threshold_of("frames.loss<0.01%")};
    const auto results = check_thresholds(report, summarize(report));
    REQUIRE(results.size() == 3);
    CHECK(results[0].text == "join.p99<1s");
    CHECK(results[0].passed);
    CHECK(results[1].text == "nope>1");
    CHECK_FALSE(results[1].passed);
    CHECK(results[2].text == "frames.loss<0.01%");
    CHECK_FALSE(results[2].passed);
    report.run.thresholds.clear();
    CHECK(check_thresholds(report, summarize(report)).empty());
}
