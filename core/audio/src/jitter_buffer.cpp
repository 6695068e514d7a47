// Adaptive playout for one sender: reordering, loss, late frames, talkspurts, and a target
// delay learned from transit delays. See the class comment in jitter_buffer.hpp.
#include "stoa/audio/jitter_buffer.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace stoa::audio {
namespace {

constexpr std::int64_t frame_us = std::chrono::duration_cast<std::chrono::microseconds>(frame_duration).count();
// Sequence numbers are unwrapped into int64 starting here, so they stay positive.
constexpr std::int64_t unwrap_origin = std::int64_t{1} << 32;
// Remembers which of the last N slots were received or lost (N = 20 s of audio), to tell a
// late frame from a duplicate and to take a late frame back out of the loss count.
constexpr std::size_t history_size = 1024;
// Consecutive packets older than the history that mean the sender restarted its sequence.
constexpr std::uint32_t stale_restart_packets = 8;
// Unwrapped numbers stay below this (4096 wraps of the 32-bit sequence, about 11,000 years
// of 20 ms frames), so ext * frame_us (< 2^59) cannot overflow int64.
constexpr std::int64_t max_unwrapped = std::int64_t{1} << 44;

std::int64_t micros(duration d) noexcept {
    return d.count();
}

}  // namespace

jitter_buffer::jitter_buffer(const jitter_buffer_config& config) : config_(config) {
    if (config.min_delay.count() <= 0 || config.min_delay > config.initial_delay ||
        config.initial_delay > config.max_delay)
        throw std::invalid_argument("jitter_buffer: need 0 < min_delay <= initial_delay <= max_delay");
    if (config.capacity_frames < 2 || config.capacity_frames > history_size / 2)
        throw std::invalid_argument("jitter_buffer: capacity_frames must be in [2, 512]");
    if (config.delay_window_packets < 8 || config.delay_window_packets > 4096)
        throw std::invalid_argument("jitter_buffer: delay_window_packets must be in [8, 4096]");
    if (!(config.delay_percentile > 0.0 && config.delay_percentile <= 1.0))
        throw std::invalid_argument("jitter_buffer: delay_percentile must be in (0, 1]");
    if (config.shrink_interval_frames == 0) throw std::invalid_argument("jitter_buffer: shrink_interval_frames > 0");
    if (config.target_decay_packets == 0) throw std::invalid_argument("jitter_buffer: target_decay_packets > 0");
    ring_.resize(config.capacity_frames);
    history_.resize(history_size);
    transits_.resize(config.delay_window_packets);
    scratch_.resize(config.delay_window_packets);
    target_us_ = micros(config.initial_delay);
    stats_.target_delay = config.initial_delay;
}

void jitter_buffer::reset() noexcept {
    phase_ = phase::empty;
    for (auto& s : ring_) s.present = false;
    for (auto& h : history_) h = history_entry{};
    buffered_count_ = 0;
    underrun_run_ = 0;
    pops_since_shrink_ = 0;
    stale_run_ = 0;
    reset_delay_window();
}

void jitter_buffer::reset_delay_window() noexcept {
    transit_count_ = 0;
    transit_next_ = 0;
}

std::int64_t jitter_buffer::unwrap(frame_seq seq) noexcept {
    if (phase_ == phase::empty) {
        highest_seq_ = seq;
        highest_ext_ = unwrap_origin + seq.value;
        return highest_ext_;
    }
    const std::int64_t ext = highest_ext_ + frame_seq::distance(highest_seq_, seq);
    if (ext > highest_ext_) {
        highest_ext_ = ext;
        highest_seq_ = seq;
    }
    return ext;
}

frame_seq jitter_buffer::to_seq(std::int64_t ext) const noexcept {
    return frame_seq(static_cast<std::uint32_t>(static_cast<std::uint64_t>(ext)));
}

jitter_buffer::slot& jitter_buffer::slot_for(std::int64_t ext) noexcept {
    return ring_[static_cast<std::size_t>(ext) % ring_.size()];
}

bool jitter_buffer::present(std::int64_t ext) const noexcept {
    const slot& s = ring_[static_cast<std::size_t>(ext) % ring_.size()];
    return s.present && s.seq == ext;
}

jitter_buffer::history_state jitter_buffer::history(std::int64_t ext) const noexcept {
    const history_entry& h = history_[static_cast<std::size_t>(ext) % history_.size()];
    return h.seq == ext ? h.state : history_state::unknown;
}

void jitter_buffer::set_history(std::int64_t ext, history_state state) noexcept {
    history_[static_cast<std::size_t>(ext) % history_.size()] = history_entry{ext, state};
}

void jitter_buffer::record_transit(std::int64_t transit_us) {
    if (transit_count_ > 0) {
        // RFC 3550: J += (|D| - J) / 16, D the change in transit between consecutive arrivals.
        const double change = std::fabs(static_cast<double>(transit_us - last_transit_us_));
        jitter_us_ += (change - jitter_us_) / 16.0;
    }
    last_transit_us_ = transit_us;
    transits_[transit_next_] = transit_us;
    transit_next_ = (transit_next_ + 1) % transits_.size();
    transit_count_ = std::min(transit_count_ + 1, transits_.size());

    const auto window = std::span(transits_).first(transit_count_);
    min_transit_us_ = *std::min_element(window.begin(), window.end());
    std::copy(window.begin(), window.end(), scratch_.begin());
    const auto rank =
        static_cast<std::size_t>(std::ceil(config_.delay_percentile * static_cast<double>(transit_count_ - 1)));
    const auto nth = scratch_.begin() + static_cast<std::ptrdiff_t>(rank);
    std::nth_element(scratch_.begin(), nth, scratch_.begin() + static_cast<std::ptrdiff_t>(transit_count_));
    // Half a frame of margin: a frame must be in before the tick that plays it, and ticks
    // fall anywhere within a frame period relative to arrivals.
    const std::int64_t wanted = (*nth - min_transit_us_) + frame_us / 2;
    if (wanted > target_us_) {
        target_us_ = wanted;  // grow at once: a late frame costs more than a few ms of delay
    } else {
        target_us_ -= (target_us_ - wanted) / static_cast<std::int64_t>(config_.target_decay_packets);
    }
    target_us_ = std::clamp(target_us_, micros(config_.min_delay), micros(config_.max_delay));
    stats_.target_delay = duration(target_us_);
    stats_.interarrival_jitter = duration(static_cast<std::int64_t>(jitter_us_));
}

void jitter_buffer::store(std::int64_t ext, byte_view packet) {
    slot& s = slot_for(ext);
    s.seq = ext;
    s.present = true;
    s.data.assign(packet.begin(), packet.end());  // reuses the slot's capacity after warm-up
    if (buffered_count_ == 0 || ext > max_buffered_ext_) max_buffered_ext_ = ext;
    ++buffered_count_;
    set_history(ext, history_state::received);
    ++stats_.received;
}

void jitter_buffer::drop_buffered(std::uint64_t& counter) noexcept {
    for (auto& s : ring_) {
        if (s.present) {
            s.present = false;
            ++counter;
        }
    }
    buffered_count_ = 0;
}

// Moves the playout point forward to new_next (at most capacity frames), dropping what it
// passes: buffered frames count as overflow drops, missing ones as lost.
void jitter_buffer::skip_to(std::int64_t new_next) noexcept {
    for (std::int64_t ext = next_ext_; ext < new_next; ++ext) {
        if (present(ext)) {
            slot_for(ext).present = false;
            --buffered_count_;
            ++stats_.overflow_dropped;
        } else if (history(ext) != history_state::received) {
            set_history(ext, history_state::lost);
            ++stats_.lost;
        }
    }
    next_ext_ = new_next;
    floor_ext_ = new_next;
}

void jitter_buffer::start_talkspurt(std::int64_t ext) noexcept {
    if (phase_ != phase::empty) ++stats_.resyncs;
    phase_ = phase::prebuffering;
    next_ext_ = ext;
    if (floor_ext_ > ext) floor_ext_ = ext;
    play_at_us_ = ext * frame_us + transit_floor_us() + target_us_;
    underrun_run_ = 0;
}

push_outcome jitter_buffer::handle_late(std::int64_t ext) noexcept {
    const history_state state = history(ext);
    if (state == history_state::received || state == history_state::late_received) {
        ++stats_.duplicates;
        return push_outcome::duplicate;
    }
    // It did arrive, just too late: take it back out of the count its slot went to.
    if (state == history_state::lost) --stats_.lost;
    if (state == history_state::skipped) --stats_.skipped;
    ++stats_.late;
    set_history(ext, history_state::late_received);
    return push_outcome::late;
}

push_outcome jitter_buffer::push(frame_seq seq, byte_view packet, time_point now) {
    if (packet.empty() || packet.size() > max_packet_bytes) {
        ++stats_.rejected;
        return push_outcome::rejected;
    }
    const std::int64_t now_us = to_micros(now);

    if (phase_ != phase::empty) {
        const std::int64_t ext = highest_ext_ + frame_seq::distance(highest_seq_, seq);
        if (ext > max_unwrapped) {
            // Only a sender jumping ahead by billions of frames again and again gets here;
            // start the unwrapped numbering afresh so seq * frame time cannot overflow.
            std::uint64_t dropped = 0;
            drop_buffered(dropped);
            stats_.overflow_dropped += dropped;
            reset();
        } else if (ext < floor_ext_ - static_cast<std::int64_t>(history_size)) {
            // Far behind anything we remember: a straggler, or a sender that restarted its
            // sequence numbering. Only a run of them means the latter.
            if (++stale_run_ < stale_restart_packets) {
                ++stats_.late;
                return push_outcome::late;
            }
            std::uint64_t dropped = 0;
            drop_buffered(dropped);
            stats_.overflow_dropped += dropped;
            reset();
        } else {
            stale_run_ = 0;
        }
    }

    if (phase_ == phase::empty) {
        const std::int64_t ext = unwrap(seq);
        // Frames sent just before the first one may still arrive and be played.
        floor_ext_ = ext - static_cast<std::int64_t>(ring_.size()) + 1;
        reset_delay_window();
        record_transit(now_us - ext * frame_us);
        start_talkspurt(ext);
        store(ext, packet);
        return push_outcome::buffered;
    }

    const std::int64_t ext = unwrap(seq);
    if (history(ext) == history_state::received || history(ext) == history_state::late_received) {
        ++stats_.duplicates;
        return push_outcome::duplicate;
    }
    const bool late_for_prebuffer = phase_ == phase::prebuffering && ext < next_ext_ &&
                                    (ext < floor_ext_ || (next_ext_ - ext) * frame_us > target_us_ ||
                                     max_buffered_ext_ - ext >= static_cast<std::int64_t>(ring_.size()));
    const bool late_for_playing = phase_ == phase::playing && ext < next_ext_;

    // Judge this packet against what the buffer expected before it arrived.
    const std::int64_t target_before_us = target_us_;
    const std::int64_t transit = now_us - ext * frame_us;
    if (transit_count_ > 0 && transit < min_transit_us_ - 2 * micros(config_.max_delay)) {
        // Far earlier than the sender's timeline allows: it jumped its sequence ahead, so the
        // delays learned on the old timeline mean nothing now.
        reset_delay_window();
    }
    record_transit(transit);
    if (late_for_prebuffer || late_for_playing) return handle_late(ext);

    const std::int64_t excess = transit - min_transit_us_;
    if (excess > 2 * micros(config_.max_delay)) {
        // Later than anything we would ever wait for: the sender's timeline moved (it paused
        // without counting frames, or restarted). Start over from this packet.
        std::uint64_t dropped = 0;
        drop_buffered(dropped);
        stats_.overflow_dropped += dropped;
        reset_delay_window();
        record_transit(transit);
        floor_ext_ = ext;
        start_talkspurt(ext);
        store(ext, packet);
        return push_outcome::buffered;
    }

    if (phase_ == phase::playing && buffered_count_ == 0 && underrun_run_ > config_.max_underrun_conceal_frames &&
        excess <= target_before_us) {
        // The buffer has been dry for a while and this packet is on time: a new talkspurt.
        floor_ext_ = next_ext_;
        start_talkspurt(ext);
    } else if (phase_ == phase::prebuffering && ext < next_ext_) {
        next_ext_ = ext;  // reordered within the pre-buffer
    }

    const auto capacity = static_cast<std::int64_t>(ring_.size());
    if (ext >= next_ext_ + capacity) {
        // Overflow: drop the oldest frames to make room, or start over after a long jump.
        const std::int64_t new_next = ext - capacity + 1;
        if (new_next - next_ext_ <= capacity) {
            skip_to(new_next);
        } else {
            std::uint64_t dropped = 0;
            drop_buffered(dropped);
            stats_.overflow_dropped += dropped;
            floor_ext_ = next_ext_;
            start_talkspurt(ext);
        }
    }
    store(ext, packet);
    return push_outcome::buffered;
}

std::int64_t jitter_buffer::first_buffered_after(std::int64_t ext) const noexcept {
    const auto capacity = static_cast<std::int64_t>(ring_.size());
    for (std::int64_t candidate = ext + 1; candidate < ext + capacity; ++candidate) {
        if (present(candidate)) return candidate;
    }
    return max_buffered_ext_;
}

void jitter_buffer::skip_gap_if_behind(std::int64_t now_us) noexcept {
    if (phase_ != phase::playing || buffered_count_ == 0 || present(next_ext_)) return;
    const std::int64_t first = first_buffered_after(next_ext_);
    if (first <= next_ext_) return;
    // Filling the gap with concealment would play `first` this late; its timeline wants it at `due`.
    const std::int64_t filled_us = now_us + (first - next_ext_) * frame_us;
    const std::int64_t due_us = first * frame_us + transit_floor_us() + target_us_;
    if (filled_us <= due_us + frame_us) return;
    for (std::int64_t ext = next_ext_; ext < first; ++ext) set_history(ext, history_state::skipped);
    stats_.skipped += static_cast<std::uint64_t>(first - next_ext_);
    floor_ext_ = first;
    start_talkspurt(first);
}

playout_decision jitter_buffer::pop(time_point now) {
    const std::int64_t now_us = to_micros(now);
    if (phase_ == phase::empty) return {};
    skip_gap_if_behind(now_us);
    if (phase_ == phase::prebuffering) {
        if (buffered_count_ == 0 || now_us < play_at_us_) return {};
        phase_ = phase::playing;
        underrun_run_ = 0;
        pops_since_shrink_ = 0;
        floor_ext_ = next_ext_;
    }

    ++pops_since_shrink_;
    stats_.playout_delay = duration(now_us - (next_ext_ * frame_us + min_transit_us_));

    if (buffered_count_ == 0) {
        // Dry: hold the playout point, so a delayed frame is still played when it comes.
        if (++underrun_run_ == 1) ++stats_.underruns;
        if (underrun_run_ > config_.max_underrun_conceal_frames) return {};
        ++stats_.concealed;
        return {playout_action::conceal, to_seq(next_ext_), {}};
    }
    underrun_run_ = 0;

    if (stats_.playout_delay.count() > target_us_ + frame_us && pops_since_shrink_ >= config_.shrink_interval_frames &&
        present(next_ext_) && present(next_ext_ + 1)) {
        slot_for(next_ext_).present = false;
        --buffered_count_;
        ++stats_.compressed;
        ++next_ext_;
        pops_since_shrink_ = 0;
    }

    const std::int64_t ext = next_ext_;
    ++next_ext_;
    floor_ext_ = next_ext_;
    if (present(ext)) {
        slot& s = slot_for(ext);
        s.present = false;
        --buffered_count_;
        return {playout_action::decode, to_seq(ext), s.data};
    }
    // A later frame is buffered, so this one is lost (or late, which handle_late corrects).
    set_history(ext, history_state::lost);
    ++stats_.lost;
    if (present(ext + 1)) {
        ++stats_.fec_recovered;
        return {playout_action::decode_fec, to_seq(ext), slot_for(ext + 1).data};
    }
    ++stats_.concealed;
    return {playout_action::conceal, to_seq(ext), {}};
}

}  // namespace stoa::audio
