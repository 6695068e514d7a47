// The roster replica's sync: a snapshot then deltas, a gap asks for a resync, deltas held while
// it is fetched are bounded, and a refused resync is asked again.
#include <catch2/catch.hpp>

#include "recording_io.hpp"
#include "roster_sync.hpp"

using namespace stoa;
using namespace stoa::client;

namespace {

member_id id_of(std::uint8_t n) {
    member_id id{};
    id.value[0] = n;
    return id;
}

room::member_entry entry(std::uint8_t n, room::role r) {
    room::member_entry e;
    e.id = id_of(n);
    e.index = sender_index(n);
    e.member_role = r;
    e.joined_order = n;
    return e;
}

proto::snapshot_message stage_snapshot(std::uint64_t seq, std::vector<room::member_entry> stage) {
    room::stage_snapshot snapshot;
    snapshot.seq = delta_seq(seq);
    snapshot.stage = std::move(stage);
    proto::snapshot_message message;
    message.snapshot = std::move(snapshot);
    return message;
}

room::sequenced_delta joined(std::uint64_t seq, room::member_entry member) {
    return {room::stream::stage, delta_seq(seq), room::delta::member_joined{std::move(member)}};
}

std::size_t resync_requests(const test::recording_io& io) {
    std::size_t n = 0;
    for (const auto& m : io.json) n += std::holds_alternative<proto::resync>(m.body) ? 1 : 0;
    return n;
}

}  // namespace

TEST_CASE("a snapshot, then deltas in order", "[client][roster_sync]") {
    test::recording_io io;
    session_stats stats;
    const auto self = entry(9, room::role::listener);
    roster_sync roster(self.id, io, stats);
    roster.start(room::stream::stage, self);

    // A delta before the snapshot is held, then replayed by the caller.
    CHECK_FALSE(roster.apply(joined(2, entry(2, room::role::speaker))).has_value());
    REQUIRE(roster.add_snapshot_part(stage_snapshot(1, {entry(1, room::role::host)})));
    CHECK(roster.find_member(self.id) != nullptr);  // a listener's own entry comes from the welcome
    const auto held = roster.take_held_deltas();
    REQUIRE(held.size() == 1);
    CHECK(roster.apply(held.front()).has_value());

    CHECK(roster.host() == id_of(1));
    CHECK(roster.find_stage_member_by_index(sender_index(2)) != nullptr);
    std::size_t on_stage = 0;
    roster.for_each_stage_member([&](const room::member_entry&) { ++on_stage; });
    CHECK(on_stage == 2);

    // A departure reports the departing index, which the replica no longer knows.
    const room::sequenced_delta left{room::stream::stage, delta_seq(3), room::delta::member_left{id_of(2), {}}};
    const auto applied = roster.apply(left);
    REQUIRE(applied.has_value());
    CHECK(applied->departing == sender_index(2));
    CHECK(roster.find_member(id_of(2)) == nullptr);
    // A duplicate changes nothing.
    CHECK_FALSE(roster.apply(left).has_value());
    CHECK(resync_requests(io) == 0);
    CHECK(io.events.empty());
}

TEST_CASE("a gap in the deltas asks for one resync and holds what follows", "[client][roster_sync]") {
    test::recording_io io;
    session_stats stats;
    const auto self = entry(9, room::role::listener);
    roster_sync roster(self.id, io, stats);
    roster.start(room::stream::stage, self);
    REQUIRE(roster.add_snapshot_part(stage_snapshot(1, {entry(1, room::role::host)})));

    CHECK_FALSE(roster.apply(joined(3, entry(3, room::role::speaker))).has_value());  // 2 is missing
    CHECK(roster.resyncing());
    CHECK(resync_requests(io) == 1);
    CHECK(stats.resyncs == 1);
    CHECK_FALSE(roster.apply(joined(4, entry(4, room::role::speaker))).has_value());
    CHECK(resync_requests(io) == 1);  // one request while one is outstanding
    CHECK(roster.held_delta_count() == 2);

    // The fresh snapshot covers 2; the held 3 and 4 then apply.
    REQUIRE(roster.add_snapshot_part(stage_snapshot(2, {entry(1, room::role::host), entry(2, room::role::speaker)})));
    CHECK_FALSE(roster.resyncing());
    for (const auto& delta : roster.take_held_deltas()) CHECK(roster.apply(delta).has_value());
    CHECK(roster.find_member(id_of(4)) != nullptr);
}

TEST_CASE("held deltas are bounded: past the bound they are dropped and a resync asked", "[client][roster_sync]") {
    test::recording_io io;
    session_stats stats;
    const auto self = entry(9, room::role::listener);
    roster_sync roster(self.id, io, stats);
    roster.start(room::stream::stage, self);  // no snapshot yet: everything is held
    for (std::size_t i = 0; i < roster_sync::max_held_deltas; ++i) {
        (void)roster.apply({room::stream::stage, delta_seq(i + 1), room::delta::audience_count{1}});
    }
    CHECK(roster.held_delta_count() == roster_sync::max_held_deltas);
    CHECK(resync_requests(io) == 0);
    (void)roster.apply({room::stream::stage, delta_seq(99'999), room::delta::audience_count{1}});
    CHECK(roster.held_delta_count() == 0);
    CHECK(resync_requests(io) == 1);
}

TEST_CASE("a refused resync is asked again at the next gap", "[client][roster_sync]") {
    test::recording_io io;
    session_stats stats;
    const auto self = entry(9, room::role::listener);
    roster_sync roster(self.id, io, stats);
    roster.start(room::stream::stage, self);
    REQUIRE(roster.add_snapshot_part(stage_snapshot(1, {entry(1, room::role::host)})));
    (void)roster.apply(joined(5, entry(5, room::role::speaker)));
    REQUIRE(resync_requests(io) == 1);
    roster.on_refused(io.json.back().request_id);
    CHECK_FALSE(roster.resyncing());
    roster.request_resync();
    CHECK(resync_requests(io) == 2);
}

TEST_CASE("a snapshot of the stream no longer followed is ignored", "[client][roster_sync]") {
    test::recording_io io;
    session_stats stats;
    const auto self = entry(9, room::role::moderator);
    roster_sync roster(self.id, io, stats);
    roster.start(room::stream::full, self);
    CHECK_FALSE(roster.add_snapshot_part(stage_snapshot(1, {entry(1, room::role::host)})));
    CHECK(roster.full() == nullptr);
    CHECK(roster.find_member(id_of(1)) == nullptr);
}
