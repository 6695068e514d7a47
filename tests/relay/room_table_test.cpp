// The relay's room table on its own: which connection holds which seat, held seats, the
// per-identity counts behind the room quotas, and when a room is erased.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include "room_table.hpp"

using stoa::member_id;
using stoa::public_key;
using stoa::room_id;
using stoa::relay::connection_id;
using stoa::relay::room_state;
using stoa::relay::room_table;

namespace {

const stoa::time_point t0 = stoa::from_micros(1'000'000);

[[nodiscard]] member_id member(std::uint8_t n) {
    member_id id{};
    id.value.fill(n);
    return id;
}

[[nodiscard]] public_key key_of(const member_id& id) {
    public_key key{};
    std::copy(id.value.begin(), id.value.end(), key.value.begin());
    return key;
}

[[nodiscard]] room_id room_number(std::uint8_t n) {
    room_id id{};
    id.value.fill(n);
    return id;
}

[[nodiscard]] room_state& create(room_table& table, const room_id& id, const member_id& creator) {
    stoa::room::room_config config;
    config.id = id;
    room_state* room = table.create(config, {}, key_of(creator), t0);
    REQUIRE(room != nullptr);
    return *room;
}

// Seats `who` in the authority, as the engine does before attaching its connection.
void seat(room_state& room, const member_id& who) {
    auto applied = room.authority.apply(who, stoa::room::action::join{key_of(who), std::nullopt, {}}, t0);
    REQUIRE(applied.ok());
}

}  // namespace

TEST_CASE("a room counts against its creator until it is erased", "[relay][room_table]") {
    room_table table;
    const member_id host = member(1);
    room_state& room = create(table, room_number(1), host);
    CHECK(table.size() == 1);
    CHECK(table.rooms_created_by(key_of(host)) == 1);
    CHECK(table.find(room_number(1)) == &room);
    CHECK(table.find(room_number(2)) == nullptr);

    stoa::room::room_config same;
    same.id = room_number(1);
    CHECK(table.create(same, {}, key_of(host), t0) == nullptr);  // the id is taken
    CHECK(table.rooms_created_by(key_of(host)) == 1);

    // Until its creator joins, a vacant room is kept (the engine times it out).
    table.mark_finished(room_number(1));
    table.erase_finished();
    REQUIRE(table.size() == 1);

    seat(room, host);
    const auto index = table.attach(room, connection_id(7), host);
    CHECK(room.creator_joined);
    CHECK(room.connection_of_index.at(index.value) == connection_id(7));
    table.mark_finished(room_number(1));
    table.erase_finished();
    CHECK(table.size() == 1);  // someone is in it

    table.detach(room, host, index, connection_id(7));
    CHECK(room.vacant());
    table.mark_finished(room_number(1));
    table.erase_finished();
    CHECK(table.size() == 0);
    CHECK(table.rooms_created_by(key_of(host)) == 0);
}

TEST_CASE("a held seat keeps the membership until it is reclaimed or forgotten", "[relay][room_table]") {
    room_table table;
    const member_id host = member(1);
    const member_id guest = member(2);
    room_state& room = create(table, room_number(1), host);
    seat(room, host);
    (void)table.attach(room, connection_id(1), host);
    seat(room, guest);
    const auto index = table.attach(room, connection_id(2), guest);
    room.recipients.add(connection_id(2), stoa::room::stream::stage);
    CHECK(table.rooms_joined_by(guest) == 1);

    SECTION("a stale connection cannot detach the seat") {
        table.detach(room, guest, index, connection_id(99));
        CHECK(room.connection_of_member.at(guest) == connection_id(2));
        CHECK(table.rooms_joined_by(guest) == 1);
    }
    SECTION("holding unlinks the connection but keeps the membership") {
        table.hold(room, guest, index, connection_id(2), t0 + std::chrono::seconds(10));
        CHECK_FALSE(room.connection_of_member.contains(guest));
        CHECK_FALSE(room.connection_of_index.contains(index.value));
        CHECK_FALSE(room.recipients.contains(connection_id(2)));
        CHECK(table.rooms_joined_by(guest) == 1);
        CHECK(table.expired_seats(room, t0 + std::chrono::seconds(9)).empty());
        CHECK(table.expired_seats(room, t0 + std::chrono::seconds(10)) == std::vector<member_id>{guest});

        SECTION("coming back reclaims the seat without a second membership") {
            (void)table.attach(room, connection_id(3), guest);
            CHECK(room.held.empty());
            CHECK(table.rooms_joined_by(guest) == 1);
        }
        SECTION("forgetting the seat ends the membership") {
            table.forget_held(room, guest);
            CHECK(room.held.empty());
            CHECK(table.rooms_joined_by(guest) == 0);
        }
    }
    SECTION("closing unlinks everyone and names their connections") {
        table.hold(room, guest, index, connection_id(2), t0 + std::chrono::seconds(10));
        auto closed = table.close(room_number(1), room);
        CHECK(closed == std::vector<connection_id>{connection_id(1)});
        CHECK(room.vacant());
        CHECK(room.recipients.empty());
        CHECK(table.rooms_joined_by(host) == 0);
        CHECK(table.rooms_joined_by(guest) == 0);
    }
}

TEST_CASE("the directory lists open, occupied rooms, busiest first", "[relay][room_table]") {
    room_table table;
    for (std::uint8_t n = 1; n <= 3; ++n) {
        room_state& room = create(table, room_number(n), member(n));
        room.title = "room " + std::to_string(n);
        seat(room, member(n));
        (void)table.attach(room, connection_id(n), member(n));
        for (std::uint8_t listener = 0; listener < n % 3; ++listener) {
            const member_id who = member(static_cast<std::uint8_t>(100 + 10 * n + listener));
            seat(room, who);
            (void)table.attach(room, connection_id(100 + 10 * n + listener), who);
        }
    }
    (void)create(table, room_number(4), member(4));  // nobody in it: not listed

    const auto listing = table.directory({0, 2});
    CHECK(listing.total == 3);
    REQUIRE(listing.rooms.size() == 2);
    CHECK(listing.rooms[0].room == room_number(2));  // two listeners
    CHECK(listing.rooms[0].listeners == 2);
    CHECK(listing.rooms[1].room == room_number(1));  // one
    CHECK(listing.rooms[1].title == "room 1");
    const auto rest = table.directory({2, 2});
    REQUIRE(rest.rooms.size() == 1);
    CHECK(rest.rooms[0].room == room_number(3));  // none
}
