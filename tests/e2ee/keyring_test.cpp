// The keyring: verification of distributor messages, switch delay, grace period, bounds.
#include <catch2/catch.hpp>

#include "e2ee_test_support.hpp"
#include "stoa/e2ee/key_package.hpp"
#include "stoa/e2ee/keyring.hpp"

using namespace stoa;
using namespace stoa::e2ee;
using test::at_ms;

namespace {
epoch_keys keys_for(std::uint64_t epoch, std::uint8_t fill) {
    epoch_keys keys;
    keys.epoch = epoch_id(epoch);
    keys.generation = roster_generation(epoch);
    for (auto& b : keys.epoch_secret.mutable_view()) b = fill;
    for (auto& b : keys.roster_secret.mutable_view()) b = static_cast<std::uint8_t>(fill + 1);
    return keys;
}
}  // namespace

TEST_CASE("keyring switches senders only after the switch delay and keeps old epochs for the grace period",
          "[e2ee][keyring]") {
    keyring ring(keyring_config{test::make_room(1)});
    CHECK_FALSE(ring.sending_epoch(at_ms(0)).has_value());
    REQUIRE(ring.install(keys_for(1, 1), at_ms(0)).ok());
    CHECK(ring.sending_epoch(at_ms(0)) == epoch_id(1));  // nothing older: use it at once
    REQUIRE(ring.install(keys_for(2, 2), at_ms(1000)).ok());
    CHECK(ring.sending_epoch(at_ms(1000)) == epoch_id(1));
    CHECK(ring.sending_epoch(at_ms(1299)) == epoch_id(1));
    CHECK(ring.sending_epoch(at_ms(1300)) == epoch_id(2));
    CHECK(ring.epoch_secret(epoch_id(1), at_ms(5999)) != nullptr);
    CHECK(ring.epoch_secret(epoch_id(1), at_ms(6000)) == nullptr);
    ring.expire(at_ms(6000));
    CHECK(ring.retained_epochs() == 1);
    CHECK(ring.install(keys_for(2, 9), at_ms(7000)).error() == e2ee_error::stale_epoch);
    CHECK(ring.install(keys_for(1, 9), at_ms(7000)).error() == e2ee_error::stale_epoch);
}

TEST_CASE("keyring retains a bounded number of epochs during a join storm", "[e2ee][keyring]") {
    keyring ring(keyring_config{test::make_room(1)});
    for (std::uint64_t e = 1; e <= 100; ++e) {
        REQUIRE(ring.install(keys_for(e, static_cast<std::uint8_t>(e)), at_ms(static_cast<std::int64_t>(e) * 10)).ok());
        CHECK(ring.retained_epochs() <= ring.config().max_epochs);
    }
    CHECK(ring.newest_epoch() == epoch_id(100));
}

TEST_CASE("keyring accepts key material only from the distributor, for its room, unmodified", "[e2ee][keyring]") {
    test::room_harness room;
    auto& alice = room.add(2, at_ms(0));
    const distributor_output first = room.distributor().tick(at_ms(0));
    REQUIRE(first.packages.size() == 1);
    const bytes& blob = first.packages[0].blob;
    const distributor_ref host{room.host().index, room.host().self.key()};

    SECTION("relayed by someone other than the distributor") {
        CHECK(alice.ring.handle_package(sender_index(7), blob, host, alice.self, at_ms(1), alice.session).error() ==
              e2ee_error::not_distributor);
    }
    SECTION("signed by someone other than the roster's host") {
        test::seeded_random random(99);
        const identity impostor = identity::generate(random);
        const distributor_ref wrong{room.host().index, impostor.key()};
        CHECK(alice.ring.handle_package(host.index, blob, wrong, alice.self, at_ms(1), alice.session).error() ==
              e2ee_error::bad_signature);
    }
    SECTION("a package sealed to someone else") {
        test::seeded_random random(98);
        const identity other = identity::generate(random);
        CHECK(alice.ring.handle_package(host.index, blob, host, other, at_ms(1)).error() == e2ee_error::auth_failed);
    }
    SECTION("a package for another room") {
        keyring elsewhere(keyring_config{test::make_room(50)});
        CHECK(elsewhere.handle_package(host.index, blob, host, alice.self, at_ms(1), alice.session).error() ==
              e2ee_error::wrong_room);
    }
    SECTION("a flipped bit anywhere") {
        for (std::size_t i = 0; i < blob.size(); i += 7) {
            bytes tampered = blob;
            tampered[i] ^= 0x10;
            CHECK(alice.ring.handle_package(host.index, tampered, host, alice.self, at_ms(1), alice.session).error() ==
                  e2ee_error::auth_failed);
        }
    }
    SECTION("wrong sizes") {
        CHECK(alice.ring.handle_package(host.index, byte_view(blob).first(100), host, alice.self, at_ms(1), alice.session).error() ==
              e2ee_error::truncated);
        bytes longer = blob;
        longer.push_back(0);
        CHECK(alice.ring.handle_package(host.index, longer, host, alice.self, at_ms(1), alice.session).error() ==
              e2ee_error::too_large);
    }
    CHECK_FALSE(alice.ring.newest_epoch().has_value());  // nothing above was installed
    REQUIRE(alice.ring.handle_package(host.index, blob, host, alice.self, at_ms(1), alice.session).ok());
    CHECK(alice.ring.newest_epoch() == epoch_id(1));
    // The same package again (a relay replay) is stale, not an error that changes anything.
    CHECK(alice.ring.handle_package(host.index, blob, host, alice.self, at_ms(2), alice.session).error() == e2ee_error::stale_epoch);
}

TEST_CASE("join announcements: verified by recomputing the ratchet, refused when forged or out of order",
          "[e2ee][keyring]") {
    test::room_harness room;
    auto& alice = room.add(2, at_ms(0));
    room.tick_and_deliver(at_ms(0));
    room.add(3, at_ms(10));
    const distributor_output join = room.distributor().tick(at_ms(260));
    REQUIRE(join.announcement);
    const bytes& announcement = *join.announcement;
    CHECK(announcement.size() == announcement_size);
    const distributor_ref host{room.host().index, room.host().self.key()};

    SECTION("a forged announcement (signature bytes changed)") {
        bytes forged = announcement;
        forged.back() ^= 1;
        CHECK(alice.ring.handle_announcement(host.index, forged, host, at_ms(270)).error() ==
              e2ee_error::bad_signature);
    }
    SECTION("a different generation claimed") {
        bytes forged = announcement;
        forged[1 + 1 + 1 + 16 + 8 + 7] ^= 1;  // last byte of the generation
        CHECK(alice.ring.handle_announcement(host.index, forged, host, at_ms(270)).error() ==
              e2ee_error::commitment_mismatch);
    }
    SECTION("an epoch further ahead than one ratchet step") {
        bytes forged = announcement;
        forged[1 + 1 + 1 + 16 + 7] += 1;
        CHECK(alice.ring.handle_announcement(host.index, forged, host, at_ms(270)).error() ==
              e2ee_error::unknown_epoch);
    }
    SECTION("announced as a fresh epoch (which must never travel in the clear)") {
        bytes forged = announcement;
        forged[2] = static_cast<std::uint8_t>(epoch_kind::fresh);
        CHECK(alice.ring.handle_announcement(host.index, forged, host, at_ms(270)).error() ==
              e2ee_error::bad_version);
    }
    SECTION("from a non-distributor") {
        CHECK(alice.ring.handle_announcement(sender_index(3), announcement, host, at_ms(270)).error() ==
              e2ee_error::not_distributor);
    }
    CHECK(alice.ring.newest_epoch() == epoch_id(1));
    REQUIRE(alice.ring.handle_announcement(host.index, announcement, host, at_ms(270)).ok());
    CHECK(alice.ring.newest_epoch() == epoch_id(2));
    CHECK(*alice.ring.epoch_secret(epoch_id(2), at_ms(270)) == join.own_epoch->epoch_secret);
    CHECK(alice.ring.handle_announcement(host.index, announcement, host, at_ms(280)).error() ==
          e2ee_error::stale_epoch);
}

TEST_CASE("key package and announcement parsers refuse malformed input", "[e2ee][keyring]") {
    CHECK(parse_key_package(bytes{}).error() == e2ee_error::truncated);
    CHECK(parse_key_package(bytes(key_package_size + 1)).error() == e2ee_error::too_large);
    bytes wrong_version(key_package_size, 0);
    wrong_version[0] = 2;
    CHECK(parse_key_package(wrong_version).error() == e2ee_error::bad_version);
    bytes wrong_type(key_package_size, 0);
    wrong_type[0] = key_format_version;
    wrong_type[1] = static_cast<std::uint8_t>(key_message_type::announcement);
    CHECK(parse_key_package(wrong_type).error() == e2ee_error::bad_version);
    CHECK(parse_announcement(bytes(announcement_size - 1, 1)).error() == e2ee_error::bad_version);
    CHECK(parse_announcement(bytes(3, 0)).error() == e2ee_error::truncated);
}
