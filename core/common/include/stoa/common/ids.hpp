// The identifiers shared by every module. None of them names a person: a member id is a
// hash of a key pair made on the device, a sender index is a small room-local number.
#pragma once

#include <cstdint>

#include "stoa/common/strong_type.hpp"

namespace stoa {

struct member_id_tag;
struct room_id_tag;
struct room_claim_tag;
struct public_key_tag;
struct invite_token_tag;
struct sender_index_tag;
struct epoch_tag;
struct delta_seq_tag;

// First 16 bytes of BLAKE2b-256("stoa member id v1" || Ed25519 public key); see docs/security.md.
using member_id = strong_bytes<member_id_tag, 16>;
// First 16 bytes of BLAKE2b-256("stoa room id v1" || creator's public key || claim): the creator
// can make the same id again (after a relay restart) and nobody else can (e2ee/room_claim.hpp).
using room_id = strong_bytes<room_id_tag, 16>;
// The creator's random salt for its room's id. Not secret from the relay, which derives the id
// from it; only the creator's key can turn it into that id again.
using room_claim = strong_bytes<room_claim_tag, 16>;
// An Ed25519 identity public key.
using public_key = strong_bytes<public_key_tag, 32>;
// The capability that admits a member to a closed room: 32 unguessable bytes carried in the link.
using invite_token = strong_bytes<invite_token_tag, 32>;

// Room-local number the relay routes media by; assigned at join, never reused in a room's life.
using sender_index = strong_int<sender_index_tag, std::uint32_t>;
// Key epoch of a room; increases by one at every rekey.
using epoch_id = strong_int<epoch_tag, std::uint64_t>;
// Position in a roster delta stream; 64-bit, so it never wraps in a room's life.
using delta_seq = strong_int<delta_seq_tag, std::uint64_t>;

}  // namespace stoa
