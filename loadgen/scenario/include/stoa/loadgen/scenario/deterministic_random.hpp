// The seeded generator behind every schedule, and the distributions drawn from it. Schedules take
// a seed rather than a random_source&: every generator host of a sharded run must replay exactly
// the same plan from the same seed, so the plan's randomness is deterministic by design (keys and
// nonces in the client sessions still come from the operating system).
#pragma once

#include <cstdint>
#include <span>

#include "stoa/common/random.hpp"

namespace stoa::loadgen {

// xoshiro256** seeded through splitmix64: fast, 2^256 period, good equidistribution; not for secrets.
class deterministic_random final : public random_source {
public:
    explicit deterministic_random(std::uint64_t seed) noexcept;
    // A stream that depends on the seed and on a purpose, so two consumers of one scenario seed
    // (the room assignment, phase 3's arrivals...) draw independent numbers.
    deterministic_random(std::uint64_t seed, std::uint64_t stream) noexcept;

    [[nodiscard]] std::uint64_t next() noexcept;
    void fill(std::span<std::uint8_t> out) override;

private:
    std::uint64_t state_[4];
};

// One round of splitmix64's output function: a good 64-bit mix, used to derive a member's own
// fixed random numbers from (seed, member) without keeping any state.
[[nodiscard]] std::uint64_t mix64(std::uint64_t value) noexcept;

// Uniform in [0, 1), 53 random bits.
[[nodiscard]] double uniform_unit(deterministic_random& random) noexcept;
// Uniform in [0, 1) from a 64-bit value (its high 53 bits).
[[nodiscard]] double unit_from_bits(std::uint64_t bits) noexcept;
// Exponentially distributed with the given mean (mean > 0), by inversion of 1 - U with U in [0, 1).
[[nodiscard]] double exponential(deterministic_random& random, double mean) noexcept;

}  // namespace stoa::loadgen
