// The room's keys as one member holds them, with real key material: replayed packages, forged
// roster entries and unadmitted joiners raise alarms, and key requests are answered at most
// once a second per member.
#include <catch2/catch.hpp>

#include "recording_io.hpp"
#include "room_keys.hpp"
#include "roster_sync.hpp"
#include "test_random.hpp"

using namespace stoa;
using namespace stoa::client;
using namespace std::chrono_literals;

namespace {

room::member_entry entry_of(const e2ee::identity& identity, std::uint32_t index, room::role r) {
    room::member_entry e;
    e.id = identity.id();
    e.key = identity.key();
    e.index = sender_index(index);
    e.member_role = r;
    e.joined_order = index;
    return e;
}

proto::snapshot_message stage_of(std::vector<room::member_entry> stage) {
    room::stage_snapshot snapshot;
    snapshot.seq = delta_seq(1);
    snapshot.stage = std::move(stage);
    return {std::move(snapshot), 0, 1};
}

proto::snapshot_message full_of(std::vector<room::member_entry> members) {
    room::full_snapshot snapshot;
    snapshot.seq = delta_seq(1);
    snapshot.members = std::move(members);
    return {std::move(snapshot), 0, 1};
}

std::size_t alarms(const test::recording_io& io, event::alarm_kind kind) {
    std::size_t n = 0;
    for (const auto& e : io.events) {
        if (const auto* alarm = std::get_if<event::security_alarm>(&e)) n += alarm->kind == kind ? 1 : 0;
    }
    return n;
}

// One member's side: its identity, its roster and its keys.
struct member_side {
    member_side(test::seeded_random& random, std::uint32_t index, room::role role)
        : identity(e2ee::identity::generate(random)),
          roster(identity.id(), io, stats),
          keys(identity, random, io, stats, roster),
          self(entry_of(identity, index, role)) {}

    e2ee::identity identity;
    test::recording_io io;
    session_stats stats;
    roster_sync roster;
    room_keys keys;
    room::member_entry self;
};

}  // namespace

TEST_CASE("a key package sealed for another session raises replayed_key_package", "[client][room_keys]") {
    test::seeded_random random(1);
    const auto host = e2ee::identity::generate(random);
    member_side member(random, 2, room::role::listener);
    member.keys.begin_join(test::part_test_room, std::nullopt, std::nullopt, {});
    member.keys.start(member.self.index);
    member.roster.start(room::stream::stage, member.self);
    REQUIRE(member.roster.add_snapshot_part(stage_of({entry_of(host, 1, room::role::host)})));

    const time_point now = from_micros(1'000'000);
    const auto package_for = [&](const e2ee::session_nonce& nonce) {
        e2ee::key_distributor distributor(host, sender_index(1), {test::part_test_room}, random, epoch_id{1});
        REQUIRE(distributor.member_added(member.self.index, member.identity.key(), now, nonce).ok());
        auto out = distributor.tick(now + 1s);
        REQUIRE(out.packages.size() == 1);
        return out.packages.front().blob;
    };

    e2ee::session_nonce earlier{};
    earlier[0] = 1;
    member.keys.handle_key_package(sender_index(1), package_for(earlier), now);
    CHECK(alarms(member.io, event::alarm_kind::replayed_key_package) == 1);
    CHECK(member.keys.keyring()->newest_epoch() == std::nullopt);

    member.keys.handle_key_package(sender_index(1), package_for(member.keys.session()), now);
    CHECK(member.keys.keyring()->newest_epoch().has_value());
    CHECK(member.io.count_events<event::keys_changed>() == 1);
    CHECK(member.stats.rekeys == 1);
}

TEST_CASE("a stage entry whose id is not its key's raises member_id_mismatch, once", "[client][room_keys]") {
    test::seeded_random random(2);
    const auto host = e2ee::identity::generate(random);
    const auto speaker = e2ee::identity::generate(random);
    const auto impostor = e2ee::identity::generate(random);
    member_side member(random, 4, room::role::listener);
    member.keys.begin_join(test::part_test_room, std::nullopt, std::nullopt, {});
    member.keys.start(member.self.index);
    member.roster.start(room::stream::stage, member.self);
    auto forged = entry_of(impostor, 3, room::role::speaker);
    forged.id.value[0] ^= 1;  // the relay's invention: an id the key does not derive
    REQUIRE(member.roster.add_snapshot_part(
        stage_of({entry_of(host, 1, room::role::host), entry_of(speaker, 2, room::role::speaker), forged})));

    const auto keys = member.keys.genuine_stage_keys();
    CHECK(keys.size() == 2);
    CHECK_FALSE(keys.contains(3));
    CHECK(alarms(member.io, event::alarm_kind::member_id_mismatch) == 1);
    (void)member.keys.genuine_stage_keys();
    CHECK(alarms(member.io, event::alarm_kind::member_id_mismatch) == 1);
    CHECK(member.stats.security_alarms == 1);
}

TEST_CASE("a host key other than the link's raises host_key_changed", "[client][room_keys]") {
    test::seeded_random random(3);
    const auto host = e2ee::identity::generate(random);
    const auto other = e2ee::identity::generate(random);
    member_side member(random, 2, room::role::listener);
    member.keys.begin_join(test::part_test_room, std::nullopt, other.key(), {});
    member.keys.start(member.self.index);
    member.roster.start(room::stream::stage, member.self);
    REQUIRE(member.roster.add_snapshot_part(stage_of({entry_of(host, 1, room::role::host)})));
    member.keys.check_host_key();
    CHECK(alarms(member.io, event::alarm_kind::host_key_changed) == 1);
    CHECK(member.keys.trusted_host() == host.key());
}

TEST_CASE("in a closed room a joiner without a valid admission tag gets no keys", "[client][room_keys]") {
    test::seeded_random random(4);
    member_side host(random, 1, room::role::host);
    e2ee::admission_secret secret;
    random.fill(secret.mutable_view());
    host.keys.begin_join(test::part_test_room, secret, std::nullopt, {});
    host.keys.start(host.self.index);
    host.roster.start(room::stream::full, host.self);
    REQUIRE(host.roster.add_snapshot_part(full_of({host.self})));
    const time_point now = from_micros(1'000'000);
    host.keys.follow_role(true, now);
    REQUIRE(host.keys.distributor() != nullptr);
    CHECK(host.keys.room_is_closed());

    const auto join = [&](std::uint32_t index, const e2ee::admission_secret* proven) {
        const auto joiner = e2ee::identity::generate(random);
        auto entry = entry_of(joiner, index, room::role::listener);
        entry.admission = e2ee::encode_admission(e2ee::fresh_session_nonce(random), test::part_test_room, joiner.key(), proven);
        host.keys.distributor_delta(room::delta::member_joined{entry}, std::nullopt, now);
    };
    e2ee::admission_secret wrong;
    random.fill(wrong.mutable_view());
    join(2, nullptr);
    join(3, &wrong);
    CHECK(host.keys.distributor()->member_count() == 0);
    CHECK(alarms(host.io, event::alarm_kind::unadmitted_member) == 2);

    join(4, &secret);
    CHECK(host.keys.distributor()->member_count() == 1);
}

TEST_CASE("a key request is answered at most once a second per member", "[client][room_keys]") {
    test::seeded_random random(5);
    member_side host(random, 1, room::role::host);
    host.keys.begin_join(test::part_test_room, std::nullopt, std::nullopt, {});
    host.keys.start(host.self.index);
    host.roster.start(room::stream::full, host.self);
    const auto listener = e2ee::identity::generate(random);
    const auto stranger = e2ee::identity::generate(random);
    REQUIRE(host.roster.add_snapshot_part(full_of({host.self, entry_of(listener, 2, room::role::listener)})));
    time_point now = from_micros(1'000'000);
    host.keys.follow_role(true, now);
    REQUIRE(host.keys.distributor() != nullptr);
    now += 1s;
    host.keys.flush_distributor(now);  // the listener's batch goes out
    REQUIRE(host.keys.keyring()->newest_epoch().has_value());

    const auto answers = [&](sender_index from, time_point at) {
        const std::size_t before = host.io.binary.size();
        host.keys.handle_key_request(from, at);
        return host.io.binary.size() - before;
    };
    CHECK(answers(sender_index(2), now) == 1);
    CHECK(answers(sender_index(2), now + 500ms) == 0);
    CHECK(answers(sender_index(2), now + 1s) == 1);
    // A member the distributor does not seal to cannot make it seal.
    (void)stranger;
    CHECK(answers(sender_index(7), now + 5s) == 0);
}

TEST_CASE("a member asks for keys at most once a second", "[client][room_keys]") {
    test::seeded_random random(6);
    member_side member(random, 2, room::role::listener);
    member.keys.request_keys(from_micros(1));  // no room yet: nothing to ask
    CHECK(member.io.binary.empty());
    member.keys.begin_join(test::part_test_room, std::nullopt, std::nullopt, {});
    member.keys.start(member.self.index);
    const time_point now = from_micros(1'000'000);
    member.keys.request_keys(now);
    member.keys.request_keys(now + 999ms);
    CHECK(member.io.binary.size() == 1);
    member.keys.request_keys(now + 1s);
    CHECK(member.io.binary.size() == 2);
    CHECK(member.stats.key_requests == 2);
}
