// A seeded, deterministic random_source for tests (splitmix64), so every run of a test sees the
// same keys and choices. Never for production: see stoa/e2ee/system_random.hpp.
#pragma once

#include <cstdint>
#include <span>

#include "stoa/common/random.hpp"

namespace stoa::test {

class seeded_random final : public random_source {
public:
    explicit seeded_random(std::uint64_t seed) : state_(seed) {}
    void fill(std::span<std::uint8_t> out) override {
        for (auto& b : out) {
            if (available_ == 0) {
                state_ += 0x9e3779b97f4a7c15ULL;
                std::uint64_t z = state_;
                z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
                z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
                buffer_ = z ^ (z >> 31);
                available_ = 8;
            }
            b = static_cast<std::uint8_t>(buffer_ >> (8 * --available_));
        }
    }

private:
    std::uint64_t state_;
    std::uint64_t buffer_ = 0;
    int available_ = 0;
};

}  // namespace stoa::test
