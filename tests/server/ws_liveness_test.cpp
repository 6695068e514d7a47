// The idle rule: a check without input since the last one pings, a second one in a row cuts,
// and any input in between starts the count again.
#include <catch2/catch.hpp>

#include "stoa/server/ws_liveness.hpp"

using stoa::server::liveness_verdict;
using stoa::server::ws_liveness;

TEST_CASE("a quiet peer is pinged at the first check and declared dead at the second", "[server][liveness]") {
    ws_liveness liveness;
    CHECK(liveness.check() == liveness_verdict::ping);
    CHECK(liveness.check() == liveness_verdict::dead);
    CHECK(liveness.check() == liveness_verdict::dead);  // stays dead: the session has cut by now
}

TEST_CASE("input between two checks keeps the peer alive and forgets the outstanding ping", "[server][liveness]") {
    ws_liveness liveness;
    CHECK(liveness.check() == liveness_verdict::ping);
    liveness.heard();  // the pong, or any other frame
    CHECK(liveness.check() == liveness_verdict::alive);
    CHECK(liveness.check() == liveness_verdict::ping);  // a fresh strike, not the second one
    liveness.heard();
    liveness.heard();  // heard twice is heard once
    CHECK(liveness.check() == liveness_verdict::alive);
    CHECK(liveness.check() == liveness_verdict::ping);
    CHECK(liveness.check() == liveness_verdict::dead);
}

TEST_CASE("a peer that keeps talking is never pinged", "[server][liveness]") {
    ws_liveness liveness;
    for (int i = 0; i < 10; ++i) {
        liveness.heard();
        CHECK(liveness.check() == liveness_verdict::alive);
    }
}
