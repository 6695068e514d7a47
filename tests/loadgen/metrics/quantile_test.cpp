// The nearest-rank definition every percentile in stoa-load uses.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include "stoa/loadgen/metrics/quantile.hpp"

using stoa::loadgen::metrics::rank_for_quantile;

TEST_CASE("ranks follow the nearest-rank definition", "[loadgen][metrics]") {
    struct row {
        double q;
        std::uint64_t count;
        std::uint64_t rank;
    };
    const row table[] = {
        {0.0, 100, 1},      {0.5, 100, 50},  {0.99, 100, 99},
        {0.999, 1000, 999}, {1.0, 100, 100}, {0.07, 100, 7},
        {0.29, 100, 29},    {0.57, 100, 57}, {0.5, 101, 51},
        {0.99, 101, 100},   {0.001, 100, 1}, {0.999, 100, 100},
        {0.5, 1, 1},        {0.25, 4, 1},    {0.26, 4, 2},
        {-1.0, 10, 1},      {2.0, 10, 10},   {0.9999, 1'000'000, 999'900},
    };
    for (const row& r : table) {
        CAPTURE(r.q, r.count);
        CHECK(rank_for_quantile(r.q, r.count) == r.rank);
    }
    CHECK(rank_for_quantile(std::numeric_limits<double>::quiet_NaN(), 10) == 1);
    CHECK(rank_for_quantile(std::numeric_limits<double>::infinity(), 10) == 10);
}

TEST_CASE("every percentile p / 100 of 1..n values names the value p * n / 100 when that is whole",
          "[loadgen][metrics]") {
    for (int p = 1; p <= 100; ++p) {
        CAPTURE(p);
        CHECK(rank_for_quantile(p / 100.0, 100) == static_cast<std::uint64_t>(p));
        CHECK(rank_for_quantile(p / 100.0, 1000) == static_cast<std::uint64_t>(p * 10));
        CHECK(rank_for_quantile(p / 1000.0, 1000) == static_cast<std::uint64_t>(p));
    }
}
