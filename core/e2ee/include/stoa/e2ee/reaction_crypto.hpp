// Emoji reactions sealed for the room: a member's reaction is signed with its identity key and
// encrypted under the current epoch secret, so the relay routes ciphertext it cannot read or forge.
#pragma once

#include <cstddef>
#include <cstdint>

#include "stoa/common/bytes.hpp"
#include "stoa/common/ids.hpp"
#include "stoa/common/random.hpp"
#include "stoa/common/result.hpp"
#include "stoa/e2ee/e2ee_error.hpp"
#include "stoa/e2ee/identity.hpp"
#include "stoa/e2ee/secret.hpp"

namespace stoa::e2ee {

inline constexpr std::uint8_t reaction_format_version = 1;
inline constexpr std::size_t reaction_header_size = 1 + 8 + 4 + 12;  // version, epoch, sender index, nonce
// u8 kind, u64 counter, the sender's public key, its signature: one fixed size, so the
// ciphertext length says nothing about the kind.
inline constexpr std::size_t reaction_plaintext_size = 1 + 8 + public_key::size + signature_size;  // 105
inline constexpr std::size_t sealed_reaction_size = reaction_header_size + reaction_plaintext_size + 16;  // 146

// What a reaction says once opened. `kind` is the raw byte: which kinds exist is the client's
// business (stoa/client/reaction.hpp), so an unknown one decrypts and is refused there.
struct opened_reaction {
    std::uint8_t kind = 0;
    std::uint64_t counter = 0;  // strictly increasing per sender: the receiver's replay check
    public_key sender_key{};    // whose signature verified
};

// The key a sender seals its reactions with: expand_secret(E, "reaction key", u32 index). One per
// sender and epoch, so random nonces never collide across senders.
[[nodiscard]] secret_key reaction_key(const secret_key& epoch_secret, sender_index sender);

// Signs (room, epoch, sender index, counter, kind) with `owner` and seals it with a random nonce.
[[nodiscard]] bytes seal_reaction(std::uint8_t kind, std::uint64_t counter, const identity& owner,
                                  sender_index owner_index, const room_id& room, epoch_id epoch,
                                  const secret_key& epoch_secret, random_source& random);

// The epoch a sealed reaction names, to pick the secret.
[[nodiscard]] result<epoch_id, e2ee_error> reaction_epoch(byte_view sealed);

// Decrypts and checks the signature. `from` is the relay-stamped sender index of the binary
// message: a reaction sealed under another index is refused (sender_mismatch). The caller checks
// `sender_key` against the roster entry at `from` when it holds one, and the counter for replays.
[[nodiscard]] result<opened_reaction, e2ee_error> open_reaction(byte_view sealed, sender_index from,
                                                                const room_id& room,
                                                                const secret_key& epoch_secret);

}  // namespace stoa::e2ee
