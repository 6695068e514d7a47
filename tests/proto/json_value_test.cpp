// The protocol's own JSON reader and writer (json_value.hpp, bounded_json.hpp): hostile input
// gets a typed error, values keep their kinds, and the writer's output reads back unchanged.
#include <catch2/catch.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "stoa/proto/bounded_json.hpp"
#include "stoa/proto/json_value.hpp"

using namespace stoa::proto;

namespace {

proto_error error_of(const std::string& text, const json_limits& limits = client_json_limits) {
    auto parsed = parse_bounded_json(text, limits);
    REQUIRE_FALSE(parsed.ok());
    return parsed.error().code;
}

std::string chain(const std::string& open, int n) {
    std::string s;
    for (int i = 0; i < n; ++i) s += open;
    return s;
}

}  // namespace

TEST_CASE("hostile JSON gets a typed error, never a crash", "[proto][json]") {
    struct row {
        const char* name;
        std::string text;
        proto_error expected;
    };
    const std::vector<row> rows = {
        {"truncated in a string", R"({"a":"abc)", proto_error::invalid_json},
        {"truncated in a key", R"({"ab)", proto_error::invalid_json},
        {"truncated after a key", R"({"a")", proto_error::invalid_json},
        {"truncated in a literal", "[tru", proto_error::invalid_json},
        {"truncated in a number", "[1.", proto_error::invalid_json},
        {"truncated in an exponent", "[1e", proto_error::invalid_json},
        {"truncated in an escape", R"(["\u12)", proto_error::invalid_json},
        {"truncated after a backslash", "[\"\\", proto_error::invalid_json},
        {"only whitespace", " \n\t ", proto_error::invalid_json},
        {"depth bomb of arrays", std::string(60'000, '['), proto_error::too_deep},
        {"depth bomb of objects", chain("{\"a\":", 12'000), proto_error::too_deep},
        {"depth bomb mixed", chain("[{\"a\":", 10'000), proto_error::too_deep},
        {"depth bomb over the size limit", std::string(1'000'000, '['), proto_error::message_too_large},
        {"invalid UTF-8 overlong", "[\"\xc0\x80\"]", proto_error::invalid_utf8},
        {"invalid UTF-8 raw surrogate", "[\"\xed\xa0\x80\"]", proto_error::invalid_utf8},
        {"invalid UTF-8 over U+10FFFF", "[\"\xf4\x90\x80\x80\"]", proto_error::invalid_utf8},
        {"invalid UTF-8 truncated sequence", "[\"\xe2\x82\"]", proto_error::invalid_utf8},
        {"NUL after the document", std::string("{}\0", 3), proto_error::invalid_json},
        {"NUL then more after the document", std::string("{}\0{}", 5), proto_error::invalid_json},
        {"NUL raw in a string", std::string("[\"a\0b\"]", 7), proto_error::invalid_json},
        {"NUL instead of a value", std::string("[\0]", 3), proto_error::invalid_json},
        {"lone high surrogate", R"(["\ud800"])", proto_error::invalid_json},
        {"high surrogate then text", R"(["\ud800abcdef"])", proto_error::invalid_json},
        {"high surrogate then high", R"(["\ud800\ud800"])", proto_error::invalid_json},
        {"lone low surrogate", R"(["\udc00"])", proto_error::invalid_json},
        {"bad escape", R"(["\x41"])", proto_error::invalid_json},
        {"bad hex in escape", R"(["\u00g0"])", proto_error::invalid_json},
        {"raw tab in a string", "[\"a\tb\"]", proto_error::invalid_json},
        {"leading zero", "[01]", proto_error::invalid_json},
        {"plus sign", "[+1]", proto_error::invalid_json},
        {"bare fraction", "[.5]", proto_error::invalid_json},
        {"minus alone", "[-]", proto_error::invalid_json},
        {"NaN", "[NaN]", proto_error::invalid_json},
        {"Infinity", "[Infinity]", proto_error::invalid_json},
        {"trailing comma in array", "[1,]", proto_error::invalid_json},
        {"trailing comma in object", R"({"a":1,})", proto_error::invalid_json},
        {"single quotes", "['a']", proto_error::invalid_json},
        {"unquoted key", "{a:1}", proto_error::invalid_json},
        {"missing colon", R"({"a" 1})", proto_error::invalid_json},
        {"mismatched close", "[1}", proto_error::invalid_json},
        {"capitalised literal", "[True]", proto_error::invalid_json},
        {"duplicate key after escapes", R"({"a":1,"\u0061":2})", proto_error::duplicate_key},
        {"duplicate key with a NUL", R"({"a\u0000":1,"a\u0000":2})", proto_error::duplicate_key},
        {"duplicate in a large object", [] {
             std::string s = "{";
             for (int i = 0; i < 40; ++i) s += "\"k" + std::to_string(i) + "\":0,";
             return s + "\"k7\":1}";
         }(),
         proto_error::duplicate_key},
        {"too many values in objects", [] {
             std::string s = "[";
             for (int i = 0; i < 600; ++i) s += "{\"a\":0},";
             return s + "0]";
         }(),
         proto_error::too_many_items},
    };
    for (const auto& r : rows) {
        SECTION(r.name) { CHECK(to_string(error_of(r.text)) == to_string(r.expected)); }
    }
}

TEST_CASE("an error stops the parse at the first violation", "[proto][json]") {
    // The duplicate comes before the syntax error, so it is what is reported.
    CHECK(error_of(R"({"a":1,"a":2,})") == proto_error::duplicate_key);
    // A syntax error before the depth limit is reached.
    CHECK(error_of("[[x" + std::string(20, '[')) == proto_error::invalid_json);
    // Depth is checked as each container opens, before anything after it is read.
    CHECK(error_of(std::string(9, '[') + "x") == proto_error::too_deep);
}

TEST_CASE("numbers keep the kind their spelling gives them", "[proto][json]") {
    auto j = parse_bounded_json(
        R"([0, 18446744073709551615, 18446744073709551616, -1, -0, -9223372036854775808, -9223372036854775809,
            1.0, 1e2, 1E-2, -0.5, 1e400])",
        client_json_limits);
    REQUIRE(j.ok());
    const json_value a = j->root();
    REQUIRE(a.size() == 12);
    CHECK(a[0].is_number_unsigned());
    CHECK(a[0].as_uint() == 0);
    CHECK(a[1].is_number_unsigned());
    CHECK(a[1].as_uint() == UINT64_MAX);
    CHECK(a[2].is_number_float());  // beyond 64 bits
    CHECK(a[3].kind() == json_kind::integer);
    CHECK(a[3].as_int() == -1);
    CHECK(a[4].kind() == json_kind::integer);  // "-0" is signed, so never an unsigned field
    CHECK(a[4].is_number_integer());
    CHECK_FALSE(a[4].is_number_unsigned());
    CHECK(a[5].as_int() == INT64_MIN);
    CHECK(a[6].is_number_float());
    CHECK(a[7].is_number_float());
    CHECK(a[7].as_double() == 1.0);
    CHECK(a[8].as_double() == 100.0);
    CHECK(a[9].as_double() == Approx(0.01));
    CHECK(a[10].as_double() == -0.5);
    CHECK(a[11].is_number_float());

    // 60,000 digits: a double (infinite), not an error and not an integer field.
    auto huge = parse_bounded_json("[" + std::string(60'000, '9') + "]", client_json_limits);
    REQUIRE(huge.ok());
    CHECK(huge->root()[0].is_number_float());
    CHECK_FALSE(huge->root()[0].is_number_integer());
}

TEST_CASE("strings decode escapes, surrogate pairs and NUL", "[proto][json]") {
    auto j = parse_bounded_json(R"(["a\"b\\c\/d\b\f\n\r\t", "\u00e9\u20ac", "\ud83d\ude00", "x\u0000y", "\u001F"])",
                                client_json_limits);
    REQUIRE(j.ok());
    const json_value a = j->root();
    CHECK(a[0].as_string() == "a\"b\\c/d\b\f\n\r\t");
    CHECK(a[1].as_string() == "\xc3\xa9\xe2\x82\xac");
    CHECK(a[2].as_string() == "\xf0\x9f\x98\x80");
    CHECK(a[3].as_string() == std::string("x\0y", 3));
    CHECK(a[4].as_string() == "\x1f");
}

TEST_CASE("a byte order mark before the document is skipped, elsewhere it is an error", "[proto][json]") {
    CHECK(parse_bounded_json("\xef\xbb\xbf{}", client_json_limits).ok());
    CHECK(error_of("{}\xef\xbb\xbf") == proto_error::invalid_json);
}

TEST_CASE("objects keep document order and find keys", "[proto][json]") {
    auto j = parse_bounded_json(R"( {"z":1, "a":[true,false,null], "m":{}} )", client_json_limits);
    REQUIRE(j.ok());
    const json_value o = j->root();
    REQUIRE(o.is_object());
    REQUIRE(o.size() == 3);
    const auto members = o.members();
    CHECK(members[0].key == "z");
    CHECK(members[1].key == "a");
    CHECK(members[2].key == "m");
    CHECK(o["a"].size() == 3);
    CHECK(o["a"][0].as_bool());
    CHECK(o["a"][1].is_boolean());
    CHECK(o["a"][2].is_null());
    CHECK(o["m"].is_object());
    CHECK(o["m"].size() == 0);
    CHECK_FALSE(o["absent"].exists());
    CHECK_FALSE(o["a"][3].exists());
    CHECK_FALSE(o.find("absent").has_value());
    std::size_t count = 0;
    for (const json_value item : o["a"]) {
        (void)item;
        ++count;
    }
    CHECK(count == 3);
}

TEST_CASE("the writer produces compact JSON that reads back the same", "[proto][json]") {
    json_writer w;
    w.begin_object();
    w.field("v", 1);
    w.field("s", std::string("q\"\\/\b\f\n\r\t\x01\x7f\xc3\xa9"));
    w.field("big", UINT64_MAX);
    w.field("neg", INT64_MIN);
    w.field("t", true);
    w.field("n", nullptr);
    w.field("opt", std::optional<std::string>());
    w.key("list");
    w.begin_array();
    w.value(1);
    w.begin_object();
    w.end_object();
    w.begin_array();
    w.end_array();
    w.value("x");
    w.end_array();
    w.end_object();
    const std::string text = w.take();
    CHECK(text ==
          "{\"v\":1,\"s\":\"q\\\"\\\\/\\b\\f\\n\\r\\t\\u0001\x7f\xc3\xa9\",\"big\":18446744073709551615,"
          "\"neg\":-9223372036854775808,\"t\":true,\"n\":null,\"opt\":null,\"list\":[1,{},[],\"x\"]}");
    auto back = parse_bounded_json(text, client_json_limits);
    REQUIRE(back.ok());
    CHECK(back->root()["s"].as_string() == "q\"\\/\b\f\n\r\t\x01\x7f\xc3\xa9");
    CHECK(back->root()["big"].as_uint() == UINT64_MAX);
    CHECK(back->root()["neg"].as_int() == INT64_MIN);
}

TEST_CASE("the writer replaces bytes that are not UTF-8 with U+FFFD, one per bad sequence", "[proto][json]") {
    struct row {
        const char* name;
        std::string in;
        std::string out;
    };
    const std::string r = "\xef\xbf\xbd";
    const std::vector<row> rows = {
        {"stray continuation", "a\x80" "b", "a" + r + "b"},
        {"invalid lead", "\xff", r},
        {"overlong lead", "\xc0\xaf", r + r},
        {"cut short then ASCII", "\xe2\x82(", r + "("},
        {"cut short at the end", "x\xf0\x9f\x98", "x" + r},
        {"surrogate", "\xed\xa0\x80", r + r + r},
        {"valid four bytes kept", "\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80"},
    };
    for (const auto& row : rows) {
        SECTION(row.name) {
            json_writer w;
            w.value(row.in);
            CHECK(w.text() == "\"" + row.out + "\"");
            CHECK(parse_bounded_json(w.text(), client_json_limits).ok());
        }
    }
}
