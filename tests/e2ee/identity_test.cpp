// Identities, member ids, sealing keys and the connect-time proof of possession.
#include <catch2/catch.hpp>

#include "e2ee_test_support.hpp"
#include "stoa/e2ee/identity.hpp"

using namespace stoa;
using namespace stoa::e2ee;

TEST_CASE("an identity is a pure function of its 32 random bytes", "[e2ee][identity]") {
    test::seeded_random a(1), b(1), c(2);
    const identity first = identity::generate(a);
    const identity again = identity::generate(b);
    const identity other = identity::generate(c);
    CHECK(first.key() == again.key());
    CHECK(first.id() == again.id());
    CHECK(first.key() != other.key());
    CHECK(first.id() != other.id());
}

TEST_CASE("member id is the first 16 bytes of BLAKE2b-256 over the label and the key", "[e2ee][identity]") {
    test::seeded_random random(3);
    const identity self = identity::generate(random);
    CHECK(self.id() == derive_member_id(self.key()));
    public_key flipped = self.key();
    flipped.value[0] ^= 1;
    CHECK(derive_member_id(flipped) != self.id());
}

TEST_CASE("a moved-from identity keeps no usable secret", "[e2ee][identity]") {
    test::seeded_random random(4);
    identity original = identity::generate(random);
    const public_key key = original.key();
    identity moved = std::move(original);
    const bytes message{1, 2, 3};
    CHECK(verify_signature(key, message, moved.sign(message)).ok());
    // The wiped source signs with an all-zero secret: its signature does not verify under the key.
    CHECK_FALSE(verify_signature(key, message, original.sign(message)).ok());  // NOLINT(bugprone-use-after-move)
}

TEST_CASE("sealing keys: low-order and invalid Ed25519 keys are refused", "[e2ee][identity]") {
    // Identity point, a point of order 2, and an encoding that is not on the curve.
    const auto identity_point = from_hex("0100000000000000000000000000000000000000000000000000000000000000");
    const auto order_two = from_hex("ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f");
    const auto all_zero = from_hex("0000000000000000000000000000000000000000000000000000000000000000");
    const auto not_on_curve = from_hex("0200000000000000000000000000000000000000000000000000000000000000");
    for (const auto& raw : {identity_point, order_two, all_zero, not_on_curve}) {
        REQUIRE(raw);
        public_key key;
        std::copy(raw->begin(), raw->end(), key.value.begin());
        auto converted = sealing_key_for(key);
        REQUIRE_FALSE(converted.ok());
        CHECK(converted.error() == e2ee_error::invalid_public_key);
    }
    test::seeded_random random(6);
    const identity valid = identity::generate(random);
    auto converted = sealing_key_for(valid.key());
    REQUIRE(converted.ok());
    CHECK(*converted == valid.sealing_key());
}

TEST_CASE("sealed boxes open only for their recipient and only unmodified", "[e2ee][identity]") {
    test::seeded_random random(7);
    const identity bob = identity::generate(random);
    const identity eve = identity::generate(random);
    const bytes secret = {9, 8, 7, 6, 5};
    bytes sealed(secret.size() + sealed_box_overhead);
    REQUIRE(seal_to(bob.sealing_key(), secret, sealed).ok());

    bytes opened(secret.size());
    auto size = bob.open_sealed(sealed, opened);
    REQUIRE(size.ok());
    CHECK(opened == secret);
    CHECK(eve.open_sealed(sealed, opened).error() == e2ee_error::auth_failed);
    sealed[sealed.size() - 1] ^= 1;
    CHECK(bob.open_sealed(sealed, opened).error() == e2ee_error::auth_failed);
    CHECK(bob.open_sealed(byte_view(sealed).first(10), opened).error() == e2ee_error::truncated);
}
