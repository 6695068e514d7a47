#include <catch2/catch.hpp>

#include <vector>

#include "stoa/loadgen/scenario/shard.hpp"

using namespace stoa::loadgen;

TEST_CASE("parse_shard reads i/N", "[shard]") {
    CHECK(*parse_shard("1/1") == shard{1, 1});
    CHECK(*parse_shard("2/4") == shard{2, 4});
    CHECK(*parse_shard("10000/10000") == shard{10000, 10000});
    for (const char* bad : {"", "1", "0/4", "5/4", "1/0", "a/4", "1/4x", "-1/4", "1/10001", "/4", "1/"}) {
        INFO(bad);
        CHECK_FALSE(parse_shard(bad).ok());
    }
}

TEST_CASE("shards partition the members exactly and evenly", "[shard]") {
    for (std::uint32_t count : {1U, 2U, 3U, 7U, 64U}) {
        for (std::uint32_t total : {0U, 1U, 5U, 1000U, 1003U}) {
            std::vector<int> owners(total, 0);
            std::uint32_t smallest = UINT32_MAX;
            std::uint32_t largest = 0;
            for (std::uint32_t i = 1; i <= count; ++i) {
                const shard part{i, count};
                std::uint32_t owned = 0;
                for (std::uint32_t m = 0; m < total; ++m) {
                    if (part.owns(member_index(m))) {
                        ++owners[m];
                        ++owned;
                    }
                }
                CHECK(owned == part.members_of(total));
                smallest = std::min(smallest, owned);
                largest = std::max(largest, owned);
            }
            for (std::uint32_t m = 0; m < total; ++m) CHECK(owners[m] == 1);
            CHECK(largest - smallest <= 1);
        }
    }
}
