#include <catch2/catch.hpp>

#include <cmath>

#include "stoa/loadgen/scenario/zipf_distribution.hpp"

using namespace stoa::loadgen;

TEST_CASE("zipf probabilities follow 1/(k+1)^s and sum to one", "[zipf_distribution]") {
    for (double s : {0.0, 0.8, 1.0, 1.5}) {
        const zipf_distribution zipf(50, s);
        double sum = 0.0;
        for (std::uint32_t k = 0; k < 50; ++k) sum += zipf.probability(k);
        CHECK(sum == Approx(1.0));
        CHECK(zipf.probability(0) / zipf.probability(1) == Approx(std::pow(2.0, s)));
        CHECK(zipf.probability(9) / zipf.probability(19) == Approx(std::pow(2.0, s)));
    }
    CHECK(zipf_distribution(4, 0.0).probability(3) == Approx(0.25));
    CHECK(zipf_distribution(1, 1.0).probability(0) == 1.0);
}

TEST_CASE("item_at inverts the cumulative distribution", "[zipf_distribution]") {
    const zipf_distribution zipf(3, 1.0);  // 6/11, 3/11, 2/11
    CHECK(zipf.item_at(0.0) == 0);
    CHECK(zipf.item_at(6.0 / 11.0 - 1e-9) == 0);
    CHECK(zipf.item_at(6.0 / 11.0 + 1e-9) == 1);
    CHECK(zipf.item_at(9.0 / 11.0 + 1e-9) == 2);
    CHECK(zipf.item_at(0.999999999) == 2);
    CHECK(zipf.item_at(1.0) == 2);  // never past the last item
}
