#include <catch2/catch.hpp>

#include "stoa/loadgen/scenario/threshold.hpp"

using namespace stoa::loadgen;

TEST_CASE("parse_threshold reads metric, comparator and value with unit", "[threshold]") {
    struct row {
        const char* text;
        const char* metric;
        comparator compare;
        double magnitude;
        threshold_unit unit;
    };
    const row rows[] = {
        {"join.p99<1s", "join.p99", comparator::less, 1.0, threshold_unit::seconds},
        {"frames.loss<0.1%", "frames.loss", comparator::less, 0.001, threshold_unit::ratio},
        {"frame_latency.p50 <= 150ms", "frame_latency.p50", comparator::less_or_equal, 0.15, threshold_unit::seconds},
        {"  decrypt.failures == 0  ", "decrypt.failures", comparator::equal, 0.0, threshold_unit::none},
        {"frames.rate>=45/s", "frames.rate", comparator::greater_or_equal, 45.0, threshold_unit::per_second},
        {"memory.per_member<8KiB", "memory.per_member", comparator::less, 8192.0, threshold_unit::bytes},
        {"memory.rss<2GB", "memory.rss", comparator::less, 2e9, threshold_unit::bytes},
        {"connect.p999>2e-3s", "connect.p999", comparator::greater, 0.002, threshold_unit::seconds},
        {"join.p99.9<2us", "join.p99.9", comparator::less, 2e-6, threshold_unit::seconds},
        {"rekey.max<1.5m", "rekey.max", comparator::less, 90.0, threshold_unit::seconds},
        {"reconnects.count>.5", "reconnects.count", comparator::greater, 0.5, threshold_unit::none},
    };
    for (const auto& r : rows) {
        INFO(r.text);
        auto parsed = parse_threshold(r.text);
        REQUIRE(parsed.ok());
        CHECK(parsed->metric_path() == r.metric);
        CHECK(parsed->compare == r.compare);
        CHECK(parsed->value.magnitude == Approx(r.magnitude).epsilon(1e-12));
        CHECK(parsed->value.unit == r.unit);
        CHECK(parsed->text == r.text);
    }
    CHECK(parse_threshold("join.p99<1s")->metric == std::vector<std::string>{"join", "p99"});
}

TEST_CASE("parse_threshold points at what is wrong", "[threshold]") {
    struct row {
        const char* text;
        std::size_t offset;
        const char* message;
    };
    const row rows[] = {
        {"", 0, "expected a metric name like join.p99"},
        {"<1s", 0, "expected a metric name like join.p99"},
        {"9join<1s", 0, "a metric name starts with a letter, like join.p99"},
        {"Join.p99<1s", 0, "metric names are lower case, like join.p99"},
        {"join.P99<1s", 5, "metric names are lower case, like join.p99"},
        {"join.<1s", 5, "expected a name after the dot"},
        {"join.p99", 8, "expected a comparator (<, <=, >, >= or ==) and a value after the metric"},
        {"join.p99 ~ 1s", 9, "expected a comparator: <, <=, >, >= or =="},
        {"join.p99=1s", 8, "use == to compare for equality"},
        {"join.p99<", 9, "expected a value after the comparator"},
        {"join.p99<<1s", 9, "expected a number, like 1s or 0.1%"},
        {"join.p99<-1s", 9, "thresholds are not negative"},
        {"join.p99<abc", 9, "expected a number, like 1s or 0.1%"},
        {"join.p99<1sec", 10,
         "unknown unit \"sec\" (use a time unit ns, us, ms, s, m, h; %; B, KB, MB, GB, KiB, MiB, GiB; or /s, /m, /h)"},
        {"join.p99<1s x", 12, "unexpected text after the value"},
    };
    for (const auto& r : rows) {
        INFO(r.text);
        auto parsed = parse_threshold(r.text);
        REQUIRE_FALSE(parsed.ok());
        CHECK(parsed.error().offset == r.offset);
        CHECK(parsed.error().message == r.message);
    }
}

TEST_CASE("a threshold holds when the measured value compares as written", "[threshold]") {
    const auto below = *parse_threshold("join.p99<1s");
    CHECK(below.holds(0.999));
    CHECK_FALSE(below.holds(1.0));
    const auto at_most = *parse_threshold("join.p99<=1s");
    CHECK(at_most.holds(1.0));
    const auto zero = *parse_threshold("decrypt.failures==0");
    CHECK(zero.holds(0.0));
    CHECK_FALSE(zero.holds(1.0));
    const auto above = *parse_threshold("frames.rate>45/s");
    CHECK(above.holds(50.0));
    CHECK_FALSE(above.holds(45.0));
    CHECK(parse_threshold("x>=1")->holds(1.0));
}
