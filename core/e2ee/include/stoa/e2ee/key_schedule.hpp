// Every key Stoa derives, in one place, with its label. HKDF-SHA256 (RFC 5869) built on
// libsodium's crypto_auth_hmacsha256; labels are listed in docs/security.md, "Key derivation".
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "stoa/common/bytes.hpp"
#include "stoa/common/ids.hpp"
#include "stoa/e2ee/secret.hpp"

namespace stoa::e2ee {

// What produced an epoch: a fresh random secret (room start, leave, kick, host handover) or
// the one-way join ratchet of the previous epoch. Values are on the wire.
enum class epoch_kind : std::uint8_t { fresh = 1, join_ratchet = 2 };

// The roster secret's generation: it only changes on fresh epochs, so joiners can read the
// display names of members who joined before them.
struct roster_generation_tag;
using roster_generation = strong_int<roster_generation_tag, std::uint64_t>;

using commitment = std::array<std::uint8_t, 32>;

// HKDF-Expand(secret, "stoa v1 " || label || 0x00 || context, 32). `secret` is always a
// uniformly random 32-byte value (or derived from one), so it serves as the PRK directly.
[[nodiscard]] secret_key expand_secret(const secret_key& secret, std::string_view label, byte_view context);

// E(n+1) = expand_secret(E(n), "join ratchet", u64 n+1). One-way: a joiner given E(n+1)
// cannot compute E(n).
[[nodiscard]] secret_key join_ratchet(const secret_key& epoch_secret, epoch_id next);

// The SFrame base_key of one sender in one epoch: expand_secret(E, "sender base key", u32 index).
[[nodiscard]] secret_key sender_base_key(const secret_key& epoch_secret, sender_index sender);

// BLAKE2b-256("stoa epoch commitment v1" 0x00 || room || u64 epoch || u8 kind || u64 generation
// || epoch secret || roster secret || admission secret). Signed by the distributor instead of the
// secrets themselves, so one signature authenticates what 10,000 recipients receive. The admission
// secret is all zeros in open rooms.
[[nodiscard]] commitment epoch_commitment(const room_id& room, epoch_id epoch, epoch_kind kind,
                                          roster_generation generation, const secret_key& epoch_secret,
                                          const secret_key& roster_secret, const secret_key& admission_secret);

// The key one member encrypts its profile with: expand_secret(R, "profile key", u64 generation || u32 index).
[[nodiscard]] secret_key profile_key(const secret_key& roster_secret, roster_generation generation,
                                     sender_index member);

// The security code's input: expand_secret(E, "security code exporter", u64 epoch). An exporter,
// so the code reveals nothing about the epoch secret or the media keys.
[[nodiscard]] secret_key security_code_exporter(const secret_key& epoch_secret, epoch_id epoch);

}  // namespace stoa::e2ee
