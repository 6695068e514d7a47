// The JSON form: lossless round trips, exact merges of reports from several hosts, and every kind
// of malformed report (wrong types, out-of-range indexes, contradictions, mismatched
// configurations, truncation, corruption) refused with a typed error and never a throw.
#include <catch2/catch.hpp>

#include <chrono>
#include <functional>
#include <random>
#include <string>

#include "stoa/loadgen/metrics/metrics_json.hpp"

using namespace stoa::loadgen::metrics;
using json = nlohmann::json;

namespace {

const stoa::time_point origin = stoa::from_micros(0);

metric_catalog report_catalog(std::uint32_t join_digits = 3) {
    metric_catalog catalog{time_series_config{histogram_config{1, 60'000'000, 2}, 16}};
    (void)catalog.add_histogram("join", {1, 3'600'000'000, join_digits});
    (void)catalog.add_histogram("frame.latency", {1, 60'000'000, 3});
    (void)catalog.add_histogram("rekey.convergence", {1000, 3'600'000'000, 2});  // stays empty
    (void)catalog.add_counter("frames.received");
    (void)catalog.add_counter("errors.auth");
    return catalog;
}

// A report with something in every field: clamped values, a coarsened series, an empty histogram.
// `values` samples spread over 35 s, so the 16-interval series always coarsens to 4 s.
metric_set sample_report(std::uint64_t seed, std::uint32_t join_digits = 3, int values = 5'000) {
    metric_set set = metric_set::make(report_catalog(join_digits), origin).value();
    const histogram_id join = *set.catalog().find_histogram("join");
    const histogram_id frame = *set.catalog().find_histogram("frame.latency");
    std::mt19937_64 rng(seed);
    for (int i = 0; i < values; ++i) {
        set.record(join, 1 + rng() % 3'000'000);
        const auto now = origin + std::chrono::milliseconds(i * (35'000 / values));
        const std::uint64_t latency = rng() % 200'000;
        set.record(frame, latency);
        set.series().add_frames(now);
        set.series().record_latency(now, latency);
        set.series().set_connected(now, static_cast<std::uint64_t>(i % 100));
    }
    set.record(join, 9'000'000'000);  // above the hour: clamped
    set.record(frame, 61'000'000);
    set.series().record_latency(origin + std::chrono::seconds(34), 70'000'000);
    set.add(*set.catalog().find_counter("frames.received"), 5'000);
    set.add(*set.catalog().find_counter("errors.auth"), 3);
    set.series().add_errors(origin + std::chrono::seconds(20), 3);
    return set;
}

void require_error(const stoa::result<metric_set, metrics_error>& parsed, metrics_error_code code,
                   const std::string& detail_prefix) {
    REQUIRE_FALSE(parsed.ok());
    INFO("error " << to_string(parsed.error().code) << ": " << parsed.error().detail);
    CHECK(parsed.error().code == code);
    CHECK(parsed.error().detail.rfind(detail_prefix, 0) == 0);
}

}  // namespace

TEST_CASE("a metric set survives the JSON round trip exactly", "[loadgen][metrics][json]") {
    const metric_set report = sample_report(1);
    REQUIRE(report.series().interval_seconds() == 4);  // 35 s in 16 intervals
    const std::string text = to_json_text(report);
    const auto parsed = metric_set_from_json_text(text);
    REQUIRE(parsed.ok());
    CHECK(*parsed == report);
    CHECK(to_json_text(*parsed) == text);
    const histogram_id join = *parsed->catalog().find_histogram("join");
    CHECK(parsed->histogram(join).clamped() == 1);
    CHECK(parsed->histogram(join).max() == 9'000'000'000u);
    CHECK(parsed->histogram(*parsed->catalog().find_histogram("rekey.convergence")).empty());
}

TEST_CASE("the histogram JSON is configuration, exact extremes and [index, count] pairs", "[loadgen][metrics][json]") {
    auto histogram = log_histogram::make({1, 3'600'000'000, 3}).value();
    histogram.record(7, 2);
    histogram.record(3'000);
    const json expected = json::parse(R"({"lowest_discernible":1,"highest_trackable":3600000000,
        "significant_digits":3,"count":3,"min":7,"max":3000,"clamped":0,"buckets":[[7,2],[2524,1]]})");
    CHECK(to_json(histogram) == expected);
    // 3,000 is in bucket 1 (2,048 to 4,095, width 2): index 1024 + 3000 / 2 = 2524.
    CHECK(histogram.layout().index_of(3'000) == 2524);
    const auto parsed = histogram_from_json(expected);
    REQUIRE(parsed.ok());
    CHECK(*parsed == histogram);
}

TEST_CASE("reports from several hosts merge exactly after the round trip", "[loadgen][metrics][json]") {
    const metric_set host_a = sample_report(10);
    const metric_set host_b = sample_report(11);
    auto from_a = metric_set_from_json_text(to_json_text(host_a));
    const auto from_b = metric_set_from_json_text(to_json_text(host_b));
    REQUIRE(from_a.ok());
    REQUIRE(from_b.ok());
    REQUIRE(from_a->merge(*from_b).ok());
    metric_set direct = host_a;
    REQUIRE(direct.merge(host_b).ok());
    CHECK(*from_a == direct);
    CHECK(to_json_text(*from_a) == to_json_text(direct));
}

TEST_CASE("parsed reports with mismatched configurations refuse to merge", "[loadgen][metrics][json]") {
    auto three_digits = metric_set_from_json_text(to_json_text(sample_report(1, 3)));
    const auto two_digits = metric_set_from_json_text(to_json_text(sample_report(1, 2)));
    REQUIRE(three_digits.ok());
    REQUIRE(two_digits.ok());
    const auto merged = three_digits->merge(*two_digits);
    REQUIRE_FALSE(merged.ok());
    CHECK(merged.error().code == metrics_error_code::config_mismatch);
    CHECK(merged.error().detail == "histograms.join");
}

TEST_CASE("malformed reports are refused with typed errors naming the field", "[loadgen][metrics][json]") {
    const json valid = to_json(sample_report(2));
    REQUIRE(metric_set_from_json(valid).ok());
    const std::uint64_t half = std::uint64_t{1} << 63;
    struct row {
        const char* name;
        std::function<void(json&)> mutate;
        metrics_error_code code;
        std::string detail;
    };
    using code = metrics_error_code;
    const row table[] = {
        {"count is a string", [](json& d) { d["histograms"]["join"]["count"] = "5"; }, code::wrong_type,
         "histograms.join.count"},
        {"buckets is an object", [](json& d) { d["histograms"]["join"]["buckets"] = json::object(); }, code::wrong_type,
         "histograms.join.buckets"},
        {"a bucket pair of one", [](json& d) { d["histograms"]["join"]["buckets"][0] = json::array({1}); },
         code::wrong_type, "histograms.join.buckets[0]"},
        {"a fractional count", [](json& d) { d["histograms"]["join"]["buckets"][0][1] = 1.5; }, code::wrong_type,
         "histograms.join.buckets[0]"},
        {"a negative index", [](json& d) { d["histograms"]["join"]["buckets"][0][0] = -1; }, code::out_of_range,
         "histograms.join.buckets[0]"},
        {"an index above 2^32", [](json& d) { d["histograms"]["join"]["buckets"][0][0] = 5'000'000'000ULL; },
         code::out_of_range, "histograms.join.buckets[0]"},
        {"an index past the counters",
         [](json& d) {
             json& buckets = d["histograms"]["join"]["buckets"];
             buckets[buckets.size() - 1][0] = 23'552;
         },
         code::out_of_range, "histograms.join.buckets["},
        {"indexes out of order",
         [](json& d) { std::swap(d["histograms"]["join"]["buckets"][0], d["histograms"]["join"]["buckets"][1]); },
         code::not_ascending, "histograms.join.buckets[1]"},
        {"a zero count", [](json& d) { d["histograms"]["join"]["buckets"][1][1] = 0; }, code::not_ascending,
         "histograms.join.buckets[1]"},
        {"counts that overflow",
         [half](json& d) {
             json& h = d["histograms"]["frame.latency"];
             h["buckets"] = json::array({json::array({10, half}), json::array({20, half})});
             h["min"] = 10;
             h["max"] = 20;
             h["clamped"] = 0;
         },
         code::count_overflow, "histograms.frame.latency.buckets[1]"},
        {"count disagrees with the buckets",
         [](json& d) { d["histograms"]["join"]["count"] = d["histograms"]["join"]["count"].get<std::uint64_t>() + 1; },
         code::inconsistent, "histograms.join.count"},
        {"min outside the first bucket", [](json& d) { d["histograms"]["join"]["min"] = 2'000'000; },
         code::inconsistent, "histograms.join"},
        {"max above the range but nothing clamped", [](json& d) { d["histograms"]["join"]["clamped"] = 0; },
         code::inconsistent, "histograms.join"},
        {"an empty histogram with a max", [](json& d) { d["histograms"]["rekey.convergence"]["max"] = 5; },
         code::inconsistent, "histograms.rekey.convergence"},
        {"six significant digits", [](json& d) { d["histograms"]["join"]["significant_digits"] = 6; },
         code::out_of_range, "histograms.join.significant_digits"},
        {"highest below twice lowest",
         [](json& d) {
             d["histograms"]["rekey.convergence"]["lowest_discernible"] = 1000;
             d["histograms"]["rekey.convergence"]["highest_trackable"] = 1500;
         },
         code::invalid_config, "histograms.rekey.convergence"},
        {"a configuration that is valid but not the one the buckets were counted in",
         [](json& d) { d["histograms"]["join"]["significant_digits"] = 1; }, code::out_of_range,
         "histograms.join.buckets["},
        {"an unknown field", [](json& d) { d["histograms"]["join"]["p99"] = 5; }, code::unknown_field,
         "histograms.join.p99"},
        {"a missing field", [](json& d) { d["histograms"]["join"].erase("min"); }, code::missing_field,
         "histograms.join.min"},
        {"another format", [](json& d) { d["format"] = "hdrhistogram"; }, code::unsupported_version, "format"},
        {"a format that is not a string", [](json& d) { d["format"] = 1; }, code::wrong_type, "format"},
        {"version 2", [](json& d) { d["version"] = 2; }, code::unsupported_version, "version"},
        {"the top level is an array", [](json& d) { d = json::array(); }, code::wrong_type, "(top level)"},
        {"histograms is an array", [](json& d) { d["histograms"] = json::array(); }, code::wrong_type, "histograms"},
        {"no series", [](json& d) { d.erase("series"); }, code::missing_field, "series"},
        {"a metric name with capitals", [](json& d) { d["histograms"]["Join"] = d["histograms"]["join"]; },
         code::invalid_name, "histograms.Join"},
        {"a counter named like a histogram", [](json& d) { d["counters"]["join"] = 1; }, code::duplicate_name,
         "counters.join"},
        {"a negative counter", [](json& d) { d["counters"]["errors.auth"] = -3; }, code::out_of_range,
         "counters.errors.auth"},
        {"a counter that is a string", [](json& d) { d["counters"]["errors.auth"] = "3"; }, code::wrong_type,
         "counters.errors.auth"},
        {"series columns of different lengths", [](json& d) { d["series"]["frames"].push_back(1); }, code::inconsistent,
         "series"},
        {"an interval width that is not a power of two", [](json& d) { d["series"]["interval_seconds"] = 3; },
         code::out_of_range, "series.interval_seconds"},
        {"a zero interval width", [](json& d) { d["series"]["interval_seconds"] = 0; }, code::out_of_range,
         "series.interval_seconds"},
        {"no intervals",
         [](json& d) {
             for (const char* column : {"connected", "frames", "errors", "latency"})
                 d["series"][column] = json::array();
         },
         code::out_of_range, "series.connected"},
        {"more intervals than max_intervals", [](json& d) { d["series"]["max_intervals"] = 2; }, code::out_of_range,
         "series.connected"},
        {"max_intervals of one", [](json& d) { d["series"]["max_intervals"] = 1; }, code::out_of_range,
         "series.max_intervals"},
        {"a series latency index past the counters",
         [](json& d) {
             d["series"]["latency"][0] = json::array({json::array({2560, 1})});
         },
         code::out_of_range, "series.latency[0][0]"},
        {"a series gauge that is a float", [](json& d) { d["series"]["connected"][1] = 2.5; }, code::wrong_type,
         "series.connected[1]"},
        {"a series latency configuration with an unknown field",
         [](json& d) { d["series"]["latency_config"]["unit"] = "us"; }, code::unknown_field,
         "series.latency_config.unit"},
    };
    for (const row& r : table) {
        CAPTURE(r.name);
        json doc = valid;
        r.mutate(doc);
        require_error(metric_set_from_json(doc), r.code, r.detail);
    }
}

TEST_CASE("a report that would allocate past the reader's budget is refused", "[loadgen][metrics][json]") {
    const json valid = to_json(sample_report(3));
    read_limits small;
    // The series' 2,560 counters and frame.latency's 17,408 fit; join's 23,552 more do not.
    small.max_counters = 30'000;
    require_error(metric_set_from_json(valid, small), metrics_error_code::too_large, "histograms.");
    read_limits tiny_text;
    tiny_text.max_bytes = 100;
    require_error(metric_set_from_json_text(valid.dump(), tiny_text), metrics_error_code::too_large, "");
}

TEST_CASE("text that is not a well-formed report is refused as invalid_json", "[loadgen][metrics][json]") {
    const std::string valid = to_json_text(sample_report(4));
    const std::string duplicated = std::string(valid).insert(1, R"("version":1,)");
    const std::string cases[] = {
        "",
        "{",
        "not json",
        "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
        duplicated,
        std::string("{\"format\":\"stoa-load-metrics\xff\"}"),  // not UTF-8
        valid + "x",
    };
    for (const std::string& text : cases) {
        CAPTURE(text.substr(0, 40));
        require_error(metric_set_from_json_text(text), metrics_error_code::invalid_json, "");
    }
}

TEST_CASE("every truncation of a report is refused", "[loadgen][metrics][json]") {
    const std::string valid = to_json_text(sample_report(5, 3, 40));
    REQUIRE(metric_set_from_json_text(valid).ok());
    std::size_t accepted = 0;
    for (std::size_t length = 0; length < valid.size(); ++length) {
        if (metric_set_from_json_text(std::string_view(valid).substr(0, length)).ok()) ++accepted;
    }
    CHECK(accepted == 0);
}

TEST_CASE("corrupted reports never throw or crash, and whatever parses re-serializes to itself",
          "[loadgen][metrics][json]") {
    const std::string valid = to_json_text(sample_report(6, 3, 40));
    std::mt19937_64 rng(6);
    const std::string alphabet = "0123456789[]{},:\"-.e ";
    std::size_t parsed = 0;
    for (int round = 0; round < 3'000; ++round) {
        std::string text = valid;
        const int edits = 1 + static_cast<int>(rng() % 4);
        for (int e = 0; e < edits; ++e) {
            const std::size_t at = rng() % text.size();
            switch (rng() % 3) {
                case 0:
                    text[at] = alphabet[rng() % alphabet.size()];
                    break;
                case 1:
                    text.erase(at, 1 + rng() % 8);
                    break;
                default:
                    text.insert(at, 1, alphabet[rng() % alphabet.size()]);
                    break;
            }
        }
        const auto result = metric_set_from_json_text(text);
        if (result.ok()) {
            ++parsed;
            const auto again = metric_set_from_json_text(to_json_text(*result));
            REQUIRE(again.ok());
            CHECK(*again == *result);
        }
    }
    // Most edits break something; a few (a digit in a gauge, a space) leave a valid report.
    CHECK(parsed < 3'000);
}
