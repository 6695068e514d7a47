// What the parts of one stoa-load run share (internal to the driver): the clock, the metric ids
// looked up once, and what every worker reads and nothing writes while the run goes on.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <utility>  // before Boost 1.74's asio, whose awaitable.hpp uses std::exchange unincluded
#include <vector>

#include <boost/asio/ip/tcp.hpp>

#include "stoa/common/time.hpp"
#include "stoa/loadgen/driver/protocol_adapter.hpp"
#include "stoa/loadgen/driver/room_registry.hpp"
#include "stoa/loadgen/driver/speech_sample.hpp"
#include "stoa/loadgen/driver/tls_client.hpp"
#include "stoa/loadgen/metrics/metric_catalog.hpp"
#include "stoa/loadgen/report/run_metrics.hpp"
#include "stoa/loadgen/scenario/scenario.hpp"
#include "stoa/loadgen/scenario/shard.hpp"

namespace stoa::loadgen::detail {

inline constexpr std::chrono::milliseconds connect_timeout{10'000};
inline constexpr std::int64_t frame_micros = 20'000;

// STOA_LOAD_DEBUG=1: every member's errors on stderr, as they happen.
[[nodiscard]] inline bool debug_enabled() {
    static const bool enabled = std::getenv("STOA_LOAD_DEBUG") != nullptr;
    return enabled;
}

[[nodiscard]] inline time_point clock_now() {
    return from_micros(std::chrono::duration_cast<std::chrono::microseconds>(
                           std::chrono::steady_clock::now().time_since_epoch())
                           .count());
}

[[nodiscard]] inline std::chrono::steady_clock::time_point to_steady(time_point t) {
    return std::chrono::steady_clock::time_point(std::chrono::microseconds(to_micros(t)));
}

[[nodiscard]] inline std::string room_title(const scenario& plan, room_index room) {
    return "stoa-load " + std::to_string(plan.seed) + "/" + std::to_string(room.value);
}

// Ids of every metric, looked up once.
struct metric_ids {
    metrics::histogram_id connect, join, first_key, first_audio, frame_latency, rekey, playout_gap, reconnect,
        loop_lag, tls_handshake, audio_resumed;
    metrics::counter_id connects, connect_failures, joins, joins_refused, leaves, disconnects, reconnects,
        reconnect_attempts, removals, frames_sent, frames_expected, frames_received, frames_lost, frames_late,
        frames_opaque, decrypt_failures, decrypt_no_key, auth_forged, auth_unverified, rekeys, playout_frames,
        errors, errors_other, generator_cpu_us, generator_max_rss, generator_members, members_probe, members_bulk,
        frames_received_probe, frames_expected_probe, frames_lost_probe, members_never_joined, members_join_pending,
        connect_refused, signatures_verified, signatures_shared, generator_workers, generator_worker_seconds,
        generator_busy_seconds, generator_saturated_workers, tls_handshakes, tls_resumed, rejoins, rooms_recreated,
        joins_retried, members_never_back, members_back_pending, members_audio_not_resumed;

    static metric_ids from(const metrics::metric_catalog& catalog) {
        namespace names = run_metrics;
        const auto h = [&](std::string_view name) { return *catalog.find_histogram(name); };
        const auto c = [&](std::string_view name) { return *catalog.find_counter(name); };
        metric_ids ids{};
        ids.connect = h(names::connect);
        ids.join = h(names::join);
        ids.first_key = h(names::first_key);
        ids.first_audio = h(names::first_audio);
        ids.frame_latency = h(names::frame_latency);
        ids.rekey = h(names::rekey);
        ids.playout_gap = h(names::playout_gap);
        ids.reconnect = h(names::reconnect);
        ids.loop_lag = h(names::generator_loop_lag);
        ids.tls_handshake = h(names::tls_handshake);
        ids.audio_resumed = h(names::audio_resumed);
        ids.rejoins = c(names::rejoins);
        ids.rooms_recreated = c(names::rooms_recreated);
        ids.joins_retried = c(names::joins_retried);
        ids.members_never_back = c(names::members_never_back);
        ids.members_back_pending = c(names::members_back_pending);
        ids.members_audio_not_resumed = c(names::members_audio_not_resumed);
        ids.tls_handshakes = c(names::tls_handshakes);
        ids.tls_resumed = c(names::tls_resumed);
        ids.connects = c(names::connects);
        ids.connect_failures = c(names::connect_failures);
        ids.joins = c(names::joins);
        ids.joins_refused = c(names::joins_refused);
        ids.leaves = c(names::leaves);
        ids.disconnects = c(names::disconnects);
        ids.reconnects = c(names::reconnects);
        ids.reconnect_attempts = c(names::reconnect_attempts);
        ids.removals = c(names::removals);
        ids.frames_sent = c(names::frames_sent);
        ids.frames_expected = c(names::frames_expected);
        ids.frames_received = c(names::frames_received);
        ids.frames_lost = c(names::frames_lost);
        ids.frames_late = c(names::frames_late);
        ids.frames_opaque = c(names::frames_opaque);
        ids.decrypt_failures = c(names::decrypt_failures);
        ids.decrypt_no_key = c(names::decrypt_no_key);
        ids.auth_forged = c(names::auth_forged);
        ids.auth_unverified = c(names::auth_unverified);
        ids.rekeys = c(names::rekeys);
        ids.playout_frames = c(names::playout_frames);
        ids.errors = c(names::errors);
        ids.errors_other = c(names::errors_other);
        ids.generator_cpu_us = c(names::generator_cpu_us);
        ids.generator_max_rss = c(names::generator_max_rss);
        ids.generator_members = c(names::generator_members);
        ids.members_probe = c(names::members_probe);
        ids.members_bulk = c(names::members_bulk);
        ids.frames_received_probe = c(names::frames_received_probe);
        ids.frames_expected_probe = c(names::frames_expected_probe);
        ids.frames_lost_probe = c(names::frames_lost_probe);
        ids.members_never_joined = c(names::members_never_joined);
        ids.members_join_pending = c(names::members_join_pending);
        ids.connect_refused = c(names::connect_refused);
        ids.signatures_verified = c(names::auth_signatures_verified);
        ids.signatures_shared = c(names::auth_signatures_shared);
        ids.generator_workers = c(names::generator_workers);
        ids.generator_worker_seconds = c(names::generator_worker_seconds);
        ids.generator_busy_seconds = c(names::generator_busy_seconds);
        ids.generator_saturated_workers = c(names::generator_saturated_workers);
        return ids;
    }
};

// What every worker reads and nothing writes during the run.
struct shared_run {
    const scenario* plan = nullptr;
    shard part;
    std::uint32_t workers = 1;
    protocol_adapter* adapter = nullptr;
    const speech_sample* speech = nullptr;
    room_registry* rooms = nullptr;
    // The relays, in the scenario's order (url, then more_urls): member i starts on relay
    // i mod count and moves to the next after each lost connection.
    std::vector<boost::asio::ip::tcp::endpoint> servers;
    std::vector<std::string> host_headers;
    std::string path;
    std::vector<boost::asio::ip::address> sources;  // empty: let the kernel choose
    std::shared_ptr<tls_client_context> tls;        // wss://
    std::string server_name;                        // the URL's host, for SNI and the certificate
    std::vector<bool> probes;                       // by member index: probe or bulk
    std::uint32_t bulk_every_ticks = 5;             // bulk listeners are drained every this many 20 ms ticks
    duration stall_per_tick{};                      // diagnostic: busy-wait per tick
    time_point start;
    time_point end;
    const metrics::metric_catalog* catalog = nullptr;
    metric_ids ids;
};

}  // namespace stoa::loadgen::detail
