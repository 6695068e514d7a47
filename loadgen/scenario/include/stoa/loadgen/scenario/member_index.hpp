// The numbers stoa-load gives its simulated members and rooms. They are positions in the
// scenario's layout (see member_layout.hpp), not the protocol's member ids, which are hashes of
// keys that only exist once a member's client session is made.
#pragma once

#include <cstdint>

#include "stoa/common/strong_type.hpp"

namespace stoa::loadgen {

struct member_index_tag;
struct room_index_tag;

// 0 .. total_members-1: every room's speakers first (room by room), then the listeners.
using member_index = strong_int<member_index_tag, std::uint32_t>;
// 0 .. room_count-1, in order of popularity (room 0 is the most popular).
using room_index = strong_int<room_index_tag, std::uint32_t>;

}  // namespace stoa::loadgen
