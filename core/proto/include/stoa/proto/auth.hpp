// The exact bytes a client signs to authenticate, defined once for proto, e2ee and the relay.
#pragma once

#include <string_view>

#include "stoa/common/bytes.hpp"
#include "stoa/proto/control_messages.hpp"

namespace stoa::proto {

// "stoa auth v1" (12 ASCII bytes, no terminator) || u16 big-endian length of context || context
// || the 32-byte challenge. `context` is the relay's origin as the client dialled it (e.g.
// "https://stoa.example"), never a value the relay supplied, so a signature made for one relay
// cannot be replayed to another. Throws std::invalid_argument if context exceeds 65,535 bytes.
inline constexpr std::string_view auth_domain = "stoa auth v1";
inline constexpr std::size_t max_auth_context_length = 0xffff;

[[nodiscard]] bytes auth_transcript(std::string_view context, const auth_challenge& challenge);

}  // namespace stoa::proto
