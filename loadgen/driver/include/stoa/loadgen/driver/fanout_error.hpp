// What the fan-out adapters (plain, socketio) report of bad input from a server, as
// note::error{code, name}. The codes sit above Stoa's own ranges (100..629) so the two never meet.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace stoa::loadgen {

enum class fanout_error : std::uint16_t {
    bad_message = 700,        // a text message that is none of ours (not JSON, wrong shape, unknown kind)
    bad_frame = 701,          // a binary message that is neither our frame nor the peers fixture's
    truncated_frame = 702,    // our frame, cut short
    unexpected_binary = 703,  // Socket.IO: a binary message no event announced
    unknown_packet = 704,     // an Engine.IO or Socket.IO packet type this client does not speak
    connect_refused = 705,    // Socket.IO: CONNECT_ERROR for the namespace
    bad_room_ref = 706,       // join() with a room reference no fan-out adapter made
};

inline constexpr std::array all_fanout_errors{
    fanout_error::bad_message,       fanout_error::bad_frame,      fanout_error::truncated_frame,
    fanout_error::unexpected_binary, fanout_error::unknown_packet, fanout_error::connect_refused,
    fanout_error::bad_room_ref,
};

[[nodiscard]] constexpr std::string_view to_string(fanout_error error) noexcept {
    switch (error) {
        case fanout_error::bad_message:
            return "bad_message";
        case fanout_error::bad_frame:
            return "bad_frame";
        case fanout_error::truncated_frame:
            return "truncated_frame";
        case fanout_error::unexpected_binary:
            return "unexpected_binary";
        case fanout_error::unknown_packet:
            return "unknown_packet";
        case fanout_error::connect_refused:
            return "connect_refused";
        case fanout_error::bad_room_ref:
            return "bad_room_ref";
    }
    return "unknown_fanout_error";
}

[[nodiscard]] constexpr std::uint16_t code_of(fanout_error error) noexcept {
    return static_cast<std::uint16_t>(error);
}

}  // namespace stoa::loadgen
