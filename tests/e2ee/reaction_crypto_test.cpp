// Sealed reactions: open for holders of the epoch secret, bound to sender index, room and epoch,
// one size whatever the kind, and any tampering refused.
#include <catch2/catch.hpp>

#include <algorithm>

#include "e2ee_test_support.hpp"
#include "stoa/e2ee/reaction_crypto.hpp"

using namespace stoa;
using namespace stoa::e2ee;

namespace {
struct reaction_fixture {
    test::seeded_random random{57};
    identity alice = identity::generate(random);
    identity mallory = identity::generate(random);
    room_id room = test::make_room(5);
    epoch_id epoch{3};
    secret_key epoch_secret = [] {
        secret_key s;
        for (auto& b : s.mutable_view()) b = 0x42;
        return s;
    }();

    bytes seal(std::uint8_t kind = 2, std::uint64_t counter = 7, sender_index as = sender_index(4)) {
        return seal_reaction(kind, counter, alice, as, room, epoch, epoch_secret, random);
    }
};
}  // namespace

TEST_CASE("a reaction opens for holders of the epoch secret", "[e2ee][reaction]") {
    reaction_fixture f;
    const bytes sealed = f.seal();
    CHECK(sealed.size() == sealed_reaction_size);
    CHECK(reaction_epoch(sealed).value() == f.epoch);
    auto opened = open_reaction(sealed, sender_index(4), f.room, f.epoch_secret);
    REQUIRE(opened.ok());
    CHECK(opened->kind == 2);
    CHECK(opened->counter == 7);
    CHECK(opened->sender_key == f.alice.key());
}

TEST_CASE("a reaction's ciphertext hides its kind and its sender's key", "[e2ee][reaction]") {
    reaction_fixture f;
    const bytes heart = f.seal(2);
    const bytes clap = f.seal(4);
    CHECK(heart.size() == clap.size());
    const auto& key = f.alice.key().value;
    CHECK(std::search(heart.begin(), heart.end(), key.begin(), key.end()) == heart.end());
}

TEST_CASE("an unknown kind still opens, as its raw byte, for the client to refuse", "[e2ee][reaction]") {
    reaction_fixture f;
    auto opened = open_reaction(f.seal(200), sender_index(4), f.room, f.epoch_secret);
    REQUIRE(opened.ok());
    CHECK(opened->kind == 200);
}

TEST_CASE("a reaction is refused when tampered with or moved", "[e2ee][reaction]") {
    reaction_fixture f;
    const bytes sealed = f.seal();
    SECTION("without the epoch secret (the relay)") {
        secret_key wrong = f.epoch_secret;
        wrong.mutable_view()[0] ^= 1;
        CHECK(open_reaction(sealed, sender_index(4), f.room, wrong).error() == e2ee_error::auth_failed);
    }
    SECTION("relabelled with another sender index") {
        CHECK(open_reaction(sealed, sender_index(5), f.room, f.epoch_secret).error() == e2ee_error::sender_mismatch);
    }
    SECTION("a header byte changed to match another index") {
        bytes moved = sealed;
        moved[1 + 8 + 3] = 5;  // the index inside the header
        CHECK(open_reaction(moved, sender_index(5), f.room, f.epoch_secret).error() == e2ee_error::auth_failed);
    }
    SECTION("replayed into another room") {
        CHECK(open_reaction(sealed, sender_index(4), test::make_room(6), f.epoch_secret).error() ==
              e2ee_error::auth_failed);
    }
    SECTION("any ciphertext byte flipped") {
        for (std::size_t i = reaction_header_size; i < sealed.size(); i += 7) {
            bytes flipped = sealed;
            flipped[i] ^= 0x01;
            CHECK(open_reaction(flipped, sender_index(4), f.room, f.epoch_secret).error() == e2ee_error::auth_failed);
        }
    }
    SECTION("cut short or padded") {
        CHECK(open_reaction(byte_view(sealed).first(10), sender_index(4), f.room, f.epoch_secret).error() ==
              e2ee_error::truncated);
        bytes longer = sealed;
        longer.push_back(0);
        CHECK(open_reaction(longer, sender_index(4), f.room, f.epoch_secret).error() == e2ee_error::too_large);
    }
}
