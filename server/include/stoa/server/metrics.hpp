// What /metrics reports, in the Prometheus text exposition format (version 0.0.4): counters the
// I/O threads update with relaxed atomics, the engine's own counters, and the process's CPU and memory.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "stoa/cluster/cluster_node.hpp"
#include "stoa/relay/relay_engine.hpp"
#include "stoa/relay/relay_stats.hpp"

namespace stoa::server {

// A fixed-bucket latency histogram that any thread may observe into.
class latency_histogram {
public:
    // Upper bounds in seconds; the +Inf bucket is implicit.
    static constexpr std::array<double, 12> bounds{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
                                                  0.01,   0.025,   0.05,   0.1,   0.25,   1.0};

    void observe(std::chrono::nanoseconds latency) noexcept;

    struct snapshot {
        std::array<std::uint64_t, bounds.size() + 1> counts{};  // per bucket, not cumulative; last is +Inf
        std::uint64_t count = 0;
        double sum_seconds = 0.0;
    };
    [[nodiscard]] snapshot read() const noexcept;

private:
    std::array<std::atomic<std::uint64_t>, bounds.size() + 1> counts_{};
    std::atomic<std::uint64_t> sum_nanoseconds_{0};
};

struct server_metrics {
    std::atomic<std::uint64_t> tcp_accepted{0};
    std::atomic<std::uint64_t> http_requests{0};
    std::atomic<std::uint64_t> websocket_sessions{0};
    std::atomic<std::uint64_t> websocket_refused_full{0};         // over max_connections
    std::atomic<std::uint64_t> websocket_refused_origin{0};       // a page of another origin
    std::atomic<std::uint64_t> websocket_refused_per_address{0};  // over max_connections_per_address
    std::atomic<std::uint64_t> messages_in{0};
    std::atomic<std::uint64_t> bytes_in{0};
    std::atomic<std::uint64_t> messages_out{0};  // written to sockets
    std::atomic<std::uint64_t> bytes_out{0};
    std::atomic<std::uint64_t> queue_media_dropped{0};  // oldest audio dropped from a full send queue
    std::atomic<std::uint64_t> slow_consumers_disconnected{0};
    std::atomic<std::uint64_t> gathered_submissions{0};
    std::atomic<std::uint64_t> delivery_batches{0};  // outboxes delivered (each one I/O thread's wakeup)  // io_uring_enter calls carrying a batch's writes
    std::atomic<std::uint64_t> read_errors_too_large{0};  // WebSocket messages over the size limit
    latency_histogram join_latency;  // join request read -> welcome queued
};

// This process's CPU time (user + system) and resident memory, for benchmarks that divide work by them.
struct process_usage {
    double cpu_seconds = 0.0;
    std::uint64_t resident_bytes = 0;
};
[[nodiscard]] process_usage read_process_usage();

// Everything read on the engine's thread for one scrape.
// A cluster node's view of the cluster and of its NATS connection.
struct cluster_view {
    std::string node;
    cluster::cluster_stats stats{};
    std::vector<cluster::peer_view> peers;
    std::size_t remote_rooms = 0;
    std::size_t forwarded_connections = 0;  // members here in rooms homed elsewhere
    std::size_t remote_members = 0;         // members elsewhere in rooms homed here
    struct nats_figures {
        bool connected = false;
        std::uint64_t disconnects = 0;
        std::uint64_t reconnects = 0;
        std::uint64_t publish_failures = 0;
        std::uint64_t inbox_dropped = 0;
        std::uint64_t slow_consumer_errors = 0;
    } nats;
};

struct engine_view {
    relay::relay_stats stats{};
    relay::role_counts roles{};
    std::size_t rooms = 0;
    std::size_t connections = 0;
    std::size_t queued_messages = 0;    // over every connection's send queue
    std::size_t deepest_queue = 0;      // the longest single send queue
    std::size_t io_uring_threads = 0;   // I/O threads writing through io_uring
    std::optional<cluster_view> cluster{};  // set on a cluster node
};

// Writes metric families with their HELP and TYPE lines.
class prometheus_text {
public:
    using labels = std::vector<std::pair<std::string_view, std::string>>;

    void counter(std::string_view name, std::string_view help, std::uint64_t value);
    void counter(std::string_view name, std::string_view help, double value);
    void gauge(std::string_view name, std::string_view help, double value);
    // One family with a sample per label set.
    void family(std::string_view name, std::string_view type, std::string_view help,
                const std::vector<std::pair<labels, double>>& samples);
    void histogram(std::string_view name, std::string_view help, const latency_histogram::snapshot& values);
    // Any fixed-bucket histogram: `counts` per bucket (not cumulative), one more than `bounds`.
    void histogram(std::string_view name, std::string_view help, const std::vector<double>& bounds,
                   const std::vector<std::uint64_t>& counts, double sum, std::uint64_t count);

    [[nodiscard]] std::string take() { return std::move(text_); }

private:
    void header(std::string_view name, std::string_view type, std::string_view help);
    void sample(std::string_view name, const labels& with, double value);

    std::string text_;
};

[[nodiscard]] std::string render_metrics(const engine_view& engine, const server_metrics& server,
                                         const process_usage& process);

// The name of a wire error code (proto, room or relay range), for the rejected-by-reason labels.
[[nodiscard]] std::string_view error_code_name(std::uint16_t code);

}  // namespace stoa::server
