#include <catch2/catch.hpp>

#include "stoa/proto/encoding.hpp"

using namespace stoa;
using namespace stoa::proto;

TEST_CASE("base64 matches the RFC 4648 test vectors both ways", "[proto][encoding]") {
    const std::pair<std::string_view, std::string_view> vectors[] = {
        {"", ""},         {"f", "Zg=="},         {"fo", "Zm8="},         {"foo", "Zm9v"},
        {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"}};
    for (const auto& [plain, encoded] : vectors) {
        const auto data = as_bytes(plain);
        CHECK(encode_base64(data) == encoded);
        auto back = decode_base64(encoded);
        REQUIRE(back.has_value());
        CHECK(*back == bytes(data.begin(), data.end()));
    }
}

TEST_CASE("base64 decoding accepts only the canonical spelling", "[proto][encoding]") {
    const std::string_view bad[] = {
        "Zg",        // no padding
        "Zg=",       // short padding
        "Zh==",      // non-zero bits under the padding
        "Zm9=",      // non-zero bits under one '='
        "Zm9v\n",    // whitespace
        "Zm-v",      // base64url alphabet
        "Z===",      // too much padding
        "=Zm9",      // padding first
        "Zm==Zm9v",  // padding in the middle
    };
    for (auto text : bad) {
        INFO(text);
        CHECK_FALSE(decode_base64(text).has_value());
    }
}

TEST_CASE("hex decoding is lowercase only", "[proto][encoding]") {
    CHECK(decode_lower_hex("00ff7a") == bytes{0x00, 0xff, 0x7a});
    CHECK_FALSE(decode_lower_hex("00FF").has_value());
    CHECK_FALSE(decode_lower_hex("0").has_value());
    CHECK_FALSE(decode_lower_hex("zz").has_value());
}

TEST_CASE("UTF-8 validation rejects every ill-formed class", "[proto][encoding]") {
    CHECK(is_valid_utf8("plain ascii"));
    CHECK(is_valid_utf8("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x8e\x99"));
    const std::string_view bad[] = {
        "\x80",              // lone continuation
        "\xc3",              // cut sequence
        "\xc0\xaf",          // overlong '/'
        "\xe0\x80\xaf",      // overlong 3-byte
        "\xed\xa0\x80",      // UTF-16 surrogate
        "\xf4\x90\x80\x80",  // over U+10FFFF
        "\xff",              // never valid
        "a\xe2\x82",         // cut at the end
    };
    for (auto text : bad) CHECK_FALSE(is_valid_utf8(text));
}
