// Fixed keys for the e2ee fuzzers: the same epoch secret and identities as the seed files, so
// seeds reach the authenticated paths.
#pragma once

#include <cstdint>
#include <span>

#include "stoa/common/random.hpp"
#include "stoa/e2ee/identity.hpp"
#include "stoa/e2ee/keyring.hpp"

namespace stoa::e2ee::fuzz {

class counter_random final : public random_source {
public:
    explicit counter_random(std::uint8_t start) : next_(start) {}
    void fill(std::span<std::uint8_t> out) override {
        for (auto& b : out) b = next_++;
    }

private:
    std::uint8_t next_;
};

inline const room_id& fuzz_room() {
    static const room_id room{};
    return room;
}

// Seed 1 is the distributor (sender index 1), seed 2 the member (sender index 2).
inline const identity& fuzz_identity(std::uint8_t which) {
    static const identity distributor = [] {
        counter_random r(1);
        return identity::generate(r);
    }();
    static const identity member = [] {
        counter_random r(2);
        return identity::generate(r);
    }();
    return which == 1 ? distributor : member;
}

inline epoch_keys fuzz_epoch(std::uint64_t epoch) {
    epoch_keys keys;
    keys.epoch = epoch_id(epoch);
    keys.generation = roster_generation(1);
    for (std::size_t i = 0; i < 32; ++i) {
        keys.epoch_secret.mutable_view()[i] = static_cast<std::uint8_t>(i);
        keys.roster_secret.mutable_view()[i] = static_cast<std::uint8_t>(0x80 + i);
    }
    return keys;
}

}  // namespace stoa::e2ee::fuzz
