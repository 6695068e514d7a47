// The distributor: join storms cost one signature and one announcement per batch plus one seal
// per joiner; leaves batch into one fresh epoch; membership changes are validated.
#include <catch2/catch.hpp>

#include "e2ee_test_support.hpp"
#include "stoa/e2ee/key_distributor.hpp"

using namespace stoa;
using namespace stoa::e2ee;
using test::at_ms;

TEST_CASE("a join storm is batched into ratchet steps, never per-join full rekeys", "[e2ee][distributor]") {
    test::room_harness room;
    for (std::uint32_t i = 2; i < 52; ++i) room.add(i, at_ms(0));
    const auto first = room.tick_and_deliver(at_ms(0));
    CHECK(first.packages.size() == 50);
    CHECK(first.signatures == 1);

    // 1,000 joins spread over one second: a join every millisecond.
    std::size_t seals = 0, signatures = 0, announcements = 0, batches = 0;
    std::uint32_t next = 1000;
    for (std::int64_t t = 1; t <= 1000; ++t) {
        room.add(next++, at_ms(t));
        const auto out = room.tick_and_deliver(at_ms(t));
        if (out.empty()) continue;
        ++batches;
        seals += out.packages.size();
        signatures += out.signatures;
        announcements += out.announcement ? 1 : 0;
        REQUIRE(out.own_epoch);
        CHECK(out.own_epoch->kind == epoch_kind::join_ratchet);
    }
    const auto last = room.tick_and_deliver(at_ms(1300));
    seals += last.packages.size();
    signatures += last.signatures;
    announcements += last.announcement ? 1 : 0;
    batches += last.empty() ? 0 : 1;

    CHECK(seals == 1000);               // exactly one seal per joiner
    CHECK(batches == 4);                // 250 ms windows over one second
    CHECK(signatures == batches);       // one signature per batch
    CHECK(announcements == batches);    // one broadcast per batch
    // Existing members received no package at all: they ratcheted from announcements.
    CHECK(room.member(2).packages_received == 1);
    CHECK(room.member(2).announcements_received == batches);
    // Everyone ends on the same epoch secret.
    const auto* host_secret = room.host().ring.epoch_secret(*room.host().ring.newest_epoch(), at_ms(1300));
    for (std::uint32_t i : {2U, 51U, 1000U, 1500U, 1999U}) {
        CAPTURE(i);
        REQUIRE(room.member(i).ring.newest_epoch() == room.host().ring.newest_epoch());
        CHECK(*room.member(i).ring.epoch_secret(*room.host().ring.newest_epoch(), at_ms(1300)) == *host_secret);
    }
    // The roster secret did not change: joiners can read the names of those before them.
    CHECK(room.member(1999).ring.newest_keys()->generation == room.member(2).ring.newest_keys()->generation);
}

TEST_CASE("leaves are batched into one fresh epoch sealed to every remaining member", "[e2ee][distributor]") {
    test::room_harness room;
    for (std::uint32_t i = 2; i <= 21; ++i) room.add(i, at_ms(0));
    room.tick_and_deliver(at_ms(0));
    const auto generation_before = room.member(2).ring.newest_keys()->generation;
    room.remove(5, at_ms(1000));
    room.remove(6, at_ms(1100));
    room.remove(7, at_ms(1400));
    CHECK(room.distributor().next_deadline() == at_ms(1500));
    CHECK(room.tick_and_deliver(at_ms(1499)).empty());
    const auto out = room.tick_and_deliver(at_ms(1500));
    CHECK(out.packages.size() == 17);  // 20 members - 3 leavers
    CHECK(out.signatures == 1);
    CHECK_FALSE(out.announcement);
    REQUIRE(out.own_epoch);
    CHECK(out.own_epoch->kind == epoch_kind::fresh);
    for (const auto& package : out.packages) {
        CHECK(package.recipient.value != 5);
        CHECK(package.recipient.value != 6);
        CHECK(package.recipient.value != 7);
        CHECK(package.blob.size() == sealed_key_package_size);
    }
    // The roster secret rotates on a leave, so leavers cannot read profiles published afterwards.
    CHECK(room.member(2).ring.newest_keys()->generation != generation_before);
    CHECK_FALSE(room.member(2).ring.newest_keys()->roster_secret == room.removed(5).ring.newest_keys()->roster_secret);
}

TEST_CASE("joins pending while a leave is pending are folded into the fresh epoch", "[e2ee][distributor]") {
    test::room_harness room;
    room.add(2, at_ms(0));
    room.add(3, at_ms(0));
    room.tick_and_deliver(at_ms(0));
    room.remove(3, at_ms(100));
    auto& joiner = room.add(4, at_ms(120));
    // The join window ends first (370 ms): the leaver could ratchet the old epoch, so a fresh one is issued.
    const auto out = room.tick_and_deliver(at_ms(370));
    REQUIRE(out.own_epoch);
    CHECK(out.own_epoch->kind == epoch_kind::fresh);
    CHECK_FALSE(out.announcement);
    CHECK(out.packages.size() == 2);
    CHECK(joiner.ring.newest_epoch() == out.own_epoch->epoch);
    CHECK_FALSE(room.distributor().next_deadline().has_value());
}

TEST_CASE("a joiner removed before its batch costs nothing", "[e2ee][distributor]") {
    test::room_harness room;
    room.add(2, at_ms(0));
    room.tick_and_deliver(at_ms(0));
    room.add(3, at_ms(10));
    room.remove(3, at_ms(20));
    CHECK_FALSE(room.distributor().next_deadline().has_value());
    CHECK(room.tick_and_deliver(at_ms(2000)).empty());
}

TEST_CASE("distributor validates membership changes", "[e2ee][distributor]") {
    test::room_harness room;
    auto& alice = room.add(2, at_ms(0));
    CHECK(room.distributor().member_added(sender_index(2), alice.self.key(), at_ms(0)).error() ==
          e2ee_error::duplicate_member);
    CHECK(room.distributor().member_added(sender_index(1), alice.self.key(), at_ms(0)).error() ==
          e2ee_error::duplicate_member);  // the distributor's own index
    public_key low_order{};
    low_order.value[0] = 1;
    CHECK(room.distributor().member_added(sender_index(3), low_order, at_ms(0)).error() ==
          e2ee_error::invalid_public_key);
    CHECK(room.distributor().member_added(sender_index(1U << 24), alice.self.key(), at_ms(0)).error() ==
          e2ee_error::sender_index_out_of_range);
    CHECK(room.distributor().member_removed(sender_index(77), at_ms(0)).error() == e2ee_error::unknown_member);
    CHECK(room.distributor().member_count() == 1);
}

TEST_CASE("resend gives a member that missed an announcement the current epoch", "[e2ee][distributor]") {
    test::room_harness room;
    auto& alice = room.add(2, at_ms(0));
    room.tick_and_deliver(at_ms(0));
    room.add(3, at_ms(10));
    // Alice misses this batch's announcement, and then another one.
    const auto missed = room.distributor().tick(at_ms(260));
    REQUIRE(missed.announcement);
    REQUIRE(room.host().ring.install(*missed.own_epoch, at_ms(260)).ok());
    room.add(4, at_ms(300));
    const auto next = room.distributor().tick(at_ms(550));
    const distributor_ref host{room.host().index, room.host().self.key()};
    CHECK(alice.ring.handle_announcement(host.index, *next.announcement, host, at_ms(560)).error() ==
          e2ee_error::unknown_epoch);
    auto package = room.distributor().resend(alice.index);
    REQUIRE(package.ok());
    CHECK(alice.ring.handle_package(host.index, package->blob, host, alice.self, at_ms(570), alice.session).value() == epoch_id(3));
    CHECK(room.distributor().resend(sender_index(99)).error() == e2ee_error::unknown_member);
}

TEST_CASE("a new host takes over by issuing a fresh epoch above the old one", "[e2ee][distributor]") {
    test::room_harness room;
    auto& alice = room.add(2, at_ms(0));
    auto& bob = room.add(3, at_ms(0));
    room.tick_and_deliver(at_ms(0));
    // Alice becomes host: she runs her own distributor from the epoch after the newest she holds.
    test::seeded_random random(5);
    key_distributor handover(alice.self, alice.index, distributor_config{room.room()}, random,
                             alice.ring.newest_epoch()->next());
    REQUIRE(handover.member_added(bob.index, bob.self.key(), at_ms(1000), bob.session).ok());
    const auto out = handover.tick(at_ms(1000));
    REQUIRE(out.packages.size() == 1);
    const distributor_ref new_host{alice.index, alice.self.key()};
    REQUIRE(alice.ring.install(*out.own_epoch, at_ms(1000)).ok());
    CHECK(bob.ring.handle_package(alice.index, out.packages[0].blob, new_host, bob.self, at_ms(1001), bob.session).value() ==
          epoch_id(2));
    // The old host's key no longer vouches: Bob checks against the roster's current host.
    const distributor_ref old_host{room.host().index, room.host().self.key()};
    CHECK(bob.ring.handle_package(alice.index, out.packages[0].blob, old_host, bob.self, at_ms(1002), bob.session).error() ==
          e2ee_error::not_distributor);
}

TEST_CASE("distributor property: after any sequence of joins and leaves, members agree and leavers are out",
          "[e2ee][distributor]") {
    test::room_harness room(17);
    test::seeded_random choice(18);
    std::set<std::uint32_t> present;
    std::set<std::uint32_t> gone;
    std::uint32_t next = 2;
    std::int64_t t = 0;
    for (int i = 0; i < 3; ++i) {
        room.add(next, at_ms(0));
        present.insert(next++);
    }
    room.tick_and_deliver(at_ms(0));
    for (int step = 0; step < 300; ++step) {
        t += static_cast<std::int64_t>(choice.uniform(200));
        if (choice.uniform(3) != 0 || present.size() < 2) {
            room.add(next, at_ms(t));
            present.insert(next++);
        } else {
            auto it = present.begin();
            std::advance(it, static_cast<long>(choice.uniform(present.size())));
            room.remove(*it, at_ms(t));
            gone.insert(*it);
            present.erase(it);
        }
        room.tick_and_deliver(at_ms(t));
    }
    t += 1000;
    room.tick_and_deliver(at_ms(t));
    const epoch_id newest = *room.host().ring.newest_epoch();
    const secret_key& secret = *room.host().ring.epoch_secret(newest, at_ms(t));
    for (auto index : present) {
        CAPTURE(index);
        REQUIRE(room.member(index).ring.newest_epoch() == newest);
        CHECK(*room.member(index).ring.epoch_secret(newest, at_ms(t)) == secret);
    }
    for (auto index : gone) {
        CAPTURE(index);
        CHECK(room.removed(index).ring.epoch_secret(newest, at_ms(t)) == nullptr);
    }
}
