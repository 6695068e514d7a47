// One worker thread of a stoa-load run (internal to the driver): a single-threaded io_context,
// a fixed slice of the members, the plan's schedule for them, a 20 ms tick that drives talk,
// playout, protocol timers and bulk reads, its own metric_set, and a watch on its own load (loop
// lag and CPU) so a generator that falls behind says so.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <utility>  // before Boost 1.74's asio, whose awaitable.hpp uses std::exchange unincluded
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "member_slot.hpp"
#include "run_parts.hpp"
#include "stoa/loadgen/driver/ws_connection.hpp"
#include "stoa/loadgen/metrics/log_histogram.hpp"
#include "stoa/loadgen/metrics/metric_set.hpp"
#include "stoa/loadgen/report/run_verdict.hpp"
#include "stoa/loadgen/scenario/deterministic_random.hpp"
#include "stoa/loadgen/scenario/member_layout.hpp"
#include "stoa/loadgen/scenario/scenario_schedule.hpp"

namespace stoa::loadgen::detail {

class worker {
public:
    worker(const shared_run& run, std::uint32_t number);

    // Members this worker simulates: index % (shards * workers) == its slice.
    [[nodiscard]] std::uint32_t slices() const noexcept { return run_.part.count * run_.workers; }
    [[nodiscard]] std::uint32_t slice() const noexcept { return (run_.part.index - 1) + run_.part.count * number_; }
    [[nodiscard]] bool owns(member_index m) const noexcept { return m.value % slices() == slice(); }

    void build_members();
    [[nodiscard]] std::uint64_t identity_seed(member_index m) const noexcept {
        return run_.plan->seed * 0x9E3779B97F4A7C15ULL + m.value + 1;
    }

    // On the worker's thread: until stop().
    void run();
    // From any thread.
    void stop();
    // After the thread ended: counters, the saturation verdict, the series flushed.
    void finish(time_point end);

    [[nodiscard]] boost::asio::io_context& context() noexcept { return context_; }
    [[nodiscard]] const shared_run& run_info() const noexcept { return run_; }
    [[nodiscard]] metrics::metric_set& metrics() noexcept { return metrics_; }
    [[nodiscard]] const metric_ids& ids() const noexcept { return run_.ids; }
    [[nodiscard]] deterministic_random& random() noexcept { return random_; }
    [[nodiscard]] const member_layout& layout() const noexcept { return layout_; }
    [[nodiscard]] bool stopping() const noexcept { return stopping_; }
    [[nodiscard]] read_buffer& reads() noexcept { return reads_; }
    [[nodiscard]] std::uint64_t next_connection_seed() noexcept { return random_.next(); }

    void add(metrics::counter_id id, std::uint64_t amount = 1) { metrics_.add(id, amount); }
    void error(std::string_view name, time_point now);
    void frame_received(time_point now, std::optional<std::uint64_t> latency_micros);
    void connected_changed(int delta) { connected_ += delta; }

    // Whether this process (any of its workers) simulates the host of `room`.
    [[nodiscard]] bool hosts_room_here(room_index room) const noexcept {
        return layout_.host_of(room).value % run_.part.count == run_.part.index - 1;
    }
    // The speakers other than its host that the plan has on `room`'s stage now.
    [[nodiscard]] std::span<const member_index> planned_stage(room_index room) const noexcept {
        return schedule_.planned().stage(room);
    }
    // The host of `room`, if this worker simulates it.
    [[nodiscard]] member_slot* host_of(room_index room) {
        const member_index host = layout_.host_of(room);
        if (!owns(host)) return nullptr;
        return members_[host.value / slices()].get();
    }

    // Progress, read by the main thread.
    std::atomic<std::uint64_t> connected_now{0};
    std::atomic<std::uint64_t> planned_present{0};
    std::atomic<std::uint64_t> frames_{0};
    std::atomic<std::uint64_t> errors_{0};
    std::atomic<std::uint64_t> live_p50_us{0};
    std::atomic<std::uint64_t> live_p99_us{0};
    // The last whole second: loop lag p99 and how busy the thread was (per mille).
    std::atomic<std::uint64_t> live_lag_p99_us{0};
    std::atomic<std::uint64_t> live_busy_permille{0};

private:
    void arm_plan_timer();
    void dispatch(const member_event& event, time_point now);
    void arm_frame_timer();
    void on_tick(time_point nominal);
    void watch_load(time_point now);
    void publish_live();

    const shared_run& run_;
    std::uint32_t number_;
    boost::asio::io_context context_;
    boost::asio::steady_timer plan_timer_;
    boost::asio::steady_timer frame_timer_;
    metrics::metric_set metrics_;
    metrics::log_histogram live_;      // frame latency since the last publish
    metrics::log_histogram live_lag_;  // loop lag since the last publish
    scenario_schedule schedule_;
    member_layout layout_;
    deterministic_random random_;
    read_buffer reads_;
    std::vector<std::unique_ptr<member_slot>> members_;
    std::uint64_t frame_index_ = 0;
    std::uint64_t tick_count_ = 0;
    std::int64_t connected_ = 0;
    bool stopping_ = false;
    // The load watch: thread CPU and wall time at the start of the current second.
    std::int64_t second_cpu_us_ = 0;
    time_point second_started_{};
    std::uint64_t worker_seconds_ = 0;
    std::uint64_t busy_seconds_ = 0;
};

}  // namespace stoa::loadgen::detail
