#include <catch2/catch.hpp>

#include "stoa/loadgen/scenario/quantity.hpp"

using namespace stoa;
using namespace stoa::loadgen;
using namespace std::chrono_literals;

TEST_CASE("parse_duration reads a number and a unit, exactly", "[quantity]") {
    struct row {
        const char* text;
        duration expected;
    };
    const row rows[] = {
        {"0s", 0us},           {"10s", 10s},       {"250ms", 250ms}, {"20us", 20us},
        {"20\xC2\xB5s", 20us}, {"1.5m", 90s},      {"2h", 2h},       {"1h30m", 90min},
        {"1m30s", 90s},        {"1.004s", 1004ms}, {"0.5ms", 500us}, {".25s", 250ms},
        {"1.500s", 1500ms},    {"1min", 60s},      {"720h", 720h},   {"0.000001s", 1us},
        {"10s500ms", 10500ms},
    };
    for (const auto& r : rows) {
        INFO(r.text);
        auto parsed = parse_duration(r.text);
        REQUIRE(parsed.ok());
        CHECK(*parsed == r.expected);
    }
}

TEST_CASE("parse_duration says why it refuses", "[quantity]") {
    struct row {
        const char* text;
        const char* reason;
    };
    const row rows[] = {
        {"", "it is empty"},
        {"10", "a number needs a unit: us, ms, s, m or h"},
        {"10 s", "unknown unit (use us, ms, s, m or h)"},
        {"10sec", "unknown unit (use us, ms, s, m or h)"},
        {"s", "a duration is a number and a unit (us, ms, s, m or h)"},
        {"-5s", "a duration cannot be negative"},
        {"0.5us", "it is finer than a microsecond"},
        {"1.0000001s", "it is finer than a microsecond"},
        {"721h", "it is longer than 30 days"},
        {"99999999999999999999h", "it is longer than 30 days"},
        {"700h700h", "it is longer than 30 days"},
    };
    for (const auto& r : rows) {
        INFO(r.text);
        auto parsed = parse_duration(r.text);
        REQUIRE_FALSE(parsed.ok());
        CHECK(parsed.error() == r.reason);
    }
}

TEST_CASE("format_duration gives text that parses back to the same duration", "[quantity]") {
    const duration values[] = {0us, 1us, 999us, 1ms,   1500us, 250ms,        1s,  1004ms,
                               59s, 60s, 90s,   3600s, 5400s,  3723004005us, 720h};
    for (const auto value : values) {
        const std::string text = format_duration(value);
        INFO(text);
        auto back = parse_duration(text);
        REQUIRE(back.ok());
        CHECK(*back == value);
    }
    CHECK(format_duration(1004ms) == "1.004s");
    CHECK(format_duration(5400s) == "1h30m");
    CHECK(format_duration(250ms) == "250ms");
}

TEST_CASE("parse_share reads percentages and fractions", "[quantity]") {
    CHECK(parse_share("100%")->fraction == 1.0);
    CHECK(parse_share("0.1%")->fraction == Approx(0.001));
    CHECK(parse_share("0%")->fraction == 0.0);
    CHECK(parse_share("0.25")->fraction == 0.25);
    CHECK(parse_share("1")->fraction == 1.0);
    for (const char* bad : {"", "%", "101%", "1.5", "-1%", "abc", "inf", "nan%", "5 %"}) {
        INFO(bad);
        CHECK_FALSE(parse_share(bad).ok());
    }
    CHECK(format_share(share{0.001}) == "0.1%");
    CHECK(format_share(share{1.0}) == "100%");
}

TEST_CASE("parse_rate reads events per unit of time", "[quantity]") {
    CHECK(*parse_rate("20/s") == 20.0);
    CHECK(*parse_rate("300/m") == Approx(5.0));
    CHECK(*parse_rate("300/min") == Approx(5.0));
    CHECK(*parse_rate("7200/h") == Approx(2.0));
    CHECK(*parse_rate("0.5/s") == 0.5);
    for (const char* bad : {"20", "20/", "20/d", "/s", "-1/s", "x/s"}) {
        INFO(bad);
        CHECK_FALSE(parse_rate(bad).ok());
    }
}
