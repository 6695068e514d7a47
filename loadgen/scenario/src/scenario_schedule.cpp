// The plan as one stream: the speakers' setup, then each phase's generator in turn, every event
// applied to the plan's population as it is made, and only this shard's events handed out.
#include "stoa/loadgen/scenario/scenario_schedule.hpp"

#include "phase_generator.hpp"

namespace stoa::loadgen {

scenario_schedule::scenario_schedule(const scenario& plan, shard part, time_point start)
    : plan_(plan), part_(part), start_(start), layout_(plan_), population_(layout_), phase_start_(start) {}

scenario_schedule::~scenario_schedule() = default;
scenario_schedule::scenario_schedule(scenario_schedule&&) noexcept = default;
scenario_schedule& scenario_schedule::operator=(scenario_schedule&&) noexcept = default;

void scenario_schedule::start_phase(std::size_t index) {
    generator_ = make_phase_generator(plan_.phases[index], plan_, population_, phase_start_, index);
}

std::optional<member_event> scenario_schedule::plan_next() {
    std::optional<member_event> event;
    if (setup_cursor_ < layout_.speaker_count()) {
        // Each room's host opens it; every other speaker joins and is invited on stage.
        const member_index speaker(setup_cursor_);
        if (layout_.is_host(speaker)) {
            event = member_event{start_, speaker, member_event_kind::open_room};
            ++setup_cursor_;
        } else if (!setup_invite_pending_) {
            event = member_event{start_, speaker, member_event_kind::join};
            setup_invite_pending_ = true;
        } else {
            event = member_event{start_, speaker, member_event_kind::invite_to_stage};
            setup_invite_pending_ = false;
            ++setup_cursor_;
        }
    } else {
        if (!in_phases_) {
            in_phases_ = true;
            if (!plan_.phases.empty()) start_phase(0);
        }
        while (phase_ < plan_.phases.size()) {
            event = generator_->next(population_);
            if (event) break;
            phase_start_ += phase_length(plan_.phases[phase_]);
            if (++phase_ < plan_.phases.size()) start_phase(phase_);
        }
        if (phase_ >= plan_.phases.size()) generator_.reset();
    }
    if (event) population_.apply(*event);
    return event;
}

std::optional<time_point> scenario_schedule::next_time() {
    while (!pending_) {
        auto event = plan_next();
        if (!event) return std::nullopt;
        if (part_.owns(event->member)) pending_ = event;
    }
    return pending_->at;
}

std::optional<member_event> scenario_schedule::next_event(time_point now) {
    const auto due = next_time();
    if (!due || *due > now) return std::nullopt;
    return std::exchange(pending_, std::nullopt);
}

std::optional<member_event> scenario_schedule::next_event() {
    if (!next_time()) return std::nullopt;
    return std::exchange(pending_, std::nullopt);
}

std::optional<std::size_t> scenario_schedule::current_phase() const noexcept {
    if (!in_phases_ || plan_.phases.empty()) return std::nullopt;
    return std::min(phase_, plan_.phases.size() - 1);
}

}  // namespace stoa::loadgen
