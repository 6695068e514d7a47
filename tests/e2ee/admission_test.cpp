// Admission proofs and session binding: a relay can neither admit a member of its own to a closed
// room nor make a client install a key package from an earlier session (nonce reuse on rejoin).
#include <catch2/catch.hpp>

#include "e2ee_test_support.hpp"
#include "stoa/e2ee/admission.hpp"
#include "stoa/e2ee/key_distributor.hpp"

using namespace stoa;
using namespace stoa::e2ee;
using test::at_ms;

namespace {
admission_secret secret_from(test::seeded_random& random) {
    admission_secret secret;
    random.fill(secret.mutable_view());
    return secret;
}
}  // namespace

TEST_CASE("an admission tag verifies only for its secret, room, member key and nonce", "[e2ee][admission]") {
    test::seeded_random random(41);
    const room_id room = test::make_room(3);
    const identity member = identity::generate(random);
    const identity other = identity::generate(random);
    const admission_secret secret = secret_from(random);
    const admission_secret wrong = secret_from(random);
    const session_nonce nonce = fresh_session_nonce(random);

    const bytes encoded = encode_admission(nonce, room, member.key(), &secret);
    REQUIRE(encoded.size() == closed_admission_size);
    auto proof = parse_admission(encoded);
    REQUIRE(proof.ok());
    CHECK(proof->nonce == nonce);
    CHECK(admission_valid(*proof, secret, room, member.key()));
    // The relay sees the proof; it cannot reuse it for its own key, another room, or guess the secret.
    CHECK_FALSE(admission_valid(*proof, secret, room, other.key()));
    CHECK_FALSE(admission_valid(*proof, secret, test::make_room(4), member.key()));
    CHECK_FALSE(admission_valid(*proof, wrong, room, member.key()));
    admission_secret zeros;
    CHECK_FALSE(admission_valid(*proof, zeros, room, member.key()));
    // Any flipped bit of the tag or the nonce is refused.
    for (std::size_t i = 1; i < encoded.size(); ++i) {
        bytes altered = encoded;
        altered[i] ^= 0x01;
        auto parsed = parse_admission(altered);
        REQUIRE(parsed.ok());
        CHECK_FALSE(admission_valid(*parsed, secret, room, member.key()));
    }
}

TEST_CASE("an open room's proof has a nonce and no tag, and never passes as admitted", "[e2ee][admission]") {
    test::seeded_random random(42);
    const identity member = identity::generate(random);
    const session_nonce nonce = fresh_session_nonce(random);
    const bytes open = encode_admission(nonce, test::make_room(1), member.key(), nullptr);
    REQUIRE(open.size() == open_admission_size);
    auto proof = parse_admission(open);
    REQUIRE(proof.ok());
    CHECK_FALSE(proof->tag.has_value());
    CHECK_FALSE(admission_valid(*proof, secret_from(random), test::make_room(1), member.key()));
}

TEST_CASE("malformed admission bytes get typed errors", "[e2ee][admission]") {
    CHECK(parse_admission(bytes{}).error() == e2ee_error::truncated);
    CHECK(parse_admission(bytes(open_admission_size, 0x00)).error() == e2ee_error::bad_version);
    bytes short_one(open_admission_size - 1, 0x00);
    short_one[0] = admission_format_version;
    CHECK(parse_admission(short_one).error() == e2ee_error::truncated);
    bytes between(open_admission_size + 5, 0x00);
    between[0] = admission_format_version;
    CHECK(parse_admission(between).error() == e2ee_error::truncated);
    bytes long_one(closed_admission_size + 1, 0x00);
    long_one[0] = admission_format_version;
    CHECK(parse_admission(long_one).error() == e2ee_error::too_large);
}

TEST_CASE("a key package sealed for an earlier session is refused, leaving the keyring unchanged",
          "[e2ee][admission][keyring]") {
    test::room_harness room;
    auto& member = room.add(2, at_ms(0));
    const auto first = room.distributor().tick(at_ms(0));
    REQUIRE(first.packages.size() == 1);
    const bytes old_package = first.packages.front().blob;
    room.deliver(first, at_ms(0));
    REQUIRE(member.ring.newest_epoch());

    // The member rejoins: a fresh keyring and a fresh session nonce. The relay replays the package
    // it carried before. Installing it would restart the member's counters at 0 under a key it
    // already used: the nonce in the package names the old session, so it is refused.
    keyring fresh(keyring_config{room.room()});
    const session_nonce new_session = fresh_session_nonce(room.random());
    const distributor_ref ref{room.host().index, room.host().self.key()};
    auto replayed = fresh.handle_package(room.host().index, old_package, ref, member.self, at_ms(10), new_session);
    REQUIRE_FALSE(replayed.ok());
    CHECK(replayed.error() == e2ee_error::wrong_session);
    CHECK_FALSE(fresh.newest_epoch().has_value());
    // The same package is accepted by the session it was made for.
    keyring same(keyring_config{room.room()});
    CHECK(same.handle_package(room.host().index, old_package, ref, member.self, at_ms(10), member.session).ok());
}

TEST_CASE("every recipient's package carries its own session nonce under one signature", "[e2ee][admission]") {
    test::room_harness room;
    for (std::uint32_t i = 2; i <= 5; ++i) room.add(i, at_ms(0));
    const auto out = room.distributor().tick(at_ms(0));
    CHECK(out.signatures == 1);
    const distributor_ref ref{room.host().index, room.host().self.key()};
    for (const auto& package : out.packages) {
        // Each member's package opens only with its own session, even for a keyring of the same member.
        auto& member = room.member(package.recipient.value);
        keyring ring(keyring_config{room.room()});
        auto wrong = ring.handle_package(room.host().index, package.blob, ref, member.self, at_ms(0),
                                         room.member(package.recipient.value == 2 ? 3 : 2).session);
        CHECK(wrong.error() == e2ee_error::wrong_session);
        CHECK(ring.handle_package(room.host().index, package.blob, ref, member.self, at_ms(0), member.session).ok());
    }
}

TEST_CASE("a rotated admission secret reaches the members present, in a fresh epoch, and not a removed one",
          "[e2ee][admission][distributor]") {
    test::seeded_random secrets(77);
    const admission_secret first_secret = secret_from(secrets);
    const admission_secret rotated = secret_from(secrets);
    test::room_harness room;
    distributor_config config{room.room()};
    config.admission = first_secret;
    key_distributor distributor(room.host().self, room.host().index, config, room.random(), epoch_id(1));
    auto& stays = room.add(2, at_ms(0));
    auto& kicked = room.add(3, at_ms(0));
    REQUIRE(distributor.member_added(stays.index, stays.self.key(), at_ms(0), stays.session).ok());
    REQUIRE(distributor.member_added(kicked.index, kicked.self.key(), at_ms(0), kicked.session).ok());
    room.deliver(distributor.tick(at_ms(0)), at_ms(0));
    REQUIRE(stays.ring.newest_keys()->admission == first_secret);

    REQUIRE(distributor.member_removed(kicked.index, at_ms(100)).ok());
    distributor.rotate_admission(rotated, at_ms(100));
    const auto out = distributor.tick(at_ms(700));
    REQUIRE(out.own_epoch);
    CHECK(out.own_epoch->kind == epoch_kind::fresh);
    CHECK(out.own_epoch->admission == rotated);
    REQUIRE(out.packages.size() == 1);
    CHECK(out.packages.front().recipient == stays.index);
    const distributor_ref ref{room.host().index, room.host().self.key()};
    REQUIRE(stays.ring.handle_package(room.host().index, out.packages.front().blob, ref, stays.self, at_ms(700),
                                      stays.session)
                .ok());
    CHECK(stays.ring.newest_keys()->admission == rotated);
    CHECK(kicked.ring.newest_keys()->admission == first_secret);
}

TEST_CASE("a rotation alone forces a fresh epoch", "[e2ee][admission][distributor]") {
    test::room_harness room;
    room.add(2, at_ms(0));
    room.tick_and_deliver(at_ms(0));
    test::seeded_random secrets(5);
    room.distributor().rotate_admission(secret_from(secrets), at_ms(10));
    const auto out = room.tick_and_deliver(at_ms(600));
    REQUIRE(out.own_epoch);
    CHECK(out.own_epoch->kind == epoch_kind::fresh);
    CHECK(room.member(2).ring.newest_keys()->admission == out.own_epoch->admission);
}
