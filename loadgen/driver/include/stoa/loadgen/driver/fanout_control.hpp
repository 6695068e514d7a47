// The fan-out adapters' control announcements: small JSON objects a member sends for every other
// member to read, since the servers only relay (the plain protocol as a text message, Socket.IO as
// the argument of an "audio" event). Presence lets a room's host invite only members that are in:
//
//   {"type":"join","room":"<room key>","seed":"<identity seed>","member":7,"name":"load 7"}
//   {"type":"leave","room":"<room key>","seed":"<identity seed>"}
//   {"type":"invite","room":"<room key>","seed":"<the invitee's identity seed>"}
//
// Keys and seeds are 16 hex digits (fanout_room.hpp). Other fields are ignored when read.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "stoa/common/result.hpp"
#include "stoa/loadgen/driver/fanout_error.hpp"

namespace stoa::loadgen {

enum class control_kind : std::uint8_t { join, leave, invite };

struct control_message {
    control_kind kind = control_kind::join;
    std::uint64_t room = 0;
    std::uint64_t seed = 0;    // join, leave: the sender's; invite: the invitee's
    std::uint32_t member = 0;  // join only: the sender's member index (its frames' speaker)
    std::string name;          // join only

    friend bool operator==(const control_message&, const control_message&) = default;
};

[[nodiscard]] std::string write_control(const control_message& message);

// Any text: anything but one of the three announcements is bad_message.
[[nodiscard]] result<control_message, fanout_error> read_control(std::string_view text);

}  // namespace stoa::loadgen
