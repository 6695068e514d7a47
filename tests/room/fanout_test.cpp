// Fan-out stays linear: a storm of n joins costs O(n) messages under the relay's rule (stage
// deltas to every member, full deltas to privileged members, unicasts to one), and a
// listener's replica does not grow with the audience.
#include <catch2/catch.hpp>

#include <chrono>

#include "room_test_support.hpp"
#include "stoa/room/authority.hpp"

using namespace stoa;
using namespace stoa::room;
using namespace stoa::room::test;

namespace {

struct storm_result {
    std::uint64_t messages = 0;
    std::uint64_t stage_deltas = 0;
    std::size_t listener_replica_bytes = 0;
    std::size_t listener_stage_size = 0;
    std::size_t host_replica_members = 0;
};

// n joins spread evenly over a fixed 2 s window with a tick every 100 ms: a storm's arrival
// rate grows with n, as it does when a link is shared.
storm_result join_storm(std::uint32_t n, std::uint32_t moderators) {
    room_config config;
    config.limits.max_members = n + moderators + 2;  // host and watcher too
    room_authority room(config);
    storm_result result;

    const member_id host = make_member(0);
    // Privileged followers, counted per delta from the room's own state.
    auto privileged = [&] { return std::uint64_t{1} + moderators; };
    auto count = [&](const outcome& out) {
        for (const sequenced_delta& d : out.deltas) {
            result.messages += d.on == stream::stage ? room.member_count() : privileged();
            result.stage_deltas += d.on == stream::stage ? 1 : 0;
        }
        result.messages += out.notices.size();
    };
    // Set-up before the storm (not counted): the host and the moderators.
    full_replica host_replica;
    {
        const outcome out = must(room, host, join_as(host));
        REQUIRE(host_replica.load(std::get<full_snapshot>(notices_to<notice::welcome>(out, host).at(0).snapshot)).ok());
    }
    for (std::uint32_t m = 1; m <= moderators; ++m) {
        const member_id id = make_member(m);
        for (const any_action& a : {any_action{join_as(id)}, any_action{action::accept_invite{}}}) {
            if (std::holds_alternative<action::accept_invite>(a)) {
                for (const auto& d : must(room, host, action::invite_to_stage{id}).deltas) {
                    if (d.on == stream::full) REQUIRE(host_replica.apply(d).ok());
                }
            }
            for (const auto& d : must(room, id, a).deltas) {
                if (d.on == stream::full) REQUIRE(host_replica.apply(d).ok());
            }
        }
        for (const auto& d : must(room, host, action::promote_moderator{id}).deltas) {
            if (d.on == stream::full) REQUIRE(host_replica.apply(d).ok());
        }
    }
    // A listener who joined first watches the storm from the stage stream.
    const member_id watcher = make_member(1'000'000);
    stage_replica watcher_replica(watcher);
    {
        const outcome out = must(room, watcher, join_as(watcher));
        REQUIRE(watcher_replica.load(std::get<stage_snapshot>(notices_to<notice::welcome>(out, watcher).at(0).snapshot)).ok());
        for (const auto& d : out.deltas) {
            if (d.on == stream::full) REQUIRE(host_replica.apply(d).ok());
        }
    }
    auto feed = [&](const outcome& out) {
        count(out);
        for (const sequenced_delta& d : out.deltas) {
            if (d.on == stream::stage) {
                REQUIRE(watcher_replica.apply(d).ok());
            } else {
                REQUIRE(host_replica.apply(d).ok());
            }
        }
    };

    const std::int64_t window_us = 2'000'000;
    std::int64_t next_tick = 100'000;
    for (std::uint32_t i = 0; i < n; ++i) {
        const std::int64_t now = window_us * i / n;
        while (now >= next_tick) {
            feed(room.tick(from_micros(next_tick)));
            next_tick += 100'000;
        }
        const member_id id = make_member(10 + moderators + i);
        feed(must(room, id, join_as(id), from_micros(now)));
    }
    feed(room.tick(from_micros(window_us + 1'000'000)));

    CHECK(watcher_replica.audience_count() == n + 1);
    CHECK(host_replica.to_snapshot() == room.full_snapshot());
    result.listener_replica_bytes = watcher_replica.approximate_bytes();
    result.listener_stage_size = watcher_replica.stage_size();
    result.host_replica_members = host_replica.member_count();
    return result;
}

}  // namespace

TEST_CASE("a 10000-join storm costs a linear number of messages", "[room][fanout]") {
    for (std::uint32_t moderators : {0U, 3U}) {
        INFO("moderators: " << moderators);
        const storm_result at_10k = join_storm(10'000, moderators);
        const storm_result at_20k = join_storm(20'000, moderators);
        // Per join: its welcome, one full delta per privileged member, and a share of the
        // rate-limited count deltas (at most three per second of storm, to every member).
        const std::uint64_t c = 4 + 2 * (1 + moderators);
        CHECK(at_10k.messages <= c * 10'000);
        CHECK(at_10k.messages >= 10'000);  // at least the welcomes: the count is not vacuous
        const double growth = static_cast<double>(at_20k.messages) / static_cast<double>(at_10k.messages);
        CHECK(growth > 1.8);
        CHECK(growth < 2.2);
        // Quadratic fan-out (every join told to every member) would be n^2/2 = 50,000,000.
        CHECK(at_10k.messages < 10'000ULL * 10'000ULL / 100);
        // The count deltas depend on time, not on the number of joins.
        CHECK(at_10k.stage_deltas == at_20k.stage_deltas);
        // The listener's replica holds the stage, not the audience.
        CHECK(at_10k.listener_stage_size == 1 + moderators);
        CHECK(at_20k.listener_stage_size == at_10k.listener_stage_size);
        CHECK(at_20k.listener_replica_bytes == at_10k.listener_replica_bytes);
        CHECK(at_20k.host_replica_members == 20'000 + moderators + 2);
    }
}
