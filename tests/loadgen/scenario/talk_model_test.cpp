#include <catch2/catch.hpp>

#include <vector>

#include "statistics.hpp"
#include "stoa/loadgen/scenario/talk_model.hpp"

using namespace stoa;
using namespace stoa::loadgen;
using namespace std::chrono_literals;

TEST_CASE("a conversational speaker alternates exponential talkspurts and pauses with P.59's means", "[talk_model]") {
    const talk_model model;  // P.59: 1.004 s talkspurts, 1.587 s pauses
    talk_generator talk(model, 42);
    std::vector<double> spurts;
    std::vector<double> pauses;
    bool expect_talking = true;
    for (int i = 0; i < 20000; ++i) {
        const auto spell = talk.next();
        REQUIRE(spell.talking == expect_talking);
        REQUIRE(spell.length >= 1us);
        expect_talking = !expect_talking;
        (spell.talking ? spurts : pauses).push_back(std::chrono::duration<double>(spell.length).count());
    }
    const auto exponential_cdf = [](double mean) { return [mean](double x) { return 1.0 - std::exp(-x / mean); }; };
    CHECK(test::ks_statistic(spurts, exponential_cdf(1.004)) < test::ks_critical(spurts.size()));
    CHECK(test::ks_statistic(pauses, exponential_cdf(1.587)) < test::ks_critical(pauses.size()));
}

TEST_CASE("a continuous speaker never pauses", "[talk_model]") {
    talk_generator talk(talk_model{talk_pattern::continuous, 1s, 1s}, 1);
    for (int i = 0; i < 3; ++i) {
        const auto spell = talk.next();
        CHECK(spell.talking);
        CHECK(spell.length >= max_scenario_duration);
    }
}
