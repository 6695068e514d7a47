#include "stoa/loadgen/driver/fanout_frame.hpp"

#include <algorithm>

namespace stoa::loadgen {
namespace {

void put_u32(std::string& out, std::uint32_t value) {
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((value >> shift) & 0xFFU));
}
void put_u64(std::string& out, std::uint64_t value) {
    for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>((value >> shift) & 0xFFU));
}

bool is_fixture_frame(byte_view message) {
    return message.size() >= fixture_min_frame_bytes &&
           std::all_of(message.begin() + 4, message.end(), [](std::uint8_t b) { return b == fixture_filler; });
}

}  // namespace

void write_fanout_frame(std::string& out, std::uint32_t speaker, std::uint32_t seq, std::uint64_t room,
                        time_point sent_at, byte_view opus) {
    out.clear();
    out.reserve(fanout_frame_header_bytes + opus.size());
    put_u32(out, speaker);
    put_u32(out, seq);
    out.append(fanout_frame_magic.begin(), fanout_frame_magic.end());
    put_u64(out, room);
    put_u64(out, static_cast<std::uint64_t>(to_micros(sent_at)));
    out.append(opus.begin(), opus.end());
}

result<fanout_frame, fanout_error> read_fanout_frame(byte_view message) {
    const bool ours =
        message.size() >= 12 && std::equal(fanout_frame_magic.begin(), fanout_frame_magic.end(), message.begin() + 8);
    if (!ours) {
        if (!is_fixture_frame(message)) return fail(fanout_error::bad_frame);
        fanout_frame frame;
        frame.speaker = fixture_sender;
        frame.seq = static_cast<std::uint32_t>(message[0]) | (static_cast<std::uint32_t>(message[1]) << 8U) |
                    (static_cast<std::uint32_t>(message[2]) << 16U) | (static_cast<std::uint32_t>(message[3]) << 24U);
        frame.opus = message.subspan(4);
        return frame;
    }
    if (message.size() < fanout_frame_header_bytes) return fail(fanout_error::truncated_frame);
    byte_reader reader(message);
    fanout_frame frame;
    frame.speaker = *reader.read_u32();
    frame.seq = *reader.read_u32();
    (void)reader.read_bytes(fanout_frame_magic.size());
    frame.room = *reader.read_u64();
    frame.sent_at = from_micros(static_cast<std::int64_t>(*reader.read_u64()));
    frame.opus = reader.rest();
    return frame;
}

}  // namespace stoa::loadgen
