// Adaptive jitter buffer for one sender's 20 ms Opus frames: packets in with their arrival
// time, one playout decision out per 20 ms tick (decode, recover by FEC, conceal, or nothing).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "stoa/audio/format.hpp"
#include "stoa/common/bytes.hpp"
#include "stoa/common/time.hpp"

namespace stoa::audio {

enum class playout_action : std::uint8_t {
    none = 0,        // nothing to play (pre-buffering or silence): output silence
    decode = 1,      // decode `packet`, the frame for `seq`
    decode_fec = 2,  // frame `seq` is lost; `packet` is frame seq+1, decode its FEC data
    conceal = 3,     // no data for `seq`: packet loss concealment
};

struct playout_decision {
    playout_action action = playout_action::none;
    frame_seq seq{};
    // Points into the buffer; valid until the next push(), pop() or reset().
    byte_view packet{};
};

enum class push_outcome : std::uint8_t {
    buffered = 0,
    duplicate = 1,  // already buffered, played, or arrived late before
    late = 2,       // its playout slot has passed: counted and dropped
    rejected = 3,   // empty or larger than max_packet_bytes
};

struct jitter_buffer_config {
    duration min_delay = std::chrono::milliseconds(40);
    duration max_delay = std::chrono::milliseconds(400);
    duration initial_delay = std::chrono::milliseconds(60);
    // Bounded memory: at most this many frames are held (a window of sequence numbers from
    // the playout point). Overflow policy: the oldest frames are dropped.
    std::size_t capacity_frames = 64;
    // When the buffer runs dry it conceals this many frames, then outputs nothing.
    std::uint32_t max_underrun_conceal_frames = 5;
    // While the playout delay exceeds the target by more than a frame, drop one frame at
    // most this often (shrinking slowly keeps the audio intact).
    std::uint32_t shrink_interval_frames = 10;
    // The target delay is this percentile of the transit delays of the last N packets,
    // above their minimum.
    std::uint32_t delay_window_packets = 128;
    double delay_percentile = 0.95;
    // When the percentile falls, the target follows 1/N of the gap per packet (128: about 2.5 s
    // of speech per e-fold). A smaller N wins the delay back sooner after a spike or a rough
    // start, at the risk of late frames when spikes recur within that time.
    std::uint32_t target_decay_packets = 128;
};

struct jitter_buffer_stats {
    // Every frame that was sent ends up in exactly one of received, late, lost or skipped, except
    // frames the buffer attributes to silence at a talkspurt start (see jitter_buffer).
    std::uint64_t received = 0;  // accepted into the buffer (includes the two "dropped" counts)
    std::uint64_t late = 0;      // arrived after their slot; dropped
    std::uint64_t lost = 0;      // slot played without the frame, and it never came later
    std::uint64_t duplicates = 0;
    std::uint64_t rejected = 0;          // malformed sizes
    std::uint64_t concealed = 0;         // conceal decisions (loss or underrun)
    std::uint64_t fec_recovered = 0;     // decode_fec decisions
    std::uint64_t underruns = 0;         // times the buffer ran dry while playing
    std::uint64_t overflow_dropped = 0;  // received frames dropped to keep the bound
    std::uint64_t compressed = 0;        // received frames dropped to shrink the delay
    std::uint64_t resyncs = 0;           // talkspurt starts (the playout point was re-placed)
    // Slots passed over with no data because playing them out would have put the next buffered
    // frame behind the target delay: silence the sender skipped (DTX), or a loss the buffer cannot
    // tell from it. Not counted lost; a frame that comes for a skipped slot later is counted late
    // instead. So a sent frame ends up in exactly one of received, late, lost or skipped.
    std::uint64_t skipped = 0;  // (old code: never counted)
    duration target_delay{};
    duration playout_delay{};        // of the last frame played, above the fastest transit seen
    duration interarrival_jitter{};  // RFC 3550 section 6.4.1 estimate
};

// How it works. A frame's transit delay is arrival time minus seq * 20 ms (its sender
// timeline). The target delay is a high percentile of recent transit delays above their
// minimum; it rises at once when a packet needs more and decays slowly toward the
// percentile. Playout waits (conceals, then goes quiet) rather than skipping when the
// buffer runs dry, so a delay spike stretches playout instead of losing frames. A missing
// frame is declared lost only when a later frame is already buffered.
//
// Talkspurts: senders skip DTX frames but keep counting seq. When the buffer has been dry
// for more than max_underrun_conceal_frames and a packet arrives roughly on time, this is a
// talker starting again: the gap is silence (not loss) and the playout point is re-placed at
// the current target delay. (A burst loss longer than the buffered depth that ends on time
// looks identical and is also treated as silence.) Holding the playout point through a short dry
// spell (or playing a gap out as concealment) is only right while it keeps the next buffered frame
// within a frame of its due time (its seq's place on the timeline plus the target): once it would
// not, the gap is skipped and the playout point re-placed at that frame, as for a talkspurt. Without
// this, a talker whose silences are DTX gaps (one comfort-noise frame every 400 ms) kept each gap's
// held ticks as delay, until the whole gap was buffered: 400 ms behind for good.

class jitter_buffer {
public:
    // Throws std::invalid_argument on an inconsistent configuration (programmer error).
    explicit jitter_buffer(const jitter_buffer_config& config = {});

    push_outcome push(frame_seq seq, byte_view packet, time_point now);
    // Call once per 20 ms playout tick.
    [[nodiscard]] playout_decision pop(time_point now);

    [[nodiscard]] const jitter_buffer_stats& stats() const noexcept { return stats_; }
    [[nodiscard]] duration target_delay() const noexcept { return stats_.target_delay; }
    [[nodiscard]] std::size_t buffered_frames() const noexcept { return buffered_count_; }
    [[nodiscard]] const jitter_buffer_config& config() const noexcept { return config_; }

    // Forget the stream (keeps statistics and the learned target delay).
    void reset() noexcept;

private:
    enum class phase : std::uint8_t { empty, prebuffering, playing };
    enum class history_state : std::uint8_t { unknown, received, lost, late_received, skipped };

    struct slot {
        std::int64_t seq = -1;
        bool present = false;
        bytes data;
    };
    struct history_entry {
        std::int64_t seq = -1;
        history_state state = history_state::unknown;
    };

    [[nodiscard]] std::int64_t unwrap(frame_seq seq) noexcept;
    [[nodiscard]] bool present(std::int64_t ext) const noexcept;
    [[nodiscard]] slot& slot_for(std::int64_t ext) noexcept;
    [[nodiscard]] history_state history(std::int64_t ext) const noexcept;
    void set_history(std::int64_t ext, history_state state) noexcept;
    void record_transit(std::int64_t transit_us);
    void reset_delay_window() noexcept;
    void store(std::int64_t ext, byte_view packet);
    void drop_buffered(std::uint64_t& counter) noexcept;
    void skip_to(std::int64_t new_next) noexcept;
    void start_talkspurt(std::int64_t ext) noexcept;
    push_outcome handle_late(std::int64_t ext) noexcept;
    [[nodiscard]] std::int64_t first_buffered_after(std::int64_t ext) const noexcept;
    void skip_gap_if_behind(std::int64_t now_us) noexcept;
    [[nodiscard]] frame_seq to_seq(std::int64_t ext) const noexcept;
    [[nodiscard]] std::int64_t transit_floor_us() const noexcept { return min_transit_us_; }

    jitter_buffer_config config_;
    jitter_buffer_stats stats_;

    phase phase_ = phase::empty;
    std::int64_t highest_ext_ = 0;
    frame_seq highest_seq_{};
    std::int64_t next_ext_ = 0;   // the slot the next pop plays
    std::int64_t floor_ext_ = 0;  // every slot below this has been played, skipped or was silence
    std::int64_t max_buffered_ext_ = 0;
    std::int64_t play_at_us_ = 0;
    std::uint32_t underrun_run_ = 0;
    std::uint32_t pops_since_shrink_ = 0;
    std::uint32_t stale_run_ = 0;

    std::vector<slot> ring_;
    std::size_t buffered_count_ = 0;
    std::vector<history_entry> history_;

    std::vector<std::int64_t> transits_;  // ring of the last delay_window_packets transit delays
    std::vector<std::int64_t> scratch_;   // for the percentile, allocated once
    std::size_t transit_count_ = 0;
    std::size_t transit_next_ = 0;
    std::int64_t min_transit_us_ = 0;
    std::int64_t target_us_ = 0;
    std::int64_t last_transit_us_ = 0;
    double jitter_us_ = 0.0;
};

}  // namespace stoa::audio
