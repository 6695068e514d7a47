#include <catch2/catch.hpp>

#include <string>

#include "stoa/proto/bounded_json.hpp"

using namespace stoa::proto;

TEST_CASE("bounded JSON parses ordinary documents", "[proto][json]") {
    auto j = parse_bounded_json(R"({"a":[1,2,{"b":null}],"c":"\u00e9"})", client_json_limits);
    REQUIRE(j.ok());
    CHECK((*j)["a"][2].contains("b"));
    CHECK((*j)["c"] == "\xc3\xa9");
}

TEST_CASE("nesting deeper than the limit stops the parse early", "[proto][json]") {
    SECTION("depth 8 is accepted, 9 is not") {
        std::string ok = std::string(8, '[') + std::string(8, ']');
        std::string deep = std::string(9, '[') + std::string(9, ']');
        CHECK(parse_bounded_json(ok, client_json_limits).ok());
        auto r = parse_bounded_json(deep, client_json_limits);
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().code == proto_error::too_deep);
    }
    SECTION("100,000 '[' return an error without building a deep tree") {
        const std::string deep(100'000, '[');
        auto r = parse_bounded_json(deep, server_json_limits);
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().code == proto_error::too_deep);
    }
    SECTION("deep objects too") {
        std::string deep;
        for (int i = 0; i < 50'000; ++i) deep += "{\"a\":";
        auto r = parse_bounded_json(deep, server_json_limits);
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().code == proto_error::too_deep);
    }
}

TEST_CASE("bounded JSON rejects each bad-input class with its own code", "[proto][json]") {
    struct row {
        const char* name;
        std::string text;
        proto_error expected;
    };
    const std::vector<row> rows = {
        {"syntax error", "{\"a\":}", proto_error::invalid_json},
        {"truncated", "{\"a\":1", proto_error::invalid_json},
        {"trailing garbage", "{} x", proto_error::invalid_json},
        {"two documents", "{}{}", proto_error::invalid_json},
        {"empty", "", proto_error::invalid_json},
        {"invalid UTF-8 in a string", "{\"a\":\"\xff\"}", proto_error::invalid_utf8},
        {"invalid UTF-8 outside strings", "{\xc3\x28}", proto_error::invalid_utf8},
        {"duplicate key", "{\"a\":1,\"a\":2}", proto_error::duplicate_key},
        {"duplicate key nested", "{\"a\":{\"b\":1,\"b\":1}}", proto_error::duplicate_key},
        {"too many values", "[" + [] {
             std::string s;
             for (int i = 0; i < 2000; ++i) s += "0,";
             return s;
         }() + "0]",
         proto_error::too_many_items},
        {"too large", "\"" + std::string(max_client_message_size, 'a') + "\"", proto_error::message_too_large},
        {"comments are not JSON", "{/*x*/}", proto_error::invalid_json},
    };
    for (const auto& r : rows) {
        SECTION(r.name) {
            auto parsed = parse_bounded_json(r.text, client_json_limits);
            REQUIRE_FALSE(parsed.ok());
            CHECK(r.expected == parsed.error().code);
        }
    }
}

TEST_CASE("duplicate keys name the key", "[proto][json]") {
    auto r = parse_bounded_json(R"({"type":"a","type":"b"})", client_json_limits);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().detail == "type");
}
