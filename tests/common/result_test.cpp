#include <catch2/catch.hpp>

#include <string>

#include "stoa/common/result.hpp"

namespace {
enum class test_error { bad_input = 1, too_large = 2 };

stoa::result<int, test_error> parse_digit(char c) {
    if (c < '0' || c > '9') return stoa::fail(test_error::bad_input);
    return c - '0';
}
}  // namespace

TEST_CASE("result carries either a value or a typed error", "[common][result]") {
    auto good = parse_digit('7');
    REQUIRE(good.ok());
    CHECK(*good == 7);

    auto bad = parse_digit('x');
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error() == test_error::bad_input);
}

TEST_CASE("result distinguishes value and error even when they convert", "[common][result]") {
    stoa::result<int, int> as_value = 3;
    stoa::result<int, int> as_error = stoa::fail(3);
    CHECK(as_value.ok());
    CHECK_FALSE(as_error.ok());
    CHECK(as_error.error() == 3);
}

TEST_CASE("status reports success or a typed error", "[common][result]") {
    stoa::status<test_error> fine;
    stoa::status<test_error> broken = stoa::fail(test_error::too_large);
    CHECK(fine.ok());
    REQUIRE_FALSE(broken.ok());
    CHECK(broken.error() == test_error::too_large);
}

TEST_CASE("result moves its value out", "[common][result]") {
    stoa::result<std::string, test_error> r = std::string(100, 'a');
    std::string taken = std::move(r).value();
    CHECK(taken.size() == 100);
}
