// Prometheus text rendering and the process's own CPU and memory figures.
#include "stoa/server/metrics.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <fstream>

#include "stoa/proto/errors.hpp"
#include "stoa/room/errors.hpp"

namespace stoa::server {

void latency_histogram::observe(std::chrono::nanoseconds latency) noexcept {
    const double seconds = std::chrono::duration<double>(latency).count();
    std::size_t bucket = 0;
    while (bucket < bounds.size() && seconds > bounds[bucket]) ++bucket;
    counts_[bucket].fetch_add(1, std::memory_order_relaxed);
    const auto nanos = latency.count() < 0 ? 0 : static_cast<std::uint64_t>(latency.count());
    sum_nanoseconds_.fetch_add(nanos, std::memory_order_relaxed);
}

latency_histogram::snapshot latency_histogram::read() const noexcept {
    snapshot out;
    for (std::size_t i = 0; i < counts_.size(); ++i) {
        out.counts[i] = counts_[i].load(std::memory_order_relaxed);
        out.count += out.counts[i];
    }
    out.sum_seconds = static_cast<double>(sum_nanoseconds_.load(std::memory_order_relaxed)) / 1e9;
    return out;
}

process_usage read_process_usage() {
    process_usage usage;
    rusage self{};
    if (getrusage(RUSAGE_SELF, &self) == 0) {
        const auto seconds = [](const timeval& t) {
            return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
        };
        usage.cpu_seconds = seconds(self.ru_utime) + seconds(self.ru_stime);
    }
    // statm's second field is the resident set in pages.
    std::ifstream statm("/proc/self/statm");
    std::uint64_t size_pages = 0;
    std::uint64_t resident_pages = 0;
    if (statm >> size_pages >> resident_pages) {
        const long page = sysconf(_SC_PAGESIZE);
        usage.resident_bytes = resident_pages * static_cast<std::uint64_t>(page > 0 ? page : 4096);
    }
    return usage;
}

namespace {

std::string format_value(double value) {
    if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
    if (std::isnan(value)) return "NaN";
    if (value == std::floor(value) && std::fabs(value) < 1e15) {
        return std::to_string(static_cast<long long>(value));
    }
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.9g", value);
    return buffer;
}

// Label values escape backslash, double quote and newline.
std::string escape_label(std::string_view value) {
    std::string out;
    for (const char c : value) {
        if (c == '\\' || c == '"') {
            out += '\\';
            out += c;
        } else if (c == '\n') {
            out += "\\n";
        } else {
            out += c;
        }
    }
    return out;
}

}  // namespace

void prometheus_text::header(std::string_view name, std::string_view type, std::string_view help) {
    text_.append("# HELP ").append(name).append(" ").append(help).append("\n");
    text_.append("# TYPE ").append(name).append(" ").append(type).append("\n");
}

void prometheus_text::sample(std::string_view name, const labels& with, double value) {
    text_.append(name);
    if (!with.empty()) {
        text_ += '{';
        bool first = true;
        for (const auto& [key, label] : with) {
            if (!first) text_ += ',';
            first = false;
            text_.append(key).append("=\"").append(escape_label(label)).append("\"");
        }
        text_ += '}';
    }
    text_.append(" ").append(format_value(value)).append("\n");
}

void prometheus_text::counter(std::string_view name, std::string_view help, std::uint64_t value) {
    counter(name, help, static_cast<double>(value));
}

void prometheus_text::counter(std::string_view name, std::string_view help, double value) {
    header(name, "counter", help);
    sample(name, {}, value);
}

void prometheus_text::gauge(std::string_view name, std::string_view help, double value) {
    header(name, "gauge", help);
    sample(name, {}, value);
}

void prometheus_text::family(std::string_view name, std::string_view type, std::string_view help,
                             const std::vector<std::pair<labels, double>>& samples) {
    header(name, type, help);
    for (const auto& [with, value] : samples) sample(name, with, value);
}

void prometheus_text::histogram(std::string_view name, std::string_view help,
                                const latency_histogram::snapshot& values) {
    header(name, "histogram", help);
    const std::string bucket = std::string(name) + "_bucket";
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < latency_histogram::bounds.size(); ++i) {
        cumulative += values.counts[i];
        sample(bucket, {{"le", format_value(latency_histogram::bounds[i])}}, static_cast<double>(cumulative));
    }
    sample(bucket, {{"le", "+Inf"}}, static_cast<double>(values.count));
    sample(std::string(name) + "_sum", {}, values.sum_seconds);
    sample(std::string(name) + "_count", {}, static_cast<double>(values.count));
}

void prometheus_text::histogram(std::string_view name, std::string_view help, const std::vector<double>& bounds,
                                const std::vector<std::uint64_t>& counts, double sum, std::uint64_t count) {
    header(name, "histogram", help);
    const std::string bucket = std::string(name) + "_bucket";
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < bounds.size() && i < counts.size(); ++i) {
        cumulative += counts[i];
        sample(bucket, {{"le", format_value(bounds[i])}}, static_cast<double>(cumulative));
    }
    sample(bucket, {{"le", "+Inf"}}, static_cast<double>(count));
    sample(std::string(name) + "_sum", {}, sum);
    sample(std::string(name) + "_count", {}, static_cast<double>(count));
}

std::string_view error_code_name(std::uint16_t code) {
    if (code >= 100 && code < 200) return proto::to_string(static_cast<proto::proto_error>(code));
    if (code >= 200 && code < 300) return room::to_string(static_cast<room::room_error>(code));
    if (code >= 500 && code < 600) return proto::to_string(static_cast<proto::relay_error>(code));
    return "unknown";
}

namespace {

void render_cluster(prometheus_text& out, const cluster_view& c) {
    const auto& s = c.stats;
    const auto number = [](auto v) { return static_cast<double>(v); };
    out.family("stoa_cluster_node", "gauge", "This relay's node name in its cluster (always 1)", {{{{"node", c.node}}, 1.0}});
    out.gauge("stoa_cluster_nats_connected", "1 while the NATS connection is up", c.nats.connected ? 1.0 : 0.0);
    out.counter("stoa_cluster_nats_disconnects_total", "NATS connection losses", c.nats.disconnects);
    out.counter("stoa_cluster_nats_reconnects_total", "NATS reconnections", c.nats.reconnects);
    out.counter("stoa_cluster_nats_publish_failures_total", "Publishes or subscriptions NATS refused", c.nats.publish_failures);
    out.counter("stoa_cluster_nats_inbox_dropped_total", "Room media dropped because the engine's bus inbox was full",
                c.nats.inbox_dropped);
    out.counter("stoa_cluster_nats_slow_consumer_total", "NATS slow-consumer errors (messages NATS dropped)",
                c.nats.slow_consumer_errors);
    out.counter("stoa_cluster_messages_published_total", "Bus messages published", s.messages_published);
    out.counter("stoa_cluster_messages_received_total", "Bus messages received", s.messages_received);
    out.counter("stoa_cluster_bytes_published_total", "Bus payload bytes published", s.bytes_published);
    out.counter("stoa_cluster_bytes_received_total", "Bus payload bytes received", s.bytes_received);
    out.counter("stoa_cluster_media_published_total", "Speaker frames published on a room's media subject (once per frame)",
                s.media_published);
    out.counter("stoa_cluster_media_received_total", "Speaker frames received from a room's media subject", s.media_received);
    out.counter("stoa_cluster_media_local_deliveries_total", "Frames from the bus handed to this node's members",
                s.media_local_deliveries);
    out.counter("stoa_cluster_forwards_to_home_total", "Members' messages sent on to their room's home node",
                s.forwards_to_home);
    out.counter("stoa_cluster_attaches_total", "Members who joined through this node a room homed elsewhere",
                s.attaches_sent);
    out.counter("stoa_cluster_remote_attaches_total", "Members of other nodes who joined a room homed here",
                s.attaches_received);
    out.counter("stoa_cluster_homes_lost_total", "Members told to reconnect because their room's home node went away",
                s.homes_lost);
    out.counter("stoa_cluster_peers_lost_total", "Nodes that went silent or restarted", s.peers_lost);
    out.counter("stoa_cluster_stale_messages_total", "Bus messages for a connection or incarnation that is gone",
                s.stale_messages);
    out.counter("stoa_cluster_conflicting_homes_total", "Rooms announced by two nodes", s.conflicting_homes);
    std::vector<std::pair<prometheus_text::labels, double>> bad;
    for (const auto& [error, count] : s.bad_messages) {
        bad.push_back({{{"reason", std::string(cluster::to_string(error))}}, number(count)});
    }
    out.family("stoa_cluster_bad_messages_total", "counter", "Bus messages that did not decode, by reason", bad);
    out.gauge("stoa_cluster_remote_rooms", "Rooms homed on other nodes", number(c.remote_rooms));
    out.gauge("stoa_cluster_forwarded_connections", "Members here in rooms homed on other nodes",
              number(c.forwarded_connections));
    out.gauge("stoa_cluster_remote_members", "Members on other nodes in rooms homed here", number(c.remote_members));
    std::vector<std::pair<prometheus_text::labels, double>> rtt;
    std::vector<std::pair<prometheus_text::labels, double>> peer_rooms;
    for (const auto& peer : c.peers) {
        peer_rooms.push_back({{{"peer", peer.name}}, number(peer.rooms)});
        if (peer.last_round_trip_us) rtt.push_back({{{"peer", peer.name}}, number(*peer.last_round_trip_us) / 1e6});
    }
    out.family("stoa_cluster_peer_rooms", "gauge", "Rooms each peer node is home to", peer_rooms);
    out.family("stoa_cluster_round_trip_seconds_last", "gauge", "The last ping round trip over NATS to each peer", rtt);
    const auto& h = s.round_trips;
    std::vector<double> bounds;
    for (const auto us : h.bounds_us) bounds.push_back(static_cast<double>(us) / 1e6);
    out.histogram("stoa_cluster_round_trip_seconds", "Ping round trips over NATS to peer nodes", bounds,
                  std::vector<std::uint64_t>(h.counts.begin(), h.counts.end()), static_cast<double>(h.sum_us) / 1e6,
                  h.samples);
    std::vector<std::pair<prometheus_text::labels, double>> published;
    std::vector<std::pair<prometheus_text::labels, double>> received;
    for (const auto& [room, traffic] : s.rooms) {
        published.push_back({{{"room", to_hex(room.value)}}, number(traffic.published)});
        received.push_back({{{"room", to_hex(room.value)}}, number(traffic.received)});
    }
    published.push_back({{{"room", "other"}}, number(s.other_rooms.published)});
    received.push_back({{{"room", "other"}}, number(s.other_rooms.received)});
    out.family("stoa_cluster_room_messages_published_total", "counter",
               "Bus messages published about each room (the first 1,000 rooms seen; the rest as other)", published);
    out.family("stoa_cluster_room_messages_received_total", "counter",
               "Bus messages received about each room (the first 1,000 rooms seen; the rest as other)", received);
}

}  // namespace

std::string render_metrics(const engine_view& engine, const server_metrics& server, const process_usage& process) {
    const auto load = [](const std::atomic<std::uint64_t>& v) { return v.load(std::memory_order_relaxed); };
    const relay::relay_stats& s = engine.stats;
    prometheus_text out;

    out.gauge("stoa_connections", "Open WebSocket connections known to the relay engine",
              static_cast<double>(engine.connections));
    out.counter("stoa_connections_opened_total", "WebSocket connections opened", s.connections_opened);
    out.counter("stoa_tcp_accepted_total", "TCP connections accepted (HTTP and WebSocket)", load(server.tcp_accepted));
    out.counter("stoa_http_requests_total", "HTTP requests served", load(server.http_requests));
    out.family("stoa_websocket_refused_total", "counter", "WebSocket upgrades refused, by reason",
               {{{{"reason", "full"}}, static_cast<double>(load(server.websocket_refused_full))},
                {{{"reason", "origin"}}, static_cast<double>(load(server.websocket_refused_origin))},
                {{{"reason", "per_address"}}, static_cast<double>(load(server.websocket_refused_per_address))}});
    out.gauge("stoa_rooms", "Live rooms", static_cast<double>(engine.rooms));
    out.counter("stoa_rooms_created_total", "Rooms created", s.rooms_created);
    out.family("stoa_members", "gauge", "Room members by role (held seats included)",
               {{{{"role", "host"}}, static_cast<double>(engine.roles.hosts)},
                {{{"role", "moderator"}}, static_cast<double>(engine.roles.moderators)},
                {{{"role", "speaker"}}, static_cast<double>(engine.roles.speakers)},
                {{{"role", "listener"}}, static_cast<double>(engine.roles.listeners)}});
    out.gauge("stoa_held_seats", "Members in their reconnect grace window", static_cast<double>(engine.roles.held_seats));
    out.counter("stoa_joins_total", "Joins admitted (reattachments excluded)", s.joins);
    out.counter("stoa_reattached_total", "Members who came back within their grace window", s.seats_reattached);
    out.counter("stoa_grace_expired_total", "Grace windows that ran out", s.seats_expired);
    out.counter("stoa_authenticated_total", "Connections that proved their key", s.authenticated);
    out.counter("stoa_auth_failures_total", "Authentication failures", s.auth_failures);
    out.counter("stoa_actions_applied_total", "Room actions applied", s.actions_applied);
    out.counter("stoa_bad_messages_total", "Messages that did not decode", s.bad_messages);

    out.counter("stoa_media_frames_in_total", "Media frames received", s.media_frames_in);
    out.counter("stoa_media_frames_out_total", "Media frame deliveries queued (one per recipient)", s.media_deliveries);
    out.family("stoa_media_frames_dropped_total", "counter", "Media frames dropped, by reason",
               {{{{"reason", "not_on_stage"}}, static_cast<double>(s.media_dropped_not_on_stage)},
                {{{"reason", "sender_mismatch"}}, static_cast<double>(s.media_dropped_sender_mismatch)},
                {{{"reason", "rate_limited"}}, static_cast<double>(s.media_dropped_rate_limited)},
                {{{"reason", "send_queue_full"}}, static_cast<double>(load(server.queue_media_dropped))}});
    out.counter("stoa_speaker_signatures_in_total", "Speaker signature messages received", s.speaker_signatures_in);
    out.family("stoa_speaker_signatures_dropped_total", "counter", "Speaker signatures dropped, by reason",
               {{{{"reason", "not_on_stage"}}, static_cast<double>(s.speaker_signatures_dropped_not_on_stage)},
                {{{"reason", "rate_limited"}}, static_cast<double>(s.speaker_signatures_dropped_rate_limited)}});
    out.counter("stoa_key_requests_forwarded_total", "Key requests passed to a room's host", s.key_requests_forwarded);
    out.counter("stoa_key_requests_dropped_total", "Key requests dropped (over the rate, or no host)",
                s.key_requests_dropped);
    out.counter("stoa_reactions_forwarded_total", "Sealed emoji reactions passed to a room", s.reactions_forwarded);
    out.family("stoa_reactions_dropped_total", "counter", "Emoji reactions dropped, by reason",
               {{{{"reason", "rate_limited"}}, static_cast<double>(s.reactions_dropped_rate_limited)},
                {{{"reason", "not_in_room"}}, static_cast<double>(s.reactions_dropped_not_in_room)}});
    out.counter("stoa_deltas_sent_total", "Roster deltas queued (one per recipient)", s.deltas_sent);
    out.counter("stoa_key_packages_delivered_total", "Key packages routed to their recipient", s.key_packages_delivered);
    out.counter("stoa_key_packages_unroutable_total", "Key packages for members no longer connected",
                s.key_packages_unroutable);
    out.counter("stoa_messages_in_total", "WebSocket messages read", load(server.messages_in));
    out.counter("stoa_bytes_in_total", "WebSocket payload bytes read", load(server.bytes_in));
    out.counter("stoa_messages_out_total", "WebSocket messages written", load(server.messages_out));
    out.counter("stoa_bytes_out_total", "WebSocket payload bytes written", load(server.bytes_out));

    out.gauge("stoa_send_queue_messages", "Messages waiting in every send queue", static_cast<double>(engine.queued_messages));
    out.gauge("stoa_send_queue_max_depth", "Messages waiting in the deepest send queue",
              static_cast<double>(engine.deepest_queue));
    out.counter("stoa_delivery_batches_total", "Batches of the engine's sends delivered, one I/O thread wakeup each",
                load(server.delivery_batches));
    out.gauge("stoa_io_uring_threads", "I/O threads whose batches are written through io_uring",
              static_cast<double>(engine.io_uring_threads));
    out.counter("stoa_io_uring_submissions_total", "io_uring submissions, each carrying a batch's writes",
                load(server.gathered_submissions));
    out.counter("stoa_slow_consumers_disconnected_total", "Connections cut off for not keeping up",
                load(server.slow_consumers_disconnected));
    out.counter("stoa_oversized_messages_total", "Connections closed for a message over the size limit",
                load(server.read_errors_too_large));
    out.histogram("stoa_join_latency_seconds", "From a join request read off the socket to its welcome written to the socket",
                  server.join_latency.read());

    std::vector<std::pair<prometheus_text::labels, double>> rejected;
    for (std::size_t code = 0; code < s.errors_sent.size(); ++code) {
        if (s.errors_sent[code] == 0) continue;
        const auto wire = static_cast<std::uint16_t>(code);
        rejected.push_back({{{"code", std::to_string(code)}, {"reason", std::string(error_code_name(wire))}},
                            static_cast<double>(s.errors_sent[code])});
    }
    out.family("stoa_rejected_total", "counter", "Error replies sent, by wire code", rejected);
    out.counter("stoa_rate_limited_total", "Requests refused by a rate limit", s.rate_limited);

    if (engine.cluster) render_cluster(out, *engine.cluster);

    out.counter("process_cpu_seconds_total", "User and system CPU time of the relay process", process.cpu_seconds);
    out.gauge("process_resident_memory_bytes", "Resident memory of the relay process",
              static_cast<double>(process.resident_bytes));
    return out.take();
}

}  // namespace stoa::server
