#include <catch2/catch.hpp>

#include "stoa/proto/auth.hpp"

using namespace stoa;
using namespace stoa::proto;

TEST_CASE("auth transcript is domain || u16 length || context || challenge", "[proto][auth]") {
    auth_challenge challenge{};
    for (std::size_t i = 0; i < challenge.size(); ++i) challenge[i] = static_cast<std::uint8_t>(i);
    const bytes t = auth_transcript("https://stoa.example", challenge);
    const std::string expected_hex =
        "73746f612061757468207631"  // "stoa auth v1"
        "0014"                      // 20
        "68747470733a2f2f73746f612e6578616d706c65"
        "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
    CHECK(to_hex(t) == expected_hex);
}

TEST_CASE("auth transcripts differ when context or challenge differ", "[proto][auth]") {
    auth_challenge a{};
    auth_challenge b{};
    b[31] = 1;
    CHECK(auth_transcript("https://one.example", a) != auth_transcript("https://two.example", a));
    CHECK(auth_transcript("https://one.example", a) != auth_transcript("https://one.example", b));
    // The length prefix keeps context and challenge from sliding into each other.
    CHECK(auth_transcript("", a) != auth_transcript(std::string_view("\0", 1), a));
}

TEST_CASE("an over-long context is a programmer error", "[proto][auth]") {
    const std::string huge(max_auth_context_length + 1, 'x');
    CHECK_THROWS_AS(auth_transcript(huge, auth_challenge{}), std::invalid_argument);
}
