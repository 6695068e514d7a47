// The report's JSON form: lossless round trips, the figures written for readers but recomputed on
// reading, and every kind of bad input refused with a typed error naming the field, never a throw.
#include <catch2/catch.hpp>

#include <cmath>
#include <functional>
#include <limits>
#include <random>

#include <nlohmann/json.hpp>

#include "report_data.hpp"
#include "stoa/loadgen/metrics/metrics_json.hpp"

using namespace stoa::loadgen;
using json = nlohmann::json;

namespace {

json document_of(const load_report& report) {
    return json::parse(to_json_text(report));
}

report_error error_of(std::string_view text) {
    auto parsed = report_from_json_text(text);
    REQUIRE_FALSE(parsed.ok());
    return parsed.error();
}

}  // namespace

TEST_CASE("report JSON: a full report reads back equal", "[report_json]") {
    const load_report report = stoa::test::full_report();
    const std::string text = to_json_text(report);
    const auto parsed = report_from_json_text(text);
    REQUIRE(parsed.ok());
    CHECK(parsed->run == report.run);
    CHECK(parsed->metrics == report.metrics);
    CHECK(*parsed == report);
    CHECK(summarize(*parsed) == summarize(report));  // the same figures in the same order
    CHECK(to_json_text(*parsed) == text);
}

TEST_CASE("report JSON: run fields at their extremes read back equal", "[report_json]") {
    load_report report = stoa::test::full_report();
    report.run.scenario_name = "quote \" backslash \\ tab \t é 日本 <b>";
    report.run.server = "";
    report.run.seed = std::numeric_limits<std::uint64_t>::max();
    report.run.shards = {2, 5, 10'000};
    report.run.shard_count = 10'000;
    report.run.members_planned = std::numeric_limits<std::uint32_t>::max();
    report.run.threads = 1;
    report.run.started_utc = "2026-01-02T03:04:05.123456Z";
    report.run.duration_seconds = 0.1 + 0.2;  // not exactly representable in short decimal
    report.run.thresholds.clear();
    const auto parsed = report_from_json_text(to_json_text(report));
    REQUIRE(parsed.ok());
    CHECK(parsed->run == report.run);

    report.run.started_utc = "";
    const auto unknown_start = report_from_json_text(to_json_text(report));
    REQUIRE(unknown_start.ok());
    CHECK(unknown_start->run.started_utc.empty());
}

TEST_CASE("report JSON: the summary and evaluated thresholds are written for readers", "[report_json]") {
    const load_report report = stoa::test::full_report();
    const json document = document_of(report);
    CHECK(document["format"] == "stoa-load-report");
    CHECK(document["version"] == 1);
    CHECK(document["run"]["scenario_name"] == "join-storm");
    CHECK(document["run"]["shards"] == json::array({1}));
    CHECK(document["run"]["thresholds"] == json::array({"join.p99<1s", "frames.loss<0.1%", "decrypt.failures==0"}));
    CHECK(document["summary"]["frames.loss"] == 0.0005);
    CHECK(document["summary"]["join.count"] == 200);
    REQUIRE(document["thresholds"].size() == 3);
    CHECK(document["thresholds"][0]["text"] == "join.p99<1s");
    CHECK(document["thresholds"][0]["passed"] == true);
    CHECK(document["thresholds"][0]["problem"] == "");
    CHECK(document["thresholds"][0]["measured"].is_number());
    CHECK(document["metrics"]["format"] == "stoa-load-metrics");

    load_report unknown = report;
    unknown.run.thresholds = {stoa::test::threshold_of("no.such<1")};
    const json with_unknown = document_of(unknown);
    CHECK(with_unknown["thresholds"][0]["measured"].is_null());
    CHECK(with_unknown["thresholds"][0]["passed"] == false);
    CHECK(with_unknown["thresholds"][0]["problem"] == "unknown metric: no.such");
}

TEST_CASE("report JSON: reading ignores the written summary and thresholds and recomputes", "[report_json]") {
    const load_report report = stoa::test::full_report();
    json document = document_of(report);
    document["summary"] = {{"frames.loss", 0.9}, {"join.p99", "fast"}};
    document["thresholds"] = json::array({{{"text", "join.p99<1s"}, {"passed", false}}});
    const auto parsed = report_from_json_text(document.dump());
    REQUIRE(parsed.ok());
    CHECK(*parsed == report);
    CHECK(find_value(summarize(*parsed), "frames.loss")->value == 0.0005);

    document.erase("summary");
    document.erase("thresholds");
    const auto without = report_from_json_text(document.dump());
    REQUIRE(without.ok());
    CHECK(*without == report);
}

TEST_CASE("report JSON: non-finite numbers are written as null, never as invalid JSON", "[report_json]") {
    for (const double duration : {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity(),
                                  -std::numeric_limits<double>::infinity()}) {
        load_report report = stoa::test::full_report();
        report.run.duration_seconds = duration;
        const std::string text = to_json_text(report);
        CHECK(text.find("nan") == std::string::npos);
        CHECK(text.find("inf") == std::string::npos);
        json document;
        REQUIRE_NOTHROW(document = json::parse(text));
        CHECK(document["run"]["duration_seconds"].is_null());
        const report_error error = error_of(text);
        CHECK(error.code == report_error_code::invalid_field);
        CHECK(error.detail.starts_with("run.duration_seconds:"));
    }
}

TEST_CASE("report JSON: invalid UTF-8 in a run string is replaced, not thrown", "[report_json]") {
    load_report report = stoa::test::full_report();
    report.run.scenario_name = "bad \xff\xfe byte";
    std::string text;
    REQUIRE_NOTHROW(text = to_json_text(report));
    const auto parsed = report_from_json_text(text);
    REQUIRE(parsed.ok());
    CHECK(parsed->run.scenario_name == "bad \xEF\xBF\xBD\xEF\xBF\xBD byte");
}

TEST_CASE("report JSON: malformed reports are refused with the field named", "[report_json]") {
    const json good = document_of(stoa::test::full_report());
    struct bad_case {
        std::string name;
        std::function<void(json&)> change;
        report_error_code code;
        std::string detail_prefix;
    };
    const std::vector<bad_case> cases{
        {"an array", [](json& d) { d = json::array(); }, report_error_code::wrong_format, "(top level)"},
        {"no format", [](json& d) { d.erase("format"); }, report_error_code::wrong_format, "format: missing"},
        {"another format", [](json& d) { d["format"] = "stoa-load-metrics"; }, report_error_code::wrong_format,
         "format: \"stoa-load-metrics\" is not stoa-load-report"},
        {"a numeric format", [](json& d) { d["format"] = 1; }, report_error_code::wrong_format, "format:"},
        {"version 2", [](json& d) { d["version"] = 2; }, report_error_code::wrong_format, "version:"},
        {"version as text", [](json& d) { d["version"] = "1"; }, report_error_code::wrong_format, "version:"},
        {"no version", [](json& d) { d.erase("version"); }, report_error_code::wrong_format, "version: missing"},
        {"an unknown member", [](json& d) { d["colour"] = "blue"; }, report_error_code::invalid_field,
         "colour: unknown field"},
        {"no run", [](json& d) { d.erase("run"); }, report_error_code::invalid_field, "run: missing"},
        {"run not an object", [](json& d) { d["run"] = json::array(); }, report_error_code::invalid_field, "run:"},
        {"an unknown run field", [](json& d) { d["run"]["colour"] = 1; }, report_error_code::invalid_field,
         "run.colour: unknown field"},
        {"no seed", [](json& d) { d["run"].erase("seed"); }, report_error_code::invalid_field, "run.seed: missing"},
        {"a negative seed", [](json& d) { d["run"]["seed"] = -1; }, report_error_code::invalid_field, "run.seed:"},
        {"a seed as text", [](json& d) { d["run"]["seed"] = "42"; }, report_error_code::invalid_field, "run.seed:"},
        {"a fractional seed", [](json& d) { d["run"]["seed"] = 4.5; }, report_error_code::invalid_field, "run.seed:"},
        {"a name that is a number", [](json& d) { d["run"]["scenario_name"] = 5; }, report_error_code::invalid_field,
         "run.scenario_name:"},
        {"a name over 4096 bytes", [](json& d) { d["run"]["scenario_name"] = std::string(4097, 'x'); },
         report_error_code::invalid_field, "run.scenario_name:"},
        {"no shards", [](json& d) { d["run"]["shards"] = json::array(); }, report_error_code::invalid_field,
         "run.shards:"},
        {"shards not ascending",
         [](json& d) {
             d["run"]["shards"] = {2, 1};
             d["run"]["shard_count"] = 2;
         },
         report_error_code::invalid_field, "run.shards[1]:"},
        {"a shard twice",
         [](json& d) {
             d["run"]["shards"] = {1, 1};
             d["run"]["shard_count"] = 2;
         },
         report_error_code::invalid_field, "run.shards[1]:"},
        {"a shard past the count",
         [](json& d) {
             d["run"]["shards"] = {4};
             d["run"]["shard_count"] = 3;
         },
         report_error_code::invalid_field, "run.shards[0]:"},
        {"shard 0", [](json& d) { d["run"]["shards"] = {0}; }, report_error_code::invalid_field, "run.shards[0]:"},
        {"shard count 0", [](json& d) { d["run"]["shard_count"] = 0; }, report_error_code::invalid_field,
         "run.shard_count:"},
        {"too many shards", [](json& d) { d["run"]["shard_count"] = 10'001; }, report_error_code::invalid_field,
         "run.shard_count:"},
        {"members past 2^32", [](json& d) { d["run"]["members_planned"] = 4'294'967'296; },
         report_error_code::invalid_field, "run.members_planned:"},
        {"no threads", [](json& d) { d["run"]["threads"] = 0; }, report_error_code::invalid_field, "run.threads:"},
        {"a negative duration", [](json& d) { d["run"]["duration_seconds"] = -1.0; }, report_error_code::invalid_field,
         "run.duration_seconds:"},
        {"a duration as text", [](json& d) { d["run"]["duration_seconds"] = "10s"; }, report_error_code::invalid_field,
         "run.duration_seconds:"},
        {"a start that is not UTC", [](json& d) { d["run"]["started_utc"] = "2026-11-21T22:04:05+01:00"; },
         report_error_code::invalid_field, "run.started_utc:"},
        {"a start in month 13", [](json& d) { d["run"]["started_utc"] = "2026-13-21T22:04:05Z"; },
         report_error_code::invalid_field, "run.started_utc:"},
        {"thresholds not an array", [](json& d) { d["run"]["thresholds"] = "join.p99<1s"; },
         report_error_code::invalid_field, "run.thresholds:"},
        {"a threshold that is a number", [](json& d) { d["run"]["thresholds"] = {1}; },
         report_error_code::invalid_field, "run.thresholds[0]:"},
        {"a malformed threshold",
         [](json& d) {
             d["run"]["thresholds"] = {"join.p99<1s", "join.p99<<1s"};
         },
         report_error_code::invalid_field, "run.thresholds[1]: expected a number, like 1s or 0.1% (at character 10)"},
        {"no metrics", [](json& d) { d.erase("metrics"); }, report_error_code::invalid_field, "metrics: missing"},
        {"metrics not an object", [](json& d) { d["metrics"] = 3; }, report_error_code::invalid_metrics,
         "metrics: wrong_type"},
        {"a histogram count that disagrees", [](json& d) { d["metrics"]["histograms"]["join"]["count"] = 1; },
         report_error_code::invalid_metrics, "metrics.histograms.join.count: inconsistent"},
        {"a counter as text", [](json& d) { d["metrics"]["counters"]["frames.lost"] = "50"; },
         report_error_code::invalid_metrics, "metrics.counters.frames.lost: wrong_type"},
        {"another metrics version", [](json& d) { d["metrics"]["version"] = 9; }, report_error_code::invalid_metrics,
         "metrics.version: unsupported_version"},
    };
    for (const bad_case& bad : cases) {
        INFO(bad.name);
        json document = good;
        bad.change(document);
        const report_error error = error_of(document.dump());
        CHECK(error.code == bad.code);
        CHECK_THAT(error.detail, Catch::StartsWith(bad.detail_prefix));
    }
}

TEST_CASE("report JSON: text that is not JSON, or too large or deep, is invalid_json", "[report_json]") {
    for (const std::string_view text :
         {"", "not json", "{", "{\"format\":\"stoa-load-report\",}", "\xff\xfe{}", "{\"a\":1,\"a\":2}"}) {
        INFO(text);
        const report_error error = error_of(text);
        CHECK(error.code == report_error_code::invalid_json);
        CHECK(error.detail.starts_with("(top level): "));
    }
    CHECK(error_of(std::string(20, '[') + std::string(20, ']')).code == report_error_code::invalid_json);

    const std::string text = to_json_text(stoa::test::full_report());
    metrics::read_limits small;
    small.max_bytes = text.size() - 1;
    const auto oversized = report_from_json_text(text, small);
    REQUIRE_FALSE(oversized.ok());
    CHECK(oversized.error().code == report_error_code::invalid_json);

    metrics::read_limits few_counters;
    few_counters.max_counters = 1000;
    const auto too_many = report_from_json_text(text, few_counters);
    REQUIRE_FALSE(too_many.ok());
    CHECK(too_many.error().code == report_error_code::invalid_metrics);
    CHECK_THAT(too_many.error().detail, Catch::EndsWith(": too_large"));
}

TEST_CASE("report JSON: every truncation of a report is refused as invalid_json", "[report_json]") {
    const std::string text = to_json_text(stoa::test::full_report());
    REQUIRE(text.back() == '\n');
    // Every cut before the closing brace; a stride keeps the quadratic cost down, plus the last 64.
    for (std::size_t length = 0; length + 1 < text.size(); length += length + 80 < text.size() ? 37 : 1) {
        const auto parsed = report_from_json_text(std::string_view(text).substr(0, length));
        REQUIRE_FALSE(parsed.ok());
        CHECK(parsed.error().code == report_error_code::invalid_json);
    }
    CHECK(report_from_json_text(std::string_view(text).substr(0, text.size() - 1)).ok());
}

TEST_CASE("report JSON: corrupted bytes never throw, and what is accepted reads back equal", "[report_json]") {
    const load_report report = stoa::test::full_report();
    const std::string text = to_json_text(report);
    std::mt19937_64 random(11);
    std::uniform_int_distribution<std::size_t> position(0, text.size() - 1);
    std::uniform_int_distribution<int> byte(0, 255);
    int accepted = 0;
    for (int i = 0; i < 300; ++i) {
        std::string corrupted = text;
        for (int k = 0; k < 3; ++k) corrupted[position(random)] = static_cast<char>(byte(random));
        REQUIRE_NOTHROW(static_cast<void>(report_from_json_text(corrupted)));
        const auto parsed = report_from_json_text(corrupted);
        if (!parsed) continue;
        ++accepted;
        // Whatever was accepted writes back and reads again to the same report.
        const auto again = report_from_json_text(to_json_text(*parsed));
        REQUIRE(again.ok());
        CHECK(*again == *parsed);
    }
    CHECK(accepted < 300);
}

TEST_CASE("report_error_code names", "[report_json]") {
    CHECK(to_string(report_error_code::invalid_json) == "invalid_json");
    CHECK(to_string(report_error_code::wrong_format) == "wrong_format");
    CHECK(to_string(report_error_code::invalid_field) == "invalid_field");
    CHECK(to_string(report_error_code::invalid_metrics) == "invalid_metrics");
    CHECK(to_string(report_error_code::incompatible) == "incompatible");
}
