#include "stoa/e2ee/system_random.hpp"

#include <stdexcept>

#include <sodium.h>

namespace stoa::e2ee {

system_random::system_random() {
    if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
}

void system_random::fill(std::span<std::uint8_t> out) { randombytes_buf(out.data(), out.size()); }

}  // namespace stoa::e2ee
