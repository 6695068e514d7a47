// The fan-out list on its own: a room's recipients by delta stream, contiguous, every change O(1),
// and a long random run against a plain model (one std::set per stream).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <random>
#include <set>
#include <span>
#include <vector>

#include "stoa/relay/fanout_list.hpp"

using stoa::relay::connection_id;
using stoa::relay::fanout_list;
using stoa::room::stream;

namespace {

[[nodiscard]] std::set<std::uint64_t> ids(std::span<const connection_id> span) {
    std::set<std::uint64_t> out;
    for (const connection_id c : span) out.insert(c.value);
    return out;
}

[[nodiscard]] std::vector<std::uint64_t> all_except(const fanout_list& list, connection_id except) {
    std::vector<std::uint64_t> out;
    for (const auto part : list.everyone_except(except)) {
        for (const connection_id c : part) out.push_back(c.value);
    }
    return out;
}

[[nodiscard]] fanout_list list_of(std::initializer_list<std::uint64_t> stage,
                                  std::initializer_list<std::uint64_t> full) {
    fanout_list list;
    for (const auto c : stage) REQUIRE(list.add(connection_id(c), stream::stage));
    for (const auto c : full) REQUIRE(list.add(connection_id(c), stream::full));
    return list;
}

}  // namespace

TEST_CASE("an empty fan-out list has no one to send to", "[relay][fanout_list]") {
    const fanout_list list;
    CHECK(list.empty());
    CHECK(list.size() == 0);
    CHECK(list.followers(stream::stage).empty());
    CHECK(list.followers(stream::full).empty());
    CHECK(all_except(list, connection_id(1)).empty());
    CHECK_FALSE(list.contains(connection_id(1)));
    CHECK_FALSE(list.stream_of(connection_id(1)).has_value());
}

TEST_CASE("each recipient follows exactly one stream", "[relay][fanout_list]") {
    fanout_list list = list_of({1, 2, 3}, {10, 11});
    CHECK(list.size() == 5);
    CHECK(list.size(stream::stage) == 3);
    CHECK(list.size(stream::full) == 2);
    CHECK(ids(list.followers(stream::stage)) == std::set<std::uint64_t>{1, 2, 3});
    CHECK(ids(list.followers(stream::full)) == std::set<std::uint64_t>{10, 11});
    CHECK(list.stream_of(connection_id(2)) == stream::stage);
    CHECK(list.stream_of(connection_id(11)) == stream::full);

    SECTION("adding someone already present changes nothing, whichever stream is named") {
        CHECK_FALSE(list.add(connection_id(2), stream::stage));
        CHECK_FALSE(list.add(connection_id(2), stream::full));
        CHECK_FALSE(list.add(connection_id(10), stream::stage));
        CHECK(list.size() == 5);
        CHECK(list.stream_of(connection_id(2)) == stream::stage);
        CHECK(list.stream_of(connection_id(10)) == stream::full);
    }
    SECTION("moving switches the stream; moving to the same stream is a no-op") {
        CHECK(list.move(connection_id(2), stream::full));
        CHECK(list.move(connection_id(10), stream::stage));
        CHECK(list.move(connection_id(1), stream::stage));
        CHECK(ids(list.followers(stream::stage)) == std::set<std::uint64_t>{1, 3, 10});
        CHECK(ids(list.followers(stream::full)) == std::set<std::uint64_t>{2, 11});
        CHECK(list.size() == 5);
    }
    SECTION("moving someone absent is refused") {
        CHECK_FALSE(list.move(connection_id(99), stream::stage));
        CHECK(list.size() == 5);
        CHECK_FALSE(list.contains(connection_id(99)));
    }
    SECTION("removing takes the recipient off its stream only") {
        CHECK(list.remove(connection_id(1)));
        CHECK(list.remove(connection_id(11)));
        CHECK_FALSE(list.remove(connection_id(1)));
        CHECK_FALSE(list.contains(connection_id(1)));
        CHECK(ids(list.followers(stream::stage)) == std::set<std::uint64_t>{2, 3});
        CHECK(ids(list.followers(stream::full)) == std::set<std::uint64_t>{10});
        SECTION("and a removed recipient may come back on either stream") {
            CHECK(list.add(connection_id(1), stream::full));
            CHECK(list.stream_of(connection_id(1)) == stream::full);
        }
    }
    SECTION("clearing empties both streams") {
        list.clear();
        CHECK(list.empty());
        CHECK(list.followers(stream::stage).empty());
        CHECK(list.followers(stream::full).empty());
        CHECK(list.add(connection_id(1), stream::full));
        CHECK(list.size(stream::full) == 1);
    }
}

TEST_CASE("both streams share one array, the stage stream first", "[relay][fanout_list]") {
    fanout_list list = list_of({1, 2}, {10, 11, 12});
    CHECK(list.add(connection_id(3), stream::stage));  // lands between the streams
    const auto everyone = list.everyone();
    REQUIRE(everyone.size() == 6);
    CHECK(list.followers(stream::stage).data() == everyone.data());
    CHECK(list.followers(stream::full).data() == everyone.data() + list.size(stream::stage));
    CHECK(ids(everyone.first(3)) == std::set<std::uint64_t>{1, 2, 3});
    CHECK(ids(everyone.subspan(3)) == std::set<std::uint64_t>{10, 11, 12});
}

TEST_CASE("everyone but the sender, wherever the sender sits", "[relay][fanout_list]") {
    const fanout_list list = list_of({1, 2, 3}, {10, 11});
    // Table: the sender, and who hears it.
    const std::vector<std::pair<std::uint64_t, std::set<std::uint64_t>>> table{
        {1, {2, 3, 10, 11}}, {2, {1, 3, 10, 11}}, {3, {1, 2, 10, 11}},
        {10, {1, 2, 3, 11}}, {11, {1, 2, 3, 10}}, {99, {1, 2, 3, 10, 11}},  // not a recipient
    };
    for (const auto& [sender, heard_by] : table) {
        INFO("sender " << sender);
        const auto heard = all_except(list, connection_id(sender));
        CHECK(heard.size() == heard_by.size());  // nobody twice
        CHECK(std::set<std::uint64_t>(heard.begin(), heard.end()) == heard_by);
    }
    // Reading hands out views into the list itself: nothing is copied per broadcast.
    const auto parts = list.everyone_except(connection_id(3));
    CHECK(parts[0].data() == list.everyone().data());
}

TEST_CASE("a lone recipient sending hears nothing back", "[relay][fanout_list]") {
    const fanout_list list = list_of({7}, {});
    CHECK(all_except(list, connection_id(7)).empty());
    CHECK(all_except(list, connection_id(8)) == std::vector<std::uint64_t>{7});
}

TEST_CASE("a fan-out list agrees with one set per stream over a long random run", "[relay][fanout_list][property]") {
    std::mt19937_64 random(20261211);
    fanout_list list;
    std::set<std::uint64_t> stage;
    std::set<std::uint64_t> full;
    // A small id space, so adds, moves and removes often hit someone present.
    std::uniform_int_distribution<std::uint64_t> pick_id(1, 200);
    std::uniform_int_distribution<int> pick_op(0, 99);
    std::bernoulli_distribution to_full(0.3);

    for (int step = 0; step < 20'000; ++step) {
        const connection_id c(pick_id(random));
        const stream on = to_full(random) ? stream::full : stream::stage;
        auto& model_on = on == stream::stage ? stage : full;
        auto& model_other = on == stream::stage ? full : stage;
        const bool present = stage.contains(c.value) || full.contains(c.value);
        const int op = pick_op(random);
        INFO("step " << step << " op " << op << " id " << c.value);
        if (op < 45) {
            REQUIRE(list.add(c, on) == !present);
            if (!present) model_on.insert(c.value);
        } else if (op < 65) {
            REQUIRE(list.move(c, on) == present);
            if (present) {
                model_other.erase(c.value);
                model_on.insert(c.value);
            }
        } else if (op < 99) {
            REQUIRE(list.remove(c) == present);
            stage.erase(c.value);
            full.erase(c.value);
        } else {
            list.clear();
            stage.clear();
            full.clear();
        }

        REQUIRE(list.size() == stage.size() + full.size());
        REQUIRE(list.size(stream::stage) == stage.size());
        REQUIRE(list.size(stream::full) == full.size());
        REQUIRE(ids(list.followers(stream::stage)) == stage);
        REQUIRE(ids(list.followers(stream::full)) == full);
        const std::uint64_t probe = pick_id(random);
        const bool on_stage = stage.contains(probe);
        const bool on_full = full.contains(probe);
        REQUIRE(list.contains(connection_id(probe)) == (on_stage || on_full));
        if (on_stage) REQUIRE(list.stream_of(connection_id(probe)) == stream::stage);
        if (on_full) REQUIRE(list.stream_of(connection_id(probe)) == stream::full);
        if (!on_stage && !on_full) REQUIRE_FALSE(list.stream_of(connection_id(probe)).has_value());

        std::set<std::uint64_t> expected = stage;
        expected.insert(full.begin(), full.end());
        expected.erase(probe);
        const auto heard = all_except(list, connection_id(probe));
        REQUIRE(heard.size() == expected.size());
        REQUIRE(std::set<std::uint64_t>(heard.begin(), heard.end()) == expected);
    }
}
