// A joiner's proof for the key distributor, which the relay carries opaque in the member's roster
// entry (room::member_entry::admission). It binds two things the relay cannot forge:
// - a fresh session nonce, which the distributor copies into every key package it seals to this
//   member, so a package made for an earlier session (a replay by the relay) is refused;
// - in closed rooms, a tag under the room's admission secret, which travels only in the invite
//   link's fragment and inside key packages, never to the relay. The distributor seals keys only
//   to members whose tag verifies, so a relay cannot admit a member of its own.
// Layout and labels: docs/security.md, "Admission".
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "stoa/common/bytes.hpp"
#include "stoa/common/ids.hpp"
#include "stoa/common/random.hpp"
#include "stoa/common/result.hpp"
#include "stoa/e2ee/e2ee_error.hpp"
#include "stoa/e2ee/secret.hpp"

namespace stoa::e2ee {

inline constexpr std::uint8_t admission_format_version = 1;
inline constexpr std::size_t session_nonce_size = 16;
inline constexpr std::size_t admission_tag_size = 32;
// version || nonce, and || tag in closed rooms.
inline constexpr std::size_t open_admission_size = 1 + session_nonce_size;                       // 17
inline constexpr std::size_t closed_admission_size = open_admission_size + admission_tag_size;  // 49

// Drawn fresh for every join (and every rejoin): names one session of one member.
using session_nonce = std::array<std::uint8_t, session_nonce_size>;
// A closed room's admission secret: 32 random bytes, shared through the invite link's fragment.
// All zeros means "no admission secret" (an open room).
using admission_secret = secret_key;

struct admission_proof {
    session_nonce nonce{};
    std::optional<std::array<std::uint8_t, admission_tag_size>> tag{};
};

[[nodiscard]] session_nonce fresh_session_nonce(random_source& random);
[[nodiscard]] bool is_set(const admission_secret& secret) noexcept;

// BLAKE2b-256 keyed with the admission secret over
// "stoa admission v1" 0x00 || room || member public key || session nonce.
[[nodiscard]] std::array<std::uint8_t, admission_tag_size> admission_tag(const admission_secret& secret,
                                                                          const room_id& room,
                                                                          const public_key& member,
                                                                          const session_nonce& nonce);
// The bytes a joiner sends: with a tag when `secret` is set (a closed room's link), without otherwise.
[[nodiscard]] bytes encode_admission(const session_nonce& nonce, const room_id& room, const public_key& member,
                                     const admission_secret* secret);
[[nodiscard]] result<admission_proof, e2ee_error> parse_admission(byte_view data);
// True when the proof carries a tag that verifies under `secret` for this member (constant time).
[[nodiscard]] bool admission_valid(const admission_proof& proof, const admission_secret& secret,
                                   const room_id& room, const public_key& member);

}  // namespace stoa::e2ee
