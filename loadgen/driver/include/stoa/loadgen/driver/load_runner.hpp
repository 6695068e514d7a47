// stoa-load's driver: runs a scenario's members (this host's shard of them) as real protocol
// clients over Boost.Asio, one single-threaded io_context per worker thread, each worker owning
// a fixed slice of the members and its own metric_set (no locks on the hot path). Returns the
// merged report when the scenario's length has passed.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "stoa/common/result.hpp"
#include "stoa/loadgen/driver/protocol_adapter.hpp"
#include "stoa/loadgen/driver/speech_sample.hpp"
#include "stoa/loadgen/report/load_report.hpp"
#include "stoa/loadgen/scenario/command_line.hpp"

namespace stoa::loadgen {

// What the live progress line shows, once a second.
struct live_progress {
    double elapsed_seconds = 0.0;
    double length_seconds = 0.0;
    std::uint64_t connected = 0;
    std::uint64_t target = 0;  // members this host plans to have in rooms right now
    double frames_per_second = 0.0;
    std::optional<double> latency_p50_ms;  // frame latency over the last second (worst worker for p99)
    std::optional<double> latency_p99_ms;
    std::uint64_t errors = 0;
    // The generator itself over the last second: the worst worker's loop lag p99 and the busiest
    // worker's CPU share; `generator_behind` when either is past the saturation limits.
    double loop_lag_p99_ms = 0.0;
    double busiest_worker = 0.0;
    bool generator_behind = false;
};

struct run_settings {
    std::uint32_t threads = 1;
    std::function<void(const live_progress&)> on_progress;  // called from the calling thread
    // Set from a signal handler to end the run early (the report covers what ran).
    const std::atomic<bool>* stop = nullptr;
};

// Problems before any member connects: the relay's address, the file-descriptor limit, source
// addresses. Errors during the run are measured, not returned.
[[nodiscard]] result<load_report, std::string> run_load(const load_options& options, protocol_adapter& adapter,
                                                        const speech_sample& speech, const run_settings& settings);

// Raises the soft RLIMIT_NOFILE to the hard limit; returns the limit now in force, or an error
// naming both numbers when it is still below `needed`.
[[nodiscard]] result<std::uint64_t, std::string> raise_fd_limit(std::uint64_t needed);

// Probe listeners (member_plan::probe): at least `min_per_room` per room, every decoding
// listener, and a seeded share of the rest; indexed by member, false for speakers.
inline constexpr std::uint32_t min_probes_per_room = 20;
[[nodiscard]] std::vector<bool> choose_probes(const scenario& plan, std::uint32_t min_per_room);

}  // namespace stoa::loadgen
