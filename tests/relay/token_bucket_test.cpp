// The token bucket behind every relay rate limit: burst, refill, cap, and a clock that stalls.
#include <catch2/catch.hpp>

#include "stoa/relay/token_bucket.hpp"

using stoa::from_micros;
using stoa::relay::token_bucket;

TEST_CASE("a token bucket grants its burst, then its rate, never more than its burst", "[relay][limits]") {
    const auto t0 = from_micros(1'000'000);
    token_bucket bucket({3.0, 2.0}, t0);
    CHECK(bucket.full(t0));
    CHECK(bucket.take(t0));
    CHECK(bucket.take(t0));
    CHECK(bucket.take(t0));
    CHECK_FALSE(bucket.take(t0));
    CHECK_FALSE(bucket.full(t0));
    CHECK_FALSE(bucket.take(t0 + std::chrono::milliseconds(400)));  // 0.8 of a token
    CHECK(bucket.take(t0 + std::chrono::milliseconds(500)));         // 1.0
    CHECK_FALSE(bucket.take(t0 + std::chrono::milliseconds(500)));
    // A long pause refills to the burst, not beyond.
    const auto later = t0 + std::chrono::seconds(60);
    CHECK(bucket.full(later));
    int granted = 0;
    while (bucket.take(later)) ++granted;
    CHECK(granted == 3);
    // Time running backwards grants nothing.
    CHECK_FALSE(bucket.take(t0));
}

TEST_CASE("a zero burst refuses everything", "[relay][limits]") {
    const auto t0 = from_micros(0);
    token_bucket bucket({0.0, 100.0}, t0);
    CHECK_FALSE(bucket.take(t0 + std::chrono::seconds(10)));
}
