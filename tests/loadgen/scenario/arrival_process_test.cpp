#include <catch2/catch.hpp>

#include <vector>

#include "statistics.hpp"
#include "stoa/loadgen/scenario/arrival_process.hpp"

using namespace stoa;
using namespace stoa::loadgen;
using namespace std::chrono_literals;

TEST_CASE("Poisson arrival counts per window have mean and variance lambda", "[arrival_process]") {
    // lambda = 50 per one-second window, K = 2000 windows. The sample mean has standard error
    // sqrt(lambda/K); the sample variance sqrt((lambda + 2 lambda^2)/K) (Poisson: mu4 = lambda + 3 lambda^2).
    const double rate = 50.0;
    const std::size_t windows = 2000;
    for (std::uint64_t seed : {1ULL, 2ULL, 3ULL}) {
        poisson_process arrivals(rate, deterministic_random(seed));
        std::vector<double> counts(windows, 0.0);
        for (;;) {
            const auto at = arrivals.next();
            const auto window = static_cast<std::size_t>(at / 1s);
            if (window >= windows) break;
            counts[window] += 1.0;
        }
        const auto m = test::moments_of(counts);
        const double k = static_cast<double>(windows);
        INFO("seed " << seed << ": mean " << m.mean << ", variance " << m.variance);
        CHECK(std::abs(m.mean - rate) < test::z_two_sided * std::sqrt(rate / k));
        CHECK(std::abs(m.variance - rate) < test::z_two_sided * std::sqrt((rate + 2 * rate * rate) / k));
    }
}

TEST_CASE("Poisson inter-arrival times are exponential (KS at alpha 0.001)", "[arrival_process]") {
    const double rate = 200.0;
    poisson_process arrivals(rate, deterministic_random(11));
    std::vector<double> gaps;
    duration last{};
    for (int i = 0; i < 20000; ++i) {
        const duration at = arrivals.next();
        REQUIRE(at >= last);
        gaps.push_back(std::chrono::duration<double>(at - last).count());
        last = at;
    }
    const double d = test::ks_statistic(gaps, [rate](double x) { return 1.0 - std::exp(-rate * x); });
    INFO("KS " << d << " against " << test::ks_critical(gaps.size()));
    CHECK(d < test::ks_critical(gaps.size()));
}

TEST_CASE("a Poisson process of rate zero never fires within a scenario", "[arrival_process]") {
    poisson_process never(0.0, deterministic_random(1));
    CHECK(never.next() > max_scenario_duration);
}

TEST_CASE("a Poisson storm gives exactly N sorted times in [0, T], uniform like a conditioned Poisson process",
          "[arrival_process]") {
    for (std::uint32_t n : {1U, 2U, 100U, 20000U}) {
        storm_times storm(arrival_pattern::poisson, n, 10s, deterministic_random(n));
        std::vector<double> fractions;
        duration last{};
        while (auto at = storm.next()) {
            REQUIRE(*at >= last);
            REQUIRE(*at <= 10s);
            last = *at;
            fractions.push_back(std::chrono::duration<double>(*at).count() / 10.0);
        }
        CHECK(fractions.size() == n);
        CHECK(storm.remaining() == 0);
        if (n >= 100) {
            // Given N arrivals in [0, T], a Poisson process's times are N independent uniforms.
            const double d = test::ks_statistic(fractions, [](double x) { return std::clamp(x, 0.0, 1.0); });
            INFO("n " << n << ": KS " << d);
            CHECK(d < test::ks_critical(n));
        }
    }
}

TEST_CASE("a uniform storm spaces its N times evenly", "[arrival_process]") {
    storm_times storm(arrival_pattern::uniform, 4, 1s, deterministic_random(1));
    CHECK(*storm.next() == 125ms);
    CHECK(*storm.next() == 375ms);
    CHECK(*storm.next() == 625ms);
    CHECK(*storm.next() == 875ms);
    CHECK_FALSE(storm.next().has_value());
    storm_times none(arrival_pattern::poisson, 0, 1s, deterministic_random(1));
    CHECK_FALSE(none.next().has_value());
    storm_times instant(arrival_pattern::poisson, 3, 0s, deterministic_random(1));
    CHECK(*instant.next() == 0s);
}
