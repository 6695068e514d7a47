// Merging the reports of a run's shards: the result is what one host recording every member would
// have reported, whatever the order; reports of different runs, or the same shard twice, are refused.
#include <catch2/catch.hpp>

#include <cmath>
#include <functional>
#include <random>

#include "report_data.hpp"

using namespace stoa::loadgen;
using stoa::test::add;
using stoa::test::record;

namespace {

namespace names = run_metrics;

// What one member does in a run, recorded into whichever set owns it. Deterministic per member,
// so the shards together record exactly what the single set does.
void record_member(metrics::metric_set& set, std::uint32_t member) {
    std::mt19937_64 random(member);
    std::lognormal_distribution<double> latency(std::log(20'000.0), 1.0);
    const auto micros = [&] { return static_cast<std::uint64_t>(std::min(latency(random), 3.0e9)); };
    record(set, names::connect, micros());
    record(set, names::join, micros() * 3);
    record(set, names::first_key, micros() * 4);
    for (int frame = 0; frame < 20; ++frame) record(set, names::frame_latency, micros());
    if (member % 7 == 0) record(set, names::reconnect, 2'000'000 + member);
    add(set, names::connects, 1);
    add(set, names::joins, 1);
    add(set, names::frames_expected, 20);
    add(set, names::frames_received, 20 - member % 3);
    add(set, names::frames_lost, member % 3);
    if (member % 11 == 0) add(set, "errors.room_full", 1);
}

// The series moves forward in time only, so it is recorded second by second for all the set's
// members: each gets its frames in second member % 9, and some an error the second after.
void record_series(metrics::metric_set& set, const std::vector<std::uint32_t>& members_of_set) {
    auto& series = set.series();
    for (std::int64_t second = 0; second <= 9; ++second) {
        const stoa::time_point now = stoa::test::report_origin + std::chrono::seconds(second);
        for (const std::uint32_t member : members_of_set) {
            if (static_cast<std::int64_t>(member % 9) == second) {
                series.add_frames(now, 20);
                series.record_latency(now, 10'000 + member * 37);
            }
            if (member % 13 == 0 && static_cast<std::int64_t>(member % 9) + 1 == second) series.add_errors(now);
        }
    }
}

void finish(metrics::metric_set& set, std::uint64_t members) {
    add(set, names::generator_members, members);
    add(set, names::generator_cpu_us, members * 1000);
    // Each host's peak RSS adds up in a merge; proportional here, so one host would have the sum.
    add(set, names::generator_max_rss, members * 100'000);
    set.series().set_connected(stoa::test::report_origin + std::chrono::seconds(10), members);
}

constexpr std::uint32_t members = 600;

// The shards' reports of one run, shard i taking members m with m % count == i - 1, and the set a
// single host would have recorded.
struct sharded_run {
    std::vector<load_report> shards;
    metrics::metric_set everything;
};

sharded_run run_in_shards(std::uint32_t count) {
    sharded_run run{{}, stoa::test::empty_set()};
    std::vector<std::uint32_t> all_members;
    for (std::uint32_t m = 0; m < members; ++m) {
        record_member(run.everything, m);
        all_members.push_back(m);
    }
    record_series(run.everything, all_members);
    finish(run.everything, members);
    for (std::uint32_t shard = 1; shard <= count; ++shard) {
        metrics::metric_set set = stoa::test::empty_set();
        std::vector<std::uint32_t> own_members;
        for (std::uint32_t m = shard - 1; m < members; m += count) {
            record_member(set, m);
            own_members.push_back(m);
        }
        record_series(set, own_members);
        const std::uint64_t own = own_members.size();
        finish(set, own);
        run_info info = stoa::test::run_of({shard}, count);
        info.members_planned = static_cast<std::uint32_t>(own);
        info.threads = shard;  // hosts differ
        info.started_utc = "2026-11-21T22:04:0" + std::to_string(9 - shard) + "Z";
        info.duration_seconds = 10.0 + shard;
        if (shard == 1) info.thresholds = {stoa::test::threshold_of("join.p99<1s")};
        run.shards.push_back({std::move(info), std::move(set)});
    }
    return run;
}

report_error merge_error(std::span<const load_report> reports) {
    const auto merged = merge_reports(reports);
    REQUIRE_FALSE(merged.ok());
    return merged.error();
}

}  // namespace

TEST_CASE("merge: 2 and 3 shards merge to what one host recording everything reports", "[merge]") {
    for (const std::uint32_t count : {2U, 3U}) {
        INFO(count << " shards");
        const sharded_run run = run_in_shards(count);
        const auto merged = merge_reports(run.shards);
        REQUIRE(merged.ok());
        CHECK(merged->metrics == run.everything);

        std::vector<std::uint32_t> all_shards;
        for (std::uint32_t shard = 1; shard <= count; ++shard) all_shards.push_back(shard);
        CHECK(merged->run.shards == all_shards);
        CHECK(merged->run.shard_count == count);
        CHECK(merged->run.members_planned == members);
        CHECK(merged->run.threads == count * (count + 1) / 2);
        CHECK(merged->run.started_utc == "2026-11-21T22:04:0" + std::to_string(9 - count) + "Z");
        CHECK(merged->run.duration_seconds == 10.0 + count);
        CHECK(merged->run.thresholds == run.shards[0].run.thresholds);
        CHECK(merged->run.scenario_name == "join-storm");
        CHECK(merged->run.seed == 42);

        // The figures are those of the single host, given the merged run's duration.
        const load_report single{merged->run, run.everything};
        CHECK(summarize(*merged) == summarize(single));
        CHECK(find_value(summarize(*merged), "generator.rss_per_member") != nullptr);
    }
}

TEST_CASE("merge: the order of the reports does not matter, nor whether they went through JSON", "[merge]") {
    const sharded_run run = run_in_shards(3);
    const auto forward = merge_reports(run.shards);
    REQUIRE(forward.ok());

    const std::vector<load_report> reversed{run.shards[2], run.shards[1], run.shards[0]};
    const auto backward = merge_reports(reversed);
    REQUIRE(backward.ok());
    CHECK(backward->metrics == forward->metrics);
    CHECK(backward->run.shards == forward->run.shards);
    CHECK(backward->run.started_utc == forward->run.started_utc);
    CHECK(backward->run.members_planned == forward->run.members_planned);

    std::vector<load_report> parsed;
    for (const load_report& report : run.shards) {
        auto read = report_from_json_text(to_json_text(report));
        REQUIRE(read.ok());
        parsed.push_back(std::move(read).value());
    }
    const auto through_json = merge_reports(parsed);
    REQUIRE(through_json.ok());
    CHECK(*through_json == *forward);
}

TEST_CASE("merge: one report merges to itself, and a merge of merges is the whole", "[merge]") {
    const sharded_run run = run_in_shards(3);
    const auto alone = merge_reports(std::span(run.shards).first(1));
    REQUIRE(alone.ok());
    CHECK(*alone == run.shards[0]);

    const auto first_two = merge_reports(std::span(run.shards).first(2));
    REQUIRE(first_two.ok());
    const std::vector<load_report> partial{*first_two, run.shards[2]};
    const auto whole = merge_reports(partial);
    REQUIRE(whole.ok());
    CHECK(whole->metrics == run.everything);
    CHECK(whole->run.shards == std::vector<std::uint32_t>{1, 2, 3});
}

TEST_CASE("merge: an empty start time is unknown, not the earliest", "[merge]") {
    sharded_run run = run_in_shards(2);
    run.shards[0].run.started_utc = "";
    const auto merged = merge_reports(run.shards);
    REQUIRE(merged.ok());
    CHECK(merged->run.started_utc == run.shards[1].run.started_utc);
}

TEST_CASE("merge: reports of different runs or overlapping shards are refused", "[merge]") {
    const sharded_run run = run_in_shards(3);
    struct refusal {
        std::string name;
        std::function<void(std::vector<load_report>&)> change;
        std::string detail;
    };
    const std::vector<refusal> refusals{
        {"the same shard twice", [](auto& r) { r[2] = r[0]; }, "report 3: shard 1 is in an earlier report too"},
        {"overlapping shard sets",
         [](auto& r) {
             r[1].run.shards = {2, 3};
         },
         "report 3: shard 3 is in an earlier report too"},
        {"another seed", [](auto& r) { r[1].run.seed = 43; }, "report 2: seed 43, not 42"},
        {"another scenario", [](auto& r) { r[2].run.scenario_name = "churn"; },
         "report 3: scenario \"churn\", not \"join-storm\""},
        {"another shard count", [](auto& r) { r[1].run.shard_count = 4; }, "report 2: 4 shards, not 3"},
        {"members past 2^32",
         [](auto& r) {
             r[0].run.members_planned = 4'000'000'000;
             r[1].run.members_planned = 400'000'000;
         },
         "report 2: members_planned sums past 2^32 - 1"},
    };
    for (const refusal& row : refusals) {
        INFO(row.name);
        std::vector<load_report> reports = run.shards;
        row.change(reports);
        const report_error error = merge_error(reports);
        CHECK(error.code == report_error_code::incompatible);
        CHECK(error.detail == row.detail);
    }
    CHECK(merge_error({}).code == report_error_code::incompatible);
}

TEST_CASE("merge: reports whose metrics differ are incompatible", "[merge]") {
    sharded_run run = run_in_shards(2);
    const std::array<std::string_view, 1> other_errors{"room_full"};
    auto catalog = run_metrics::make_catalog(other_errors);
    REQUIRE(catalog.ok());
    auto set = metrics::metric_set::make(*catalog, stoa::test::report_origin);
    REQUIRE(set.ok());
    run.shards[1].metrics = std::move(set).value();
    const report_error error = merge_error(run.shards);
    CHECK(error.code == report_error_code::incompatible);
    CHECK(error.detail.starts_with("metrics: config_mismatch: "));
}
