// The stage replica: sequence handling (in order, duplicate, gap), refusal of deltas and
// snapshots that contradict it, and the member's own audience entry.
#include <catch2/catch.hpp>

#include "room_test_support.hpp"
#include "stoa/room/stage_replica.hpp"

using namespace stoa;
using namespace stoa::room;
using namespace stoa::room::test;

namespace {

member_entry stage_member(std::uint64_t n, role r) {
    member_entry m;
    m.id = make_member(n);
    m.index = sender_index{static_cast<std::uint32_t>(n)};
    m.member_role = r;
    m.joined_order = n;
    return m;
}

stage_snapshot two_on_stage() {
    stage_snapshot snapshot;
    snapshot.seq = delta_seq{10};
    snapshot.stage = {stage_member(1, role::host), stage_member(2, role::speaker)};
    snapshot.audience_count = 40;
    return snapshot;
}

sequenced_delta at(std::uint64_t seq, any_delta change, stream on = stream::stage) {
    return sequenced_delta{on, delta_seq{seq}, std::move(change)};
}

}  // namespace

TEST_CASE("a stage replica applies in order - ignores duplicates and stops at a gap", "[room][stage_replica]") {
    stage_replica replica(make_member(50));
    CHECK(replica.apply(at(1, delta::audience_count{1})).error() == room_error::needs_resync);  // nothing loaded
    REQUIRE(replica.load(two_on_stage()).ok());
    CHECK(replica.host() == make_member(1));

    CHECK(replica.apply(at(11, delta::audience_count{41})).value() == apply_effect::applied);
    CHECK(replica.apply(at(11, delta::audience_count{99})).value() == apply_effect::duplicate);
    CHECK(replica.apply(at(3, delta::audience_count{99})).value() == apply_effect::duplicate);
    CHECK(replica.audience_count() == 41);

    const stage_snapshot before = replica.to_snapshot();
    CHECK(replica.apply(at(13, delta::audience_count{99})).error() == room_error::needs_resync);
    CHECK(replica.apply(at(12, delta::audience_count{99}, stream::full)).error() == room_error::wrong_stream);
    CHECK(replica.to_snapshot() == before);
}

TEST_CASE("a stage replica refuses deltas that contradict it and changes nothing", "[room][stage_replica]") {
    const std::vector<std::pair<const char*, any_delta>> contradictions{
        {"join of a listener", delta::member_joined{stage_member(7, role::listener)}},
        {"second join", delta::member_joined{stage_member(2, role::speaker)}},
        {"unknown member leaves", delta::member_left{make_member(9), leave_reason::left}},
        {"onto stage without entry", delta::role_changed{make_member(9), role::speaker, std::nullopt}},
        {"listener to listener", delta::role_changed{make_member(9), role::listener, std::nullopt}},
        {"entry of another member", delta::role_changed{make_member(9), role::speaker, stage_member(8, role::speaker)}},
        {"mute of unknown", delta::mute_changed{make_member(9), false, false}},
        {"profile of unknown", delta::profile_changed{make_member(9), bytes{1}}},
        {"host of unknown", delta::host_changed{make_member(9)}},
        {"a hand (full stream only)", delta::hand_changed{make_member(2), true}},
        {"an invitation (full stream only)", delta::invitation_changed{make_member(2), true}},
    };
    for (const auto& [name, change] : contradictions) {
        INFO(name);
        stage_replica replica;
        REQUIRE(replica.load(two_on_stage()).ok());
        const stage_snapshot before = replica.to_snapshot();
        CHECK(replica.apply(at(11, change)).error() == room_error::invalid_delta);
        CHECK(replica.to_snapshot() == before);
    }
}

TEST_CASE("a stage replica refuses malformed snapshots and keeps what it had", "[room][stage_replica]") {
    stage_replica replica;
    REQUIRE(replica.load(two_on_stage()).ok());
    stage_snapshot with_listener = two_on_stage();
    with_listener.stage.push_back(stage_member(3, role::listener));
    stage_snapshot duplicate = two_on_stage();
    duplicate.stage.push_back(stage_member(2, role::speaker));
    stage_snapshot two_hosts = two_on_stage();
    two_hosts.stage.push_back(stage_member(3, role::host));
    for (const stage_snapshot& bad : {with_listener, duplicate, two_hosts}) {
        CHECK(replica.load(bad).error() == room_error::invalid_snapshot);
        CHECK(replica.to_snapshot() == two_on_stage());
    }
}

TEST_CASE("a stage replica follows its own member on and off the stage", "[room][stage_replica]") {
    const member_id self = make_member(5);
    stage_replica replica(self);
    REQUIRE(replica.load(two_on_stage()).ok());
    CHECK(replica.own_entry() == nullptr);
    member_entry own = stage_member(5, role::listener);
    own.hand_raised = true;
    CHECK(replica.set_own_entry(stage_member(6, role::listener)).error() == room_error::not_own_entry);
    REQUIRE(replica.set_own_entry(own).ok());
    CHECK(replica.own_entry()->hand_raised);

    member_entry on_stage = stage_member(5, role::speaker);
    REQUIRE(replica.apply(at(11, delta::role_changed{self, role::speaker, on_stage})).ok());
    CHECK(replica.own_entry()->member_role == role::speaker);
    CHECK(replica.stage_size() == 3);
    REQUIRE(replica.apply(at(12, delta::mute_changed{self, false, false})).ok());
    REQUIRE(replica.apply(at(13, delta::role_changed{self, role::listener, std::nullopt})).ok());
    // Back in the audience: the same role-change rule as the authority (muted again).
    REQUIRE(replica.own_entry() != nullptr);
    CHECK(replica.own_entry()->member_role == role::listener);
    CHECK(replica.own_entry()->self_muted);
    CHECK(replica.stage_size() == 2);

    REQUIRE(replica.apply(at(14, delta::room_ended{})).ok());
    CHECK(replica.ended());
    CHECK(replica.stage_size() == 0);
    CHECK(replica.apply(at(15, delta::audience_count{1})).error() == room_error::room_ended);
}
