// The full replica: every roster change by member id, sequence handling, and refusals that change nothing.
#include <catch2/catch.hpp>

#include "room_test_support.hpp"
#include "stoa/room/full_replica.hpp"

using namespace stoa;
using namespace stoa::room;
using namespace stoa::room::test;

namespace {

member_entry member(std::uint64_t n, role r) {
    member_entry m;
    m.id = make_member(n);
    m.index = sender_index{static_cast<std::uint32_t>(n)};
    m.member_role = r;
    m.joined_order = n;
    return m;
}

full_snapshot small_roster() {
    full_snapshot snapshot;
    snapshot.seq = delta_seq{4};
    snapshot.members = {member(1, role::host), member(2, role::speaker), member(3, role::listener)};
    return snapshot;
}

sequenced_delta at(std::uint64_t seq, any_delta change) {
    return sequenced_delta{stream::full, delta_seq{seq}, std::move(change)};
}

}  // namespace

TEST_CASE("a full replica applies every kind of roster change", "[room][full_replica]") {
    full_replica replica;
    REQUIRE(replica.load(small_roster()).ok());
    CHECK(replica.stage_count() == 2);
    CHECK(replica.listener_count() == 1);

    REQUIRE(replica.apply(at(5, delta::member_joined{member(4, role::listener)})).ok());
    REQUIRE(replica.apply(at(6, delta::hand_changed{make_member(4), true})).ok());
    REQUIRE(replica.apply(at(7, delta::invitation_changed{make_member(4), true})).ok());
    CHECK(replica.find(make_member(4))->hand_raised);
    REQUIRE(replica.apply(at(8, delta::role_changed{make_member(4), role::speaker, std::nullopt})).ok());
    // Entering the stage clears the audience flags, exactly as the authority does.
    CHECK_FALSE(replica.find(make_member(4))->hand_raised);
    CHECK_FALSE(replica.find(make_member(4))->invited_to_stage);
    CHECK(replica.stage_count() == 3);
    REQUIRE(replica.apply(at(9, delta::member_left{make_member(1), leave_reason::left})).ok());
    CHECK_FALSE(replica.host().has_value());
    REQUIRE(replica.apply(at(10, delta::host_changed{make_member(2)})).ok());
    CHECK(replica.host() == make_member(2));
    REQUIRE(replica.apply(at(11, delta::profile_changed{make_member(3), bytes{1, 2}})).ok());
    CHECK(replica.find(make_member(3))->profile == bytes{1, 2});
    CHECK(replica.apply(at(11, delta::profile_changed{make_member(3), bytes{9}})).value() == apply_effect::duplicate);
    CHECK(replica.apply(at(13, delta::profile_changed{make_member(3), bytes{9}})).error() == room_error::needs_resync);
    CHECK(replica.find(make_member(3))->profile == bytes{1, 2});
    REQUIRE(replica.apply(at(12, delta::room_ended{})).ok());
    CHECK(replica.ended());
    CHECK(replica.member_count() == 0);
}

TEST_CASE("a full replica refuses contradicting deltas and snapshots without changing", "[room][full_replica]") {
    const std::vector<std::pair<const char*, any_delta>> contradictions{
        {"second join", delta::member_joined{member(2, role::speaker)}},
        {"unknown leaves", delta::member_left{make_member(9), leave_reason::left}},
        {"unknown role", delta::role_changed{make_member(9), role::speaker, std::nullopt}},
        {"unknown hand", delta::hand_changed{make_member(9), true}},
        {"unknown invitation", delta::invitation_changed{make_member(9), true}},
        {"unknown mute", delta::mute_changed{make_member(9), true, false}},
        {"unknown profile", delta::profile_changed{make_member(9), {}}},
        {"audience count (stage stream only)", delta::audience_count{3}},
    };
    for (const auto& [name, change] : contradictions) {
        INFO(name);
        full_replica replica;
        REQUIRE(replica.load(small_roster()).ok());
        CHECK(replica.apply(at(5, change)).error() == room_error::invalid_delta);
        CHECK(replica.to_snapshot() == small_roster());
    }
    full_replica replica;
    REQUIRE(replica.load(small_roster()).ok());
    CHECK(replica.apply(sequenced_delta{stream::stage, delta_seq{5}, delta::audience_count{1}}).error() ==
          room_error::wrong_stream);
    full_snapshot duplicate = small_roster();
    duplicate.members.push_back(member(3, role::listener));
    full_snapshot two_hosts = small_roster();
    two_hosts.members.push_back(member(5, role::host));
    CHECK(replica.load(duplicate).error() == room_error::invalid_snapshot);
    CHECK(replica.load(two_hosts).error() == room_error::invalid_snapshot);
    CHECK(replica.to_snapshot() == small_roster());
}
