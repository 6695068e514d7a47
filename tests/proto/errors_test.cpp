#include <catch2/catch.hpp>

#include <set>
#include <string>

#include "stoa/proto/errors.hpp"

using namespace stoa::proto;

TEST_CASE("proto and relay error codes sit in their ranges with unique names", "[proto][errors]") {
    std::set<std::string> names;
    for (std::uint16_t code = 100; code < 200; ++code) {
        const auto name = to_string(static_cast<proto_error>(code));
        if (name == "unknown_proto_error") continue;
        CHECK(names.insert(std::string(name)).second);
    }
    CHECK(names.size() == 21);
    std::set<std::string> relay_names;
    for (std::uint16_t code = 500; code < 600; ++code) {
        const auto name = to_string(static_cast<relay_error>(code));
        if (name == "unknown_relay_error") continue;
        CHECK(relay_names.insert(std::string(name)).second);
    }
    CHECK(relay_names.size() == 16);
}

TEST_CASE("wire codes never change", "[proto][errors]") {
    CHECK(static_cast<int>(proto_error::message_too_large) == 100);
    CHECK(static_cast<int>(proto_error::invalid_combination) == 120);
    CHECK(static_cast<int>(relay_error::internal) == 500);
    CHECK(static_cast<int>(relay_error::sender_mismatch) == 514);
    CHECK(static_cast<int>(relay_error::room_exists) == 515);
}
