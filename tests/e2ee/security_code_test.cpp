// Security codes: equal for members who share epoch, roster and distributor; different otherwise.
#include <catch2/catch.hpp>

#include <algorithm>
#include <regex>
#include <string>
#include <set>

#include "e2ee_test_support.hpp"
#include "stoa/e2ee/security_code.hpp"

using namespace stoa;
using namespace stoa::e2ee;
using test::at_ms;

TEST_CASE("members of a room compute the same security code", "[e2ee][security_code]") {
    test::room_harness room;
    auto& alice = room.add(2, at_ms(0));
    auto& bob = room.add(3, at_ms(0));
    room.tick_and_deliver(at_ms(0));
    const std::vector<public_key> stage_as_alice_sees = {room.host().self.key(), alice.self.key(), bob.self.key()};
    const std::vector<public_key> stage_as_bob_sees = {bob.self.key(), room.host().self.key(), alice.self.key(),
                                                       bob.self.key()};  // order and duplicates do not matter
    const auto code_alice = compute_security_code(*alice.ring.epoch_secret(epoch_id(1), at_ms(1)), epoch_id(1),
                                                  room.room(), room.host().self.key(), stage_as_alice_sees);
    const auto code_bob = compute_security_code(*bob.ring.epoch_secret(epoch_id(1), at_ms(1)), epoch_id(1),
                                                room.room(), room.host().self.key(), stage_as_bob_sees);
    CHECK(code_alice == code_bob);
    CHECK(std::regex_match(code_alice.digits, std::regex("[0-9]{5}( [0-9]{5}){4}")));
    CHECK(code_alice.emoji.size() == security_code_emoji_count);
    // The words name the emoji, one for one: both forms come from the same bits.
    CHECK(code_alice.words == code_bob.words);
    CHECK(std::regex_match(code_alice.words, std::regex("[a-z]+( [a-z]+){7}")));
    {
        std::string expected;
        for (const auto symbol : code_alice.emoji) {
            const auto at = std::find(emoji_alphabet().begin(), emoji_alphabet().end(), symbol);
            REQUIRE(at != emoji_alphabet().end());
            if (!expected.empty()) expected += ' ';
            expected += emoji_names()[static_cast<std::size_t>(at - emoji_alphabet().begin())];
        }
        CHECK(code_alice.words == expected);
    }

    SECTION("a relay substituting one stage key changes the code") {
        test::seeded_random random(41);
        const identity relay_plant = identity::generate(random);
        const std::vector<public_key> substituted = {room.host().self.key(), relay_plant.key(), bob.self.key()};
        CHECK_FALSE(compute_security_code(*bob.ring.epoch_secret(epoch_id(1), at_ms(1)), epoch_id(1), room.room(),
                                          room.host().self.key(), substituted) == code_alice);
    }
    SECTION("another distributor changes the code") {
        CHECK_FALSE(compute_security_code(*bob.ring.epoch_secret(epoch_id(1), at_ms(1)), epoch_id(1), room.room(),
                                          bob.self.key(), stage_as_bob_sees) == code_alice);
    }
    SECTION("another epoch changes the code") {
        room.add(4, at_ms(10));
        room.tick_and_deliver(at_ms(300));
        CHECK_FALSE(compute_security_code(*bob.ring.epoch_secret(epoch_id(2), at_ms(301)), epoch_id(2), room.room(),
                                          room.host().self.key(), stage_as_bob_sees) == code_alice);
    }
    SECTION("another epoch key gives other words and emoji, not only other digits") {
        secret_key other = *bob.ring.epoch_secret(epoch_id(1), at_ms(1));
        other.mutable_view()[0] ^= 1;
        const auto code_other =
            compute_security_code(other, epoch_id(1), room.room(), room.host().self.key(), stage_as_bob_sees);
        CHECK(code_other.words != code_alice.words);
        CHECK(code_other.emoji != code_alice.emoji);
        CHECK(code_other.digits != code_alice.digits);
    }
}

TEST_CASE("every emoji has a distinct lower-case name", "[e2ee][security_code]") {
    std::set<std::string_view> distinct(emoji_names().begin(), emoji_names().end());
    CHECK(distinct.size() == 64);
    for (const auto name : emoji_names()) CHECK(std::regex_match(std::string(name), std::regex("[a-z]+")));
}

TEST_CASE("the emoji alphabet has 64 distinct entries", "[e2ee][security_code]") {
    std::set<std::string_view> distinct(emoji_alphabet().begin(), emoji_alphabet().end());
    CHECK(distinct.size() == 64);
    CHECK_FALSE(distinct.contains(std::string_view{}));
}
