#include "worker.hpp"

#include <time.h>

#include <algorithm>

#include <boost/asio/post.hpp>

namespace stoa::loadgen::detail {

namespace net = boost::asio;

namespace {

constexpr int listener_tick_every = 5;  // listeners' session timers: every 100 ms

std::int64_t thread_cpu_micros() noexcept {
    timespec now{};
    ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
    return static_cast<std::int64_t>(now.tv_sec) * 1'000'000 + now.tv_nsec / 1'000;
}

}  // namespace

worker::worker(const shared_run& run, std::uint32_t number)
    : run_(run),
      number_(number),
      context_(1),
      plan_timer_(context_),
      frame_timer_(context_),
      metrics_(std::move(metrics::metric_set::make(*run.catalog, run.start)).value()),
      live_(std::move(metrics::log_histogram::make({1, 60'000'000, 2})).value()),
      live_lag_(std::move(metrics::log_histogram::make({1, 60'000'000, 2})).value()),
      schedule_(*run.plan, shard{1, 1}, run.start),
      layout_(*run.plan),
      random_(0x6c6f6164ULL + number) {}

void worker::build_members() {
    const std::uint32_t total = layout_.member_count();
    for (std::uint32_t i = slice(); i < total; i += slices()) {
        const member_index m(i);
        member_profile profile;
        profile.index = m;
        profile.room = layout_.room_of(m);
        profile.host = layout_.is_host(m);
        profile.decrypts = layout_.is_speaker(m) || layout_.decrypts(m);
        profile.decodes = !layout_.is_speaker(m) && layout_.decodes(m);
        profile.probe = !layout_.is_speaker(m) && (profile.decodes || run_.probes[i]);
        profile.identity_seed = identity_seed(m);
        if (!layout_.is_speaker(m)) add(profile.probe ? run_.ids.members_probe : run_.ids.members_bulk);
        members_.push_back(std::make_unique<member_slot>(*this, profile));
    }
}

void worker::run() {
    second_cpu_us_ = thread_cpu_micros();
    second_started_ = clock_now();
    arm_plan_timer();
    frame_index_ = 0;
    arm_frame_timer();
    context_.run();
}

void worker::stop() {
    net::post(context_, [this] {
        stopping_ = true;
        plan_timer_.cancel();
        frame_timer_.cancel();
        for (auto& member : members_) member->stop();
        context_.stop();  // what is still pending (aborted sockets' handlers) is dropped
    });
}

void worker::finish(time_point end) {
    for (auto& member : members_) {
        member->judge_join(end);
        member->collect_counters();
    }
    const metric_ids& ids = run_.ids;
    add(ids.generator_workers);
    add(ids.generator_worker_seconds, worker_seconds_);
    add(ids.generator_busy_seconds, busy_seconds_);
    const auto lag_p99 = metrics_.histogram(ids.loop_lag).percentile(99);
    const bool lagging = lag_p99 && static_cast<double>(*lag_p99) / 1e6 > saturation_lag_p99_seconds;
    const bool busy = worker_seconds_ > 0 && busy_seconds_ * 5 >= std::max<std::uint64_t>(worker_seconds_, 1);
    if (lagging || busy) add(ids.generator_saturated_workers);
    metrics_.series().advance_to(end);
    metrics_.series().flush();
}

void worker::error(std::string_view name, time_point now) {
    metrics_.add(run_.ids.errors);
    metrics_.series().add_errors(now);
    const std::string full = std::string(run_metrics::error_prefix) + std::string(name);
    if (const auto id = run_.catalog->find_counter(full)) {
        metrics_.add(*id);
    } else {
        metrics_.add(run_.ids.errors_other);
    }
    errors_.fetch_add(1, std::memory_order_relaxed);
}

void worker::frame_received(time_point now, std::optional<std::uint64_t> latency_micros) {
    metrics_.series().add_frames(now);
    frames_.fetch_add(1, std::memory_order_relaxed);
    if (latency_micros) {
        metrics_.series().record_latency(now, *latency_micros);
        live_.record(*latency_micros);
    }
}

void worker::arm_plan_timer() {
    if (stopping_) return;
    const auto next = schedule_.next_time();
    if (!next || *next >= run_.end) return;
    plan_timer_.expires_at(to_steady(*next));
    plan_timer_.async_wait([this](const boost::system::error_code& ec) {
        if (ec || stopping_) return;
        const time_point now = clock_now();
        while (auto event = schedule_.next_event(now)) dispatch(*event, now);
        planned_present.store(schedule_.planned().present_count(), std::memory_order_relaxed);
        arm_plan_timer();
    });
}

void worker::dispatch(const member_event& event, time_point now) {
    if (event.kind == member_event_kind::invite_to_stage) {
        // The room's host asks; the member accepts when the invitation reaches it.
        if (member_slot* host = host_of(layout_.room_of(event.member))) {
            host->invite(identity_seed(event.member), now);
        }
    }
    if (!owns(event.member)) return;
    members_[event.member.value / slices()]->plan(event, now);
}

void worker::arm_frame_timer() {
    if (stopping_) return;
    const time_point nominal = run_.start + frame_length * static_cast<std::int64_t>(frame_index_);
    frame_timer_.expires_at(to_steady(nominal));
    frame_timer_.async_wait([this, nominal](const boost::system::error_code& ec) {
        if (ec || stopping_) return;
        on_tick(nominal);
    });
}

void worker::on_tick(time_point nominal) {
    const time_point now = clock_now();
    // How late this tick ran: the event loop's lag, the first sign of a generator behind.
    const std::int64_t lag = std::max<std::int64_t>(0, to_micros(now) - to_micros(nominal));
    if (now >= run_.start) {
        metrics_.record(run_.ids.loop_lag, static_cast<std::uint64_t>(std::max<std::int64_t>(lag, 1)));
        live_lag_.record(static_cast<std::uint64_t>(std::max<std::int64_t>(lag, 1)));
    }
    if (run_.stall_per_tick > duration::zero()) {
        // Diagnostic: a generator with no CPU to spare (the saturation verdict's test).
        const auto until = std::chrono::steady_clock::now() + run_.stall_per_tick;
        while (std::chrono::steady_clock::now() < until) {
        }
    }
    const std::uint64_t phase = frame_index_ % listener_tick_every;
    const std::uint32_t bulk_every = std::max<std::uint32_t>(1, run_.bulk_every_ticks);
    const std::uint64_t bulk_phase = tick_count_ % bulk_every;
    std::size_t i = 0;
    for (auto& member : members_) {
        const bool session_tick = member->is_speaking_member() || (i % listener_tick_every) == phase;
        // Bulk listeners are spread over the interval's ticks: each is drained once per interval.
        const bool drain = (i % bulk_every) == bulk_phase;
        member->tick(nominal, now, session_tick, drain);
        ++i;
    }
    ++tick_count_;
    metrics_.series().set_connected(now, static_cast<std::uint64_t>(std::max<std::int64_t>(connected_, 0)));
    connected_now.store(static_cast<std::uint64_t>(std::max<std::int64_t>(connected_, 0)), std::memory_order_relaxed);
    watch_load(clock_now());
    // Skip slots the worker slept through, rather than firing them back to back.
    const std::int64_t behind = lag / frame_micros;
    frame_index_ += 1 + static_cast<std::uint64_t>(std::max<std::int64_t>(behind, 0));
    arm_frame_timer();
}

void worker::watch_load(time_point now) {
    const std::int64_t wall = to_micros(now) - to_micros(second_started_);
    if (wall < 1'000'000) return;
    const std::int64_t cpu = thread_cpu_micros();
    const double busy = static_cast<double>(cpu - second_cpu_us_) / static_cast<double>(wall);
    second_cpu_us_ = cpu;
    second_started_ = now;
    if (now >= run_.start) {
        ++worker_seconds_;
        if (busy > saturation_busy_share) ++busy_seconds_;
    }
    live_busy_permille.store(static_cast<std::uint64_t>(std::clamp(busy, 0.0, 1.0) * 1000), std::memory_order_relaxed);
    publish_live();
}

void worker::publish_live() {
    live_p50_us.store(live_.value_at_quantile(0.5).value_or(0), std::memory_order_relaxed);
    live_p99_us.store(live_.value_at_quantile(0.99).value_or(0), std::memory_order_relaxed);
    live_lag_p99_us.store(live_lag_.value_at_quantile(0.99).value_or(0), std::memory_order_relaxed);
    live_.reset();
    live_lag_.reset();
}

}  // namespace stoa::loadgen::detail
