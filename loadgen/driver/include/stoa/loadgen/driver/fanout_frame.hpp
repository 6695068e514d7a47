// The media payload of the fan-out adapters (plain, socketio): one self-contained binary message
// per 20 ms frame, since baseline_ws.js and baseline_socketio.js relay it untouched to everyone else.
//
//   offset  size  field
//        0     4  speaker: the sender's member index       } big-endian, where
//        4     4  seq: the sender's frame counter            } baseline_payload.hpp has them
//        8     4  magic "SLf1", which tells our frames from the peers fixture's
//       12     8  room key (fanout_room.hpp): the servers send every room's frames to everyone
//       20     8  sent_at: the frame's scheduled time, signed microseconds on the generator's clock
//       28     n  the Opus packet, so the servers carry a real frame's bytes
//
// The peers fixture (tests/bench/loadgen/peers/fixture.cpp) pushes its own frames instead: a 32-bit
// sequence number copied from memory (little-endian on every host it runs on), then 0x5A filler,
// 8..125 bytes in all. They carry no sender, room or send time.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "stoa/common/bytes.hpp"
#include "stoa/common/result.hpp"
#include "stoa/common/time.hpp"
#include "stoa/loadgen/driver/fanout_error.hpp"
#include "stoa/loadgen/driver/protocol_adapter.hpp"

namespace stoa::loadgen {

inline constexpr std::size_t fanout_frame_header_bytes = 28;
inline constexpr std::array<std::uint8_t, 4> fanout_frame_magic{'S', 'L', 'f', '1'};
inline constexpr std::uint8_t fixture_filler = 0x5A;
inline constexpr std::size_t fixture_min_frame_bytes = 8;
// The sender the fixture's frames are reported from: the server itself (no member has this index).
inline constexpr std::uint32_t fixture_sender = 0xFFFFFFFFU;

struct fanout_frame {
    std::uint32_t speaker = 0;
    std::uint32_t seq = 0;
    std::optional<std::uint64_t> room;  // nullopt: the fixture's, sent to every connection
    time_point sent_at = no_send_time;
    byte_view opus;  // into the message read
};

// Replaces `out` with the frame (a std::string because wire_message carries one).
void write_fanout_frame(std::string& out, std::uint32_t speaker, std::uint32_t seq, std::uint64_t room,
                        time_point sent_at, byte_view opus);

[[nodiscard]] result<fanout_frame, fanout_error> read_fanout_frame(byte_view message);

}  // namespace stoa::loadgen
