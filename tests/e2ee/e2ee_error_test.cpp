// The error enum: values stay in 300-399 and every value has a distinct name.
#include <catch2/catch.hpp>

#include <set>
#include <string>

#include "stoa/e2ee/e2ee_error.hpp"

using stoa::e2ee::e2ee_error;

TEST_CASE("e2ee_error values are in range and named distinctly", "[e2ee][error]") {
    std::set<std::string> names;
    int known = 0;
    for (int value = 300; value < 400; ++value) {
        const auto name = to_string(static_cast<e2ee_error>(value));
        if (name == "unknown e2ee_error") continue;
        ++known;
        CHECK(names.insert(std::string(name)).second);
    }
    CHECK(known == 27);
    CHECK(static_cast<int>(e2ee_error::truncated) == 300);
    CHECK(static_cast<int>(e2ee_error::bad_profile) == 324);
}
