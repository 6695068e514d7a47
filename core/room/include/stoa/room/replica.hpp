// What applying one sequenced delta did to a replica (both replica kinds share it).
#pragma once

#include <cstdint>

namespace stoa::room {

enum class apply_effect : std::uint8_t {
    applied = 0,
    duplicate = 1,  // at or below the replica's seq (already included, e.g. by its snapshot): ignored
};

}  // namespace stoa::room
