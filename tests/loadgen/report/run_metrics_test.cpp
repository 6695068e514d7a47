// The run's catalog: every name valid and unique, histograms of the documented range and
// precision, and error counters only for names that can be metrics and are new.
#include <catch2/catch.hpp>

#include <set>
#include <string>

#include "report_data.hpp"

using namespace stoa::loadgen;

TEST_CASE("run_metrics names are valid metric names and distinct", "[run_metrics]") {
    std::set<std::string_view> seen;
    for (const std::string_view name : run_metrics::histograms) {
        CHECK(metrics::is_valid_metric_name(name));
        CHECK(seen.insert(name).second);
    }
    for (const std::string_view name : run_metrics::fixed_counters) {
        CHECK(metrics::is_valid_metric_name(name));
        CHECK(seen.insert(name).second);
    }
}

TEST_CASE("make_catalog holds the histograms at 1 us to 1 h and 3 digits, then the counters", "[run_metrics]") {
    const metrics::metric_catalog catalog = stoa::test::report_catalog();
    REQUIRE(catalog.histograms().size() == run_metrics::histograms.size());
    for (std::size_t i = 0; i < run_metrics::histograms.size(); ++i) {
        CHECK(catalog.histograms()[i].name == run_metrics::histograms[i]);
        CHECK(catalog.histograms()[i].layout.config() == metrics::histogram_config{1, 3'600'000'000, 3});
    }
    REQUIRE(catalog.counters().size() == run_metrics::fixed_counters.size() + 3 + run_metrics::http_error_names.size());
    for (std::size_t i = 0; i < run_metrics::fixed_counters.size(); ++i)
        CHECK(catalog.counters()[i] == run_metrics::fixed_counters[i]);
    CHECK(catalog.find_counter("errors.room_full"));
    CHECK(catalog.find_counter("errors.not_allowed"));
    CHECK(catalog.find_counter("errors.rate_limited"));
    CHECK(catalog.series() == metrics::time_series_config{});
    CHECK(metrics::metric_set::make(catalog, stoa::test::report_origin).ok());
}

TEST_CASE("make_catalog skips error names that are invalid, empty or already counted", "[run_metrics]") {
    const std::array<std::string_view, 8> names{"room_full", "Room Full", "",    "other",
                                                "room_full", "kicked",    "a/b", std::string_view("x\0y", 3)};
    const auto catalog = run_metrics::make_catalog(names);
    REQUIRE(catalog.ok());
    CHECK(catalog->counters().size() == run_metrics::fixed_counters.size() + 2 + run_metrics::http_error_names.size());
    CHECK(catalog->find_counter("errors.room_full"));
    CHECK(catalog->find_counter("errors.kicked"));
    CHECK_FALSE(catalog->find_counter("errors."));
}

TEST_CASE("make_catalog with no error names has the fixed metrics only", "[run_metrics]") {
    const auto catalog = run_metrics::make_catalog({});
    REQUIRE(catalog.ok());
    CHECK(catalog->histograms().size() == 11);
    // The fixed counters and one per HTTP status a refused upgrade is counted by.
    CHECK(catalog->counters().size() == 48 + 9);
    CHECK(catalog->find_counter("errors.http_404"));
}

TEST_CASE("make_catalog reports a catalog over the metric limit instead of truncating it", "[run_metrics]") {
    std::vector<std::string> storage;
    for (int i = 0; i < 300; ++i) storage.push_back("code_" + std::to_string(i));
    const std::vector<std::string_view> names(storage.begin(), storage.end());
    const auto catalog = run_metrics::make_catalog(names);
    REQUIRE_FALSE(catalog.ok());
    CHECK(catalog.error().code == metrics::metrics_error_code::too_large);
}
