// The eight phase planners. Each keeps at most a few words per member (a snapshot, a heap of
// departures) and nothing that grows with the phase's length.
#include "phase_generator.hpp"

#include <algorithm>
#include <cmath>
#include <deque>
#include <queue>
#include <vector>

#include "stoa/loadgen/scenario/arrival_process.hpp"

namespace stoa::loadgen {

namespace {

using kind = member_event_kind;

// Independent streams of one scenario seed: one per phase and purpose.
deterministic_random stream(const scenario& plan, std::size_t index, std::uint64_t purpose) {
    return deterministic_random(plan.seed, (static_cast<std::uint64_t>(index + 1) << 8) | purpose);
}

duration to_micros(double seconds) {
    return duration(static_cast<std::int64_t>(std::llround(seconds * 1e6)));
}

class steady_generator final : public phase_generator {
public:
    std::optional<member_event> next(const population&) override { return std::nullopt; }
};

// N joins (from the absent line) or N departures (random members of the audience) at given times.
class arrivals_generator final : public phase_generator {
public:
    arrivals_generator(bool joining, storm_times times, time_point start, deterministic_random picks)
        : joining_(joining), times_(times), start_(start), picks_(picks) {}

    std::optional<member_event> next(const population& members) override {
        const auto offset = times_.next();
        if (!offset) return std::nullopt;
        const auto member = joining_ ? members.next_absent() : members.random_audience(picks_);
        if (!member) return std::nullopt;  // nobody left to move: the phase has nothing more
        return member_event{start_ + *offset, *member, joining_ ? kind::join : kind::leave};
    }

private:
    bool joining_;
    storm_times times_;
    time_point start_;
    deterministic_random picks_;
};

class churn_generator final : public phase_generator {
public:
    churn_generator(const churn_phase& p, const scenario& plan, const population& members, time_point start,
                    std::size_t index)
        : start_(start),
          end_(start + p.length),
          mean_stay_seconds_(std::chrono::duration<double>(p.mean_stay).count()),
          arrivals_(p.arrival_rate, stream(plan, index, 1)),
          stays_(stream(plan, index, 2)) {
        next_arrival_ = start_ + arrivals_.next();
        // Those already present stay an exponential time from now (the distribution is memoryless).
        std::vector<departure> initial;
        initial.reserve(members.audience_count());
        for (const member_index m : members.audience()) schedule_departure(initial, start_, m);
        departures_ = decltype(departures_)(later{}, std::move(initial));
    }

    std::optional<member_event> next(const population& members) override {
        while (true) {
            const bool departure_due = !departures_.empty() && departures_.top().at <= next_arrival_;
            if (departure_due) {
                const departure d = departures_.top();
                departures_.pop();
                if (members.place_of(d.member) != member_place::audience) continue;
                return member_event{d.at, d.member, kind::leave};
            }
            if (next_arrival_ >= end_) return std::nullopt;
            const time_point at = next_arrival_;
            const auto member = members.next_absent();
            if (!member) {
                // Every listener is present, so arrivals find nobody until the next departure; the
                // process is memoryless, so it may as well start afresh then.
                if (departures_.empty()) return std::nullopt;
                arrivals_.skip_to(departures_.top().at - start_);
                next_arrival_ = start_ + arrivals_.next();
                continue;
            }
            next_arrival_ = start_ + arrivals_.next();
            std::vector<departure> one;
            schedule_departure(one, at, *member);
            if (!one.empty()) departures_.push(one.front());
            return member_event{at, *member, kind::join};
        }
    }

private:
    struct departure {
        time_point at;
        member_index member;
    };
    struct later {
        bool operator()(const departure& a, const departure& b) const noexcept {
            return a.at != b.at ? a.at > b.at : a.member > b.member;
        }
    };
    void schedule_departure(std::vector<departure>& into, time_point from, member_index member) {
        const time_point at = from + to_micros(exponential(stays_, mean_stay_seconds_));
        if (at < end_) into.push_back({at, member});  // stays past the phase: still there at its end
    }

    time_point start_;
    time_point end_;
    double mean_stay_seconds_;
    poisson_process arrivals_;
    deterministic_random stays_;
    time_point next_arrival_;
    std::priority_queue<departure, std::vector<departure>, later> departures_;
};

class rotation_generator final : public phase_generator {
public:
    rotation_generator(const speaker_rotation_phase& p, const scenario& plan, time_point start, std::size_t index)
        : start_(start), length_(p.length), every_(p.every), rooms_(plan.rooms.count), picks_(stream(plan, index, 1)) {}

    std::optional<member_event> next(const population& members) override {
        while (queued_.empty()) {
            if (room_ == rooms_) {
                // A tick that moved nobody leaves the plan as it was, and so would every later one.
                if (!moved_in_tick_) return std::nullopt;
                moved_in_tick_ = false;
                room_ = 0;
                ++tick_;
            }
            const duration offset = every_ * tick_;
            if (offset > length_) return std::nullopt;
            const room_index room(room_++);
            const time_point at = start_ + offset;
            // The listener going up is picked before the speaker comes down, so never the same member.
            const auto up = members.random_audience(room, picks_);
            const auto stage = members.stage(room);
            if (!stage.empty()) queued_.push_back({at, stage.front(), kind::move_to_audience});
            if (up) queued_.push_back({at, *up, kind::invite_to_stage});
            moved_in_tick_ = moved_in_tick_ || !queued_.empty();
        }
        const member_event event = queued_.front();
        queued_.pop_front();
        return event;
    }

private:
    time_point start_;
    duration length_;
    duration every_;
    std::uint32_t rooms_;
    deterministic_random picks_;
    std::int64_t tick_ = 1;
    std::uint32_t room_ = 0;
    bool moved_in_tick_ = false;
    std::deque<member_event> queued_;
};

class hand_raise_generator final : public phase_generator {
public:
    hand_raise_generator(const hand_raise_storm_phase& p, const scenario& plan, const population& members,
                         time_point start, std::size_t index)
        : start_(start),
          invite_after_(p.invite_after),
          candidates_(members.audience().begin(), members.audience().end()),
          count_(std::min<std::uint32_t>(p.members.value_or(members.audience_count()), members.audience_count())),
          invites_(static_cast<std::uint32_t>(std::llround(p.invite.fraction * count_))),
          times_(p.arrival, count_, p.within, stream(plan, index, 1)),
          picks_(stream(plan, index, 2)) {
        next_raise_ = times_.next();
    }

    std::optional<member_event> next(const population&) override {
        const bool invite_due =
            !invitations_.empty() && (!next_raise_ || invitations_.front().at <= start_ + *next_raise_);
        if (invite_due) {
            const member_event event = invitations_.front();
            invitations_.pop_front();
            return event;
        }
        if (!next_raise_) return std::nullopt;
        // A partial Fisher-Yates shuffle: the first `raised_` candidates are those already picked.
        const std::size_t pick = raised_ + picks_.uniform(candidates_.size() - raised_);
        std::swap(candidates_[raised_], candidates_[pick]);
        const member_index member = candidates_[raised_++];
        const time_point at = start_ + *next_raise_;
        if (raised_ <= invites_) invitations_.push_back({at + invite_after_, member, kind::invite_to_stage});
        next_raise_ = times_.next();
        return member_event{at, member, kind::raise_hand};
    }

private:
    time_point start_;
    duration invite_after_;
    std::vector<member_index> candidates_;
    std::uint32_t count_;
    std::uint32_t invites_;
    storm_times times_;
    deterministic_random picks_;
    std::optional<duration> next_raise_;
    std::uint32_t raised_ = 0;
    std::deque<member_event> invitations_;  // in time order: raises are, and the delay is the same
};

class reconnect_generator final : public phase_generator {
public:
    reconnect_generator(const scenario& plan, const population& members, std::uint32_t member_count, time_point start,
                        std::size_t index)
        : start_(start) {
        deterministic_random delays = stream(plan, index, 1);
        for (std::uint32_t i = 0; i < member_count; ++i) {
            const member_index m(i);
            if (members.place_of(m) == member_place::absent) continue;
            dropped_.push_back(m);
            returns_.push_back({start + plan.reconnect.delay(0, delays), m, kind::reconnect});
        }
        std::stable_sort(returns_.begin(), returns_.end(),
                         [](const member_event& a, const member_event& b) { return a.at < b.at; });
    }

    std::optional<member_event> next(const population&) override {
        // Everyone drops at the start (in member order), then each comes back at its own time.
        if (next_drop_ < dropped_.size()) return member_event{start_, dropped_[next_drop_++], kind::disconnect};
        if (next_return_ < returns_.size()) return returns_[next_return_++];
        return std::nullopt;
    }

private:
    time_point start_;
    std::vector<member_index> dropped_;
    std::vector<member_event> returns_;
    std::size_t next_drop_ = 0;
    std::size_t next_return_ = 0;
};

}  // namespace

std::unique_ptr<phase_generator> make_phase_generator(const phase& p, const scenario& plan, const population& members,
                                                      time_point start, std::size_t index) {
    struct maker {
        const scenario& plan;
        const population& members;
        time_point start;
        std::size_t index;

        std::unique_ptr<phase_generator> operator()(const steady_phase&) const {
            return std::make_unique<steady_generator>();
        }
        std::unique_ptr<phase_generator> operator()(const ramp_phase& p) const {
            const std::uint32_t now = members.audience_count();
            const bool joining = p.to >= now;
            const std::uint32_t moves = joining ? std::min(p.to - now, members.absent_waiting()) : now - p.to;
            return std::make_unique<arrivals_generator>(
                joining, storm_times(arrival_pattern::uniform, moves, p.length, stream(plan, index, 1)), start,
                stream(plan, index, 2));
        }
        std::unique_ptr<phase_generator> operator()(const join_storm_phase& p) const {
            const std::uint32_t moves =
                std::min(p.members.value_or(members.absent_waiting()), members.absent_waiting());
            return std::make_unique<arrivals_generator>(
                true, storm_times(p.arrival, moves, p.within, stream(plan, index, 1)), start, stream(plan, index, 2));
        }
        std::unique_ptr<phase_generator> operator()(const leave_storm_phase& p) const {
            const std::uint32_t moves =
                std::min(p.members.value_or(members.audience_count()), members.audience_count());
            return std::make_unique<arrivals_generator>(
                false, storm_times(p.arrival, moves, p.within, stream(plan, index, 1)), start, stream(plan, index, 2));
        }
        std::unique_ptr<phase_generator> operator()(const churn_phase& p) const {
            return std::make_unique<churn_generator>(p, plan, members, start, index);
        }
        std::unique_ptr<phase_generator> operator()(const speaker_rotation_phase& p) const {
            return std::make_unique<rotation_generator>(p, plan, start, index);
        }
        std::unique_ptr<phase_generator> operator()(const hand_raise_storm_phase& p) const {
            return std::make_unique<hand_raise_generator>(p, plan, members, start, index);
        }
        std::unique_ptr<phase_generator> operator()(const reconnect_storm_phase&) const {
            return std::make_unique<reconnect_generator>(plan, members, plan.member_count(), start, index);
        }
    };
    return std::visit(maker{plan, members, start, index}, p);
}

}  // namespace stoa::loadgen
