#include <catch2/catch.hpp>

#include <vector>

#include "statistics.hpp"
#include "stoa/loadgen/scenario/reconnect_backoff.hpp"

using namespace stoa;
using namespace stoa::loadgen;
using namespace std::chrono_literals;

TEST_CASE("the backoff ceiling grows by the multiplier up to max", "[reconnect_backoff]") {
    const reconnect_backoff backoff{500ms, 10s, 2.0, share{1.0}};
    CHECK(backoff.ceiling(0) == 500ms);
    CHECK(backoff.ceiling(1) == 1s);
    CHECK(backoff.ceiling(4) == 8s);
    CHECK(backoff.ceiling(5) == 10s);
    CHECK(backoff.ceiling(1000) == 10s);
    CHECK(backoff.ceiling(UINT32_MAX) == 10s);
    CHECK(backoff.shortest(0) == 0us);
    const reconnect_backoff half{500ms, 10s, 2.0, share{0.5}};
    CHECK(half.shortest(0) == 250ms);
    CHECK(half.shortest(9) == 5s);
}

TEST_CASE("every delay lies within the attempt's bounds and is uniform between them", "[reconnect_backoff]") {
    const reconnect_backoff backoff{200ms, 5s, 1.5, share{0.5}};
    deterministic_random random(7);
    for (std::uint32_t attempt = 0; attempt < 12; ++attempt) {
        const duration low = backoff.shortest(attempt);
        const duration high = backoff.ceiling(attempt);
        std::vector<double> delays;
        for (int i = 0; i < 4000; ++i) {
            const duration d = backoff.delay(attempt, random);
            REQUIRE(d >= low);
            REQUIRE(d <= high);
            REQUIRE(d <= backoff.max);
            delays.push_back(static_cast<double>(d.count()));
        }
        const double a = static_cast<double>(low.count());
        const double b = static_cast<double>(high.count());
        const double d = test::ks_statistic(delays, [&](double x) { return std::clamp((x - a) / (b - a), 0.0, 1.0); });
        INFO("attempt " << attempt << ": KS " << d);
        CHECK(d < test::ks_critical(delays.size()));
    }
}

TEST_CASE("without jitter the delay is the ceiling", "[reconnect_backoff]") {
    const reconnect_backoff backoff{100ms, 1s, 3.0, share{0.0}};
    deterministic_random random(1);
    CHECK(backoff.delay(0, random) == 100ms);
    CHECK(backoff.delay(1, random) == 300ms);
    CHECK(backoff.delay(2, random) == 900ms);
    CHECK(backoff.delay(3, random) == 1s);
}
