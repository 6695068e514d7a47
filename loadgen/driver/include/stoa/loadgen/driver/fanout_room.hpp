// How the fan-out adapters (plain, socketio) name a room. Their servers know no rooms
// (baseline_ws.js relays to every client, baseline_socketio.js puts every client in "bench"), so
// members scope their announcements and frames by a key made from the room's title: the same on
// every generator host, with nothing to look up.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "stoa/loadgen/driver/protocol_adapter.hpp"

namespace stoa::loadgen {

// FNV-1a, 64 bits: stable across hosts and builds, unlike std::hash.
[[nodiscard]] constexpr std::uint64_t fanout_room_key(std::string_view title) noexcept {
    std::uint64_t hash = 0xCBF29CE484222325ULL;
    for (const char c : title) hash = (hash ^ static_cast<std::uint8_t>(c)) * 0x100000001B3ULL;
    return hash;
}

// A 64-bit key (a room key, an identity seed) as the 16 lowercase hex digits the fan-out
// announcements and room references carry: JSON numbers lose bits past 2^53 in the JS servers.
[[nodiscard]] inline std::string key_to_hex(std::uint64_t key) {
    static constexpr std::string_view digits = "0123456789abcdef";
    std::string out(16, '0');
    for (std::size_t i = 0; i < 16; ++i) out[15 - i] = digits[(key >> (4 * i)) & 0xFU];
    return out;
}

[[nodiscard]] constexpr std::optional<std::uint64_t> key_from_hex(std::string_view hex) noexcept {
    if (hex.size() != 16) return std::nullopt;
    std::uint64_t key = 0;
    for (const char c : hex) {
        std::uint64_t digit = 0;
        if (c >= '0' && c <= '9') {
            digit = static_cast<std::uint64_t>(c - '0');
        } else if (c >= 'a' && c <= 'f') {
            digit = static_cast<std::uint64_t>(c - 'a') + 10;
        } else {
            return std::nullopt;
        }
        key = (key << 4U) | digit;
    }
    return key;
}

// The room a title names. No invite: these servers admit anyone, open or closed.
[[nodiscard]] inline room_ref fanout_room_ref(std::string_view title) {
    return room_ref{key_to_hex(fanout_room_key(title)), {}};
}

}  // namespace stoa::loadgen
