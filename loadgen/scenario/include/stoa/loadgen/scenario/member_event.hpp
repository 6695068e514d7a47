// One thing a simulated member is planned to do, and when: what scenario_schedule hands the
// runner. Latencies are measured from `at`, the planned time, so a stalled generator cannot hide
// the stall (no coordinated omission).
#pragma once

#include <cstdint>

#include "stoa/common/time.hpp"
#include "stoa/loadgen/scenario/member_index.hpp"

namespace stoa::loadgen {

enum class member_event_kind : std::uint8_t {
    open_room,         // a host connects and opens its room (on stage)
    join,              // connects and joins its room in the audience
    leave,             // leaves the room and disconnects
    raise_hand,        // asks to speak
    invite_to_stage,   // the room's host invites this member on stage; the member accepts
    move_to_audience,  // a speaker steps down to the audience
    disconnect,        // loses its connection without leaving (as when the relay restarts)
    reconnect,         // its first reconnect attempt after a disconnect (later ones follow the backoff)
};

struct member_event {
    time_point at;
    member_index member;
    member_event_kind kind = member_event_kind::join;

    friend bool operator==(const member_event&, const member_event&) = default;
};

[[nodiscard]] const char* to_string(member_event_kind kind) noexcept;

}  // namespace stoa::loadgen
