// The operating system's CSPRNG through libsodium (getrandom on Linux, crypto.getRandomValues in
// a browser): the random_source production code injects into the core.
#pragma once

#include <cstdint>
#include <span>

#include "stoa/common/random.hpp"

namespace stoa::e2ee {

class system_random final : public random_source {
public:
    // Initialises libsodium if nothing has yet; throws std::runtime_error if it cannot (start-up).
    system_random();
    void fill(std::span<std::uint8_t> out) override;
};

}  // namespace stoa::e2ee
