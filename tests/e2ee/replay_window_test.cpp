// The replay window: each counter once, reordering within 128, nothing older.
#include <catch2/catch.hpp>

#include <set>

#include "e2ee_test_support.hpp"
#include "stoa/e2ee/replay_window.hpp"

using namespace stoa;
using namespace stoa::e2ee;

TEST_CASE("replay window accepts each counter once and refuses the too old", "[e2ee][replay]") {
    replay_window window;
    CHECK(window.check(0).ok());
    window.accept(0);
    CHECK(window.check(0).error() == e2ee_error::replay);
    CHECK(window.check(5).ok());
    window.accept(5);
    CHECK(window.check(3).ok());  // late but inside the window
    window.accept(3);
    CHECK(window.check(3).error() == e2ee_error::replay);
    window.accept(200);
    CHECK(window.check(200 - 127).ok());
    CHECK(window.check(200 - 128).error() == e2ee_error::too_old);
    CHECK(window.check(5).error() == e2ee_error::too_old);
    window.accept(200 + 1000);  // a jump beyond the window clears it
    CHECK(window.check(200).error() == e2ee_error::too_old);
    CHECK(window.check(1200 - 1).ok());
}

TEST_CASE("replay window property: matches a reference model on random reordered streams", "[e2ee][replay]") {
    test::seeded_random random(21);
    for (int round = 0; round < 50; ++round) {
        replay_window window;
        std::set<std::uint64_t> accepted;
        std::uint64_t highest = 0;
        for (int i = 0; i < 500; ++i) {
            // Mostly forward, sometimes a duplicate or a late frame, sometimes a jump.
            const std::uint64_t base = accepted.empty() ? 0 : highest;
            const std::uint64_t jitter = random.uniform(300);
            const std::uint64_t counter = random.uniform(4) == 0 ? base + jitter : (base > jitter ? base - jitter : 0);
            const bool fresh = accepted.empty() || counter > highest;
            const bool in_window = accepted.empty() || counter > highest || highest - counter < 128;
            const bool expected_ok = fresh || (in_window && !accepted.contains(counter));
            auto verdict = window.check(counter);
            CAPTURE(round, i, counter, highest);
            REQUIRE(verdict.ok() == expected_ok);
            if (!verdict.ok()) {
                CHECK(verdict.error() == (in_window ? e2ee_error::replay : e2ee_error::too_old));
                continue;
            }
            window.accept(counter);
            accepted.insert(counter);
            highest = std::max(highest, counter);
        }
    }
}
