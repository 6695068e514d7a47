// Randomness is injected into the core, never taken from a global: production passes the
// operating system's CSPRNG, tests pass a seeded deterministic source.
#pragma once

#include <cstdint>
#include <span>

namespace stoa {

class random_source {
public:
    virtual ~random_source() = default;
    virtual void fill(std::span<std::uint8_t> out) = 0;

    [[nodiscard]] std::uint64_t next_u64() {
        std::uint8_t raw[8];
        fill(raw);
        std::uint64_t v = 0;
        for (auto b : raw) v = (v << 8) | b;
        return v;
    }
    // Uniform in [0, bound) without modulo bias. bound must be > 0.
    [[nodiscard]] std::uint64_t uniform(std::uint64_t bound) {
        const std::uint64_t limit = UINT64_MAX - UINT64_MAX % bound;
        for (;;) {
            const std::uint64_t v = next_u64();
            if (v < limit) return v % bound;
        }
    }
};

}  // namespace stoa
