// Encrypted profiles: round trip, size limits, binding to owner, room and generation.
#include <catch2/catch.hpp>

#include "e2ee_test_support.hpp"
#include "stoa/e2ee/profile_crypto.hpp"

using namespace stoa;
using namespace stoa::e2ee;

namespace {
struct profile_fixture {
    test::seeded_random random{31};
    identity alice = identity::generate(random);
    identity bob = identity::generate(random);
    room_id room = test::make_room(3);
    secret_key roster_secret = [] {
        secret_key s;
        for (auto& b : s.mutable_view()) b = 0x5a;
        return s;
    }();
    roster_generation generation{4};
    profile content{"Ada Lovelace", "Analytical engines, poetry of science."};

    bytes seal() {
        return seal_profile(content, alice, sender_index(2), room, generation, roster_secret, random).value();
    }
};
}  // namespace

TEST_CASE("a profile opens for room members with the roster secret", "[e2ee][profile]") {
    profile_fixture f;
    const bytes sealed = f.seal();
    CHECK(sealed.size() <= max_sealed_profile_size);
    CHECK(profile_generation(sealed).value() == f.generation);
    auto opened = open_profile(sealed, sender_index(2), f.alice.key(), f.room, f.roster_secret);
    REQUIRE(opened.ok());
    CHECK(*opened == f.content);
}

TEST_CASE("profile ciphertext hides the name and most of its length", "[e2ee][profile]") {
    profile_fixture f;
    const bytes sealed = f.seal();
    const std::string as_text(sealed.begin(), sealed.end());
    CHECK(as_text.find("Ada") == std::string::npos);
    f.content = profile{"Al", ""};
    const bytes short_name = f.seal();
    f.content = profile{"Alexandra Ocasio", ""};
    const bytes longer_name = f.seal();
    CHECK(short_name.size() == longer_name.size());  // padded to 64-byte blocks
}

TEST_CASE("a profile cannot be opened by outsiders or moved to another member", "[e2ee][profile]") {
    profile_fixture f;
    const bytes sealed = f.seal();
    SECTION("without the roster secret (the relay)") {
        secret_key wrong = f.roster_secret;
        wrong.mutable_view()[0] ^= 1;
        CHECK(open_profile(sealed, sender_index(2), f.alice.key(), f.room, wrong).error() == e2ee_error::auth_failed);
    }
    SECTION("attached to another member's entry") {
        CHECK(open_profile(sealed, sender_index(3), f.bob.key(), f.room, f.roster_secret).error() ==
              e2ee_error::sender_mismatch);
    }
    SECTION("another member re-encrypting Alice's name as her (holds the roster secret, not her key)") {
        const bytes forged =
            seal_profile(f.content, f.bob, sender_index(2), f.room, f.generation, f.roster_secret, f.random).value();
        CHECK(open_profile(forged, sender_index(2), f.alice.key(), f.room, f.roster_secret).error() ==
              e2ee_error::bad_signature);
    }
    SECTION("in another room") {
        CHECK(open_profile(sealed, sender_index(2), f.alice.key(), test::make_room(9), f.roster_secret).error() ==
              e2ee_error::auth_failed);
    }
    SECTION("any flipped bit") {
        for (std::size_t i = 0; i < sealed.size(); ++i) {
            bytes tampered = sealed;
            tampered[i] ^= 0x04;
            CHECK_FALSE(open_profile(tampered, sender_index(2), f.alice.key(), f.room, f.roster_secret).ok());
        }
    }
}

TEST_CASE("profile size limits", "[e2ee][profile]") {
    profile_fixture f;
    f.content.display_name = std::string(max_display_name_size + 1, 'x');
    CHECK(seal_profile(f.content, f.alice, sender_index(2), f.room, f.generation, f.roster_secret, f.random)
              .error() == e2ee_error::too_large);
    f.content = profile{std::string(max_display_name_size, 'n'), std::string(max_profile_text_size, 't')};
    const bytes largest = f.seal();
    CHECK(largest.size() == max_sealed_profile_size);
    CHECK(open_profile(largest, sender_index(2), f.alice.key(), f.room, f.roster_secret).value() == f.content);
    bytes oversized = largest;
    oversized.push_back(0);
    CHECK(open_profile(oversized, sender_index(2), f.alice.key(), f.room, f.roster_secret).error() ==
          e2ee_error::too_large);
    CHECK(open_profile(bytes{1, 2}, sender_index(2), f.alice.key(), f.room, f.roster_secret).error() ==
          e2ee_error::truncated);
}
