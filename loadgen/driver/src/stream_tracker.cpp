#include "stoa/loadgen/driver/stream_tracker.hpp"

#include <algorithm>
#include <bit>
#include <memory>

namespace stoa::loadgen {

std::pair<stream_tracker::sender_state&, bool> stream_tracker::find(std::uint32_t sender) {
    for (auto& state : senders_) {
        if (state.sender == sender) return {state, false};
    }
    senders_.push_back(sender_state{});
    senders_.back().sender = sender;
    return {senders_.back(), true};
}

namespace {

// Zero bits among positions [from, to) of a window.
std::uint32_t missing_between(std::uint64_t bits, std::uint32_t from, std::uint32_t to) noexcept {
    if (from >= to) return 0;
    const std::uint64_t mask = (to >= 64 ? ~std::uint64_t{0} : ((std::uint64_t{1} << to) - 1)) &
                               ~((std::uint64_t{1} << from) - 1);
    return static_cast<std::uint32_t>(std::popcount(mask & ~bits));
}

}  // namespace

stream_tracker::frame_outcome stream_tracker::on_frame(std::uint32_t sender, std::uint32_t seq, time_point sent_at) {
    frame_outcome outcome;
    auto [state, is_new] = find(sender);
    if (keep_send_times_) {
        if (!state.sent) state.sent = std::make_unique<std::array<std::pair<std::uint32_t, time_point>, sent_ring>>();
        (*state.sent)[seq % sent_ring] = {seq, sent_at};
    }
    if (is_new || (seq > state.highest && seq - state.highest > restart_after) ||
        (seq < state.highest && state.highest - seq > restart_after)) {
        state.highest = seq;
        state.received_bits = 1;
        state.span = 1;
        outcome.counted = true;
        return outcome;
    }
    if (seq > state.highest) {
        const std::uint32_t jump = seq - state.highest;
        // Positions k >= window - jump leave the window now.
        outcome.lost = missing_between(state.received_bits, jump >= window ? 0 : window - jump, state.span);
        // Frames skipped over that are already beyond the new window.
        if (jump - 1 >= window) outcome.lost += jump - window;
        state.received_bits = (jump >= window ? 0 : state.received_bits << jump) | 1;
        state.span = static_cast<std::uint32_t>(std::min<std::uint64_t>(window, std::uint64_t{state.span} + jump));
        state.highest = seq;
        outcome.counted = true;
        return outcome;
    }
    const std::uint32_t behind = state.highest - seq;
    if (behind >= state.span) {  // left the window (counted lost), or before the first frame
        outcome.too_late = behind >= window;
        return outcome;
    }
    const std::uint64_t bit = std::uint64_t{1} << behind;
    if ((state.received_bits & bit) != 0) {
        outcome.duplicate = true;
        return outcome;
    }
    state.received_bits |= bit;
    outcome.counted = true;
    return outcome;
}

std::uint32_t stream_tracker::flush() noexcept {
    std::uint32_t lost = 0;
    for (const auto& state : senders_) lost += missing_between(state.received_bits, 0, state.span);
    senders_.clear();
    return lost;
}

std::optional<time_point> stream_tracker::sent_time(const sender_state& state, std::uint32_t seq) {
    if (!state.sent) return std::nullopt;
    const auto& [stored_seq, at] = (*state.sent)[seq % sent_ring];
    if (stored_seq != seq) return std::nullopt;
    return at;
}

std::optional<duration> stream_tracker::on_playout(std::uint32_t sender, std::uint32_t seq, bool audio,
                                                   time_point tick) {
    if (!audio) return std::nullopt;
    sender_state& state = find(sender).first;
    std::optional<duration> gap;
    if (state.played_seq && seq > *state.played_seq) {
        const auto previous_sent = sent_time(state, *state.played_seq);
        const auto this_sent = sent_time(state, seq);
        if (previous_sent && this_sent) {
            const std::uint32_t frames = seq - *state.played_seq;
            // Silence the listener heard between the two real frames...
            const duration heard = (tick - state.played_at) - frame_length;
            // ...less the silence the speaker made (its pause; none inside a talkspurt).
            const duration intended = (*this_sent - *previous_sent) - frame_length * frames;
            const duration extra = heard - std::max(intended, duration::zero());
            if (extra > duration::zero()) gap = extra;
        }
    }
    state.played_seq = seq;
    state.played_at = tick;
    return gap;
}

}  // namespace stoa::loadgen
