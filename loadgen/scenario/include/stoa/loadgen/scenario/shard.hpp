// Splitting one scenario over several generator hosts: `--shard i/N` makes this host simulate
// the members whose index is i-1 modulo N. Every host replays the same plan from the same seed
// and acts only for its own members, so the shards partition the members exactly and each gets
// an even share (counts differ by at most one) of the speakers and of the listeners.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "stoa/common/result.hpp"
#include "stoa/loadgen/scenario/member_index.hpp"

namespace stoa::loadgen {

struct shard {
    std::uint32_t index = 1;  // 1-based: 1 .. count
    std::uint32_t count = 1;

    [[nodiscard]] constexpr bool owns(member_index member) const noexcept { return member.value % count == index - 1; }
    // How many of members 0 .. total-1 this shard owns.
    [[nodiscard]] constexpr std::uint32_t members_of(std::uint32_t total) const noexcept {
        return total / count + (total % count >= index ? 1U : 0U);
    }

    friend constexpr bool operator==(shard, shard) = default;
};

// At most this many shards (generator hosts) for one scenario.
inline constexpr std::uint32_t max_shards = 10'000;

// "2/4": the second of four shards. 1 <= i <= N <= max_shards.
[[nodiscard]] result<shard, std::string> parse_shard(std::string_view text);

}  // namespace stoa::loadgen
