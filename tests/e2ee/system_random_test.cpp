#include <catch2/catch.hpp>

#include <array>
#include <cstdint>

#include "stoa/e2ee/system_random.hpp"

TEST_CASE("system_random fills buffers with fresh, non-constant bytes", "[e2ee][random]") {
    stoa::e2ee::system_random random;
    std::array<std::uint8_t, 64> a{};
    std::array<std::uint8_t, 64> b{};
    random.fill(a);
    random.fill(b);
    CHECK(a != b);  // 2^-512 chance of a false failure
    CHECK(a != std::array<std::uint8_t, 64>{});
    std::array<int, 256> seen{};
    std::array<std::uint8_t, 4096> many{};
    random.fill(many);
    for (auto byte : many) ++seen[byte];
    int distinct = 0;
    for (int count : seen) distinct += count > 0 ? 1 : 0;
    CHECK(distinct > 240);  // 4,096 uniform bytes miss more than 16 values with negligible probability
}
