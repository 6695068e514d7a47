// Member profiles (display name and a short text) encrypted under the room's roster secret, so
// the relay stores and forwards only ciphertext. Each member has its own key per roster generation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "stoa/common/bytes.hpp"
#include "stoa/common/ids.hpp"
#include "stoa/common/random.hpp"
#include "stoa/common/result.hpp"
#include "stoa/e2ee/e2ee_error.hpp"
#include "stoa/e2ee/identity.hpp"
#include "stoa/e2ee/key_schedule.hpp"
#include "stoa/e2ee/secret.hpp"

namespace stoa::e2ee {

inline constexpr std::size_t max_display_name_size = 64;  // UTF-8 bytes
inline constexpr std::size_t max_profile_text_size = 280;
inline constexpr std::uint8_t profile_format_version = 1;
// Plaintext is padded to a multiple of this, so the ciphertext length reveals little about the name.
inline constexpr std::size_t profile_padding_block = 64;
inline constexpr std::size_t profile_header_size = 1 + 8 + 4 + 12;  // version, generation, sender index, nonce
// u8 name length, name, u16 text length, text, signature, zero padding.
inline constexpr std::size_t max_profile_plaintext_size =
    ((1 + max_display_name_size + 2 + max_profile_text_size + signature_size + profile_padding_block - 1) /
     profile_padding_block) * profile_padding_block;  // 448
inline constexpr std::size_t max_sealed_profile_size = profile_header_size + max_profile_plaintext_size + 16;  // 489

struct profile {
    std::string display_name;
    std::string text;
    friend bool operator==(const profile&, const profile&) = default;
};

// Encrypts and signs `content` for the roster generation `generation`. The nonce is random:
// safe because the key is this member's alone for this generation and a member republishes
// only a handful of times per generation (far below the 2^32 messages a random 96-bit nonce allows).
[[nodiscard]] result<bytes, e2ee_error> seal_profile(const profile& content, const identity& owner,
                                                     sender_index owner_index, const room_id& room,
                                                     roster_generation generation, const secret_key& roster_secret,
                                                     random_source& random);

// The generation a sealed profile was made for, to pick the roster secret.
[[nodiscard]] result<roster_generation, e2ee_error> profile_generation(byte_view sealed);

// Decrypts and checks the owner's signature. `owner_index` and `owner_key` come from the roster
// entry the profile is attached to, so a profile cannot be moved to another member.
[[nodiscard]] result<profile, e2ee_error> open_profile(byte_view sealed, sender_index owner_index,
                                                       const public_key& owner_key, const room_id& room,
                                                       const secret_key& roster_secret);

}  // namespace stoa::e2ee
