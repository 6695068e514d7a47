// A short code members compare out of band (read aloud, or side by side) to confirm they share
// the same epoch key, the same stage roster and the same distributor: a relay that substituted
// a key for anyone would make the codes differ.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "stoa/common/ids.hpp"
#include "stoa/e2ee/secret.hpp"

namespace stoa::e2ee {

inline constexpr std::size_t security_code_groups = 5;       // of 5 digits: 83 bits shown
inline constexpr std::size_t security_code_emoji_count = 8;  // of 64: 48 bits shown

struct security_code {
    std::string digits;                   // "12345 67890 13579 24680 11223"
    std::vector<std::string_view> emoji;  // 8 entries of emoji_alphabet()
    // The same 8 symbols by name (emoji_names()), for reading aloud or where emoji do not render:
    // "dog cat lion ..." (lower-case ASCII words, one per emoji, separated by single spaces).
    std::string words;

    friend bool operator==(const security_code&, const security_code&) = default;
};

// The fixed list the emoji rendering draws from (index = 6 bits of the code).
[[nodiscard]] std::span<const std::string_view, 64> emoji_alphabet() noexcept;
// One English word per emoji_alphabet() entry, same order: distinct, lower-case ASCII, no spaces.
// Part of the code's format (docs/security.md lists the table): never reorder.
[[nodiscard]] std::span<const std::string_view, 64> emoji_names() noexcept;

// BLAKE2b-512 keyed with security_code_exporter(epoch secret, epoch) over
// "stoa security code v1" 0x00 || room || u64 epoch || distributor key || u32 n || the n stage
// keys sorted and deduplicated. Order and duplicates in `stage` do not matter.
[[nodiscard]] security_code compute_security_code(const secret_key& epoch_secret, epoch_id epoch,
                                                  const room_id& room, const public_key& distributor,
                                                  std::span<const public_key> stage);

}  // namespace stoa::e2ee
