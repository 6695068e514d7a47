// Room ids a creator can prove it owns: the id is a hash of the creator's key and a salt (the
// claim), so after a relay restart the creator re-creates the room under the same id (every
// shared link keeps working) and no other key can take that id.
#pragma once

#include "stoa/common/ids.hpp"

namespace stoa::e2ee {

// First 16 bytes of BLAKE2b-256("stoa room id v1" || 0x00 || creator || claim); see docs/security.md.
[[nodiscard]] room_id derive_room_id(const public_key& creator, const room_claim& claim) noexcept;

}  // namespace stoa::e2ee
