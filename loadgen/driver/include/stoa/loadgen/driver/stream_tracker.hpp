// One listener's account of each speaker's frames, from their sequence numbers: what was lost,
// what came late, and (for decoding listeners) the audible gaps in playout. A speaker numbers
// only the frames it sends, so a jump in sequence is loss, while its pauses are not: the gap
// measure compares playout spacing with the spacing of the send times stamped in the frames.
// Pure: fed by the driver, tested without sockets.
#pragma once

#include <algorithm>
#include <array>
#include <memory>
#include <cstdint>
#include <optional>
#include <vector>

#include "stoa/common/time.hpp"

namespace stoa::loadgen {

inline constexpr duration frame_length = std::chrono::milliseconds(20);

class stream_tracker {
public:
    // Frames are judged over a window of the last 64 sequence numbers (1.28 s of speech): a
    // frame missing when it leaves the window is lost; one arriving inside it, out of order, is
    // simply received (the jitter buffer reorders); one arriving after it left is too late.
    static constexpr std::uint32_t window = 64;

    struct frame_outcome {
        std::uint32_t lost = 0;   // frames that just left the window without arriving
        bool counted = false;     // inside the window: one more frame expected and received
        bool too_late = false;    // older than the window: already counted lost
        bool duplicate = false;   // seen before: ignored
    };
    // A decrypted frame. A jump of more than `restart_after` frames is taken as the sender
    // starting over (a new session), not as loss.
    [[nodiscard]] frame_outcome on_frame(std::uint32_t sender, std::uint32_t seq, time_point sent_at);
    // Frames still missing inside every sender's window, counted lost now (the member is
    // leaving or the run ends); the tracker is then empty.
    [[nodiscard]] std::uint32_t flush() noexcept;

    // A playout tick for `sender` at `tick` (the tick's nominal time): `audio` when it played a
    // real frame `seq`. Returns the audible gap that this frame ends, if any: the silence or
    // concealment since the sender's previous played frame beyond the pause the sender itself
    // made (both measured in nominal times, so the generator's own jitter is not counted).
    [[nodiscard]] std::optional<duration> on_playout(std::uint32_t sender, std::uint32_t seq, bool audio,
                                                     time_point tick);

    // Sender numbers are reused across a room's life: forget them all (after a rejoin) without
    // judging what is missing.
    void reset() noexcept { senders_.clear(); }
    // Decoding listeners keep recent send times for on_playout.
    void keep_send_times(bool keep) noexcept { keep_send_times_ = keep; }

    static constexpr std::uint32_t restart_after = 3'000;  // a minute of frames

private:
    static constexpr std::size_t sent_ring = 64;
    struct sender_state {
        std::uint32_t sender = 0;
        std::uint32_t highest = 0;
        std::uint64_t received_bits = 0;  // bit k: highest - k was received (k < span)
        std::uint32_t span = 0;           // window positions in use: min(64, frames since the first)
        // Playout (decoding listeners): the last real frame played, and recent send times by seq.
        std::optional<std::uint32_t> played_seq;
        time_point played_at{};
        std::unique_ptr<std::array<std::pair<std::uint32_t, time_point>, sent_ring>> sent;
    };
    // The sender's state, and whether it was made just now.
    std::pair<sender_state&, bool> find(std::uint32_t sender);
    [[nodiscard]] static std::optional<time_point> sent_time(const sender_state& state, std::uint32_t seq);

    std::vector<sender_state> senders_;  // a room has few speakers: a linear search
    bool keep_send_times_ = false;
};

}  // namespace stoa::loadgen
