// xoshiro256** (Blackman and Vigna), seeded through splitmix64 as its authors recommend.
#include "stoa/loadgen/scenario/deterministic_random.hpp"

#include <cmath>

namespace stoa::loadgen {

namespace {

std::uint64_t rotate_left(std::uint64_t x, int k) noexcept {
    return (x << k) | (x >> (64 - k));
}

std::uint64_t splitmix_next(std::uint64_t& state) noexcept {
    state += 0x9e3779b97f4a7c15ULL;
    return mix64(state);
}

}  // namespace

std::uint64_t mix64(std::uint64_t value) noexcept {
    value = (value ^ (value >> 30)) * 0xbf58476d1ce4e5b9ULL;
    value = (value ^ (value >> 27)) * 0x94d049bb133111ebULL;
    return value ^ (value >> 31);
}

deterministic_random::deterministic_random(std::uint64_t seed) noexcept : deterministic_random(seed, 0) {}

deterministic_random::deterministic_random(std::uint64_t seed, std::uint64_t stream) noexcept {
    std::uint64_t state = seed ^ mix64(stream + 0x6a09e667f3bcc909ULL);
    for (auto& word : state_) word = splitmix_next(state);
}

std::uint64_t deterministic_random::next() noexcept {
    const std::uint64_t result = rotate_left(state_[1] * 5, 7) * 9;
    const std::uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = rotate_left(state_[3], 45);
    return result;
}

void deterministic_random::fill(std::span<std::uint8_t> out) {
    std::size_t i = 0;
    while (i < out.size()) {
        std::uint64_t word = next();
        for (int b = 0; b < 8 && i < out.size(); ++b, ++i) {
            out[i] = static_cast<std::uint8_t>(word);
            word >>= 8;
        }
    }
}

double unit_from_bits(std::uint64_t bits) noexcept {
    return static_cast<double>(bits >> 11) * 0x1.0p-53;
}

double uniform_unit(deterministic_random& random) noexcept {
    return unit_from_bits(random.next());
}

double exponential(deterministic_random& random, double mean) noexcept {
    // 1 - U lies in (0, 1], so the logarithm is finite.
    return -mean * std::log(1.0 - uniform_unit(random));
}

}  // namespace stoa::loadgen
