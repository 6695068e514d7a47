// The frame a baseline speaker sends: speaker and sequence number first (so every frame's bytes
// differ and the tracker can match them), then filler up to the configured size.
#pragma once

#include <cstdint>
#include <vector>

namespace stoa::bench {

inline void make_baseline_payload(std::vector<std::uint8_t>& out, std::uint32_t speaker, std::uint32_t seq, std::size_t size) {
    out.assign(size < 8 ? 8 : size, 0x5A);
    for (int i = 0; i < 4; ++i) {
        out[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(speaker >> (24 - 8 * i));
        out[static_cast<std::size_t>(4 + i)] = static_cast<std::uint8_t>(seq >> (24 - 8 * i));
    }
}

}  // namespace stoa::bench
