// The blind relay as a sans-I/O engine: connections' messages in, sends and closes out through a
// relay_sink. It authenticates identities, runs each room's authority, fans deltas out per
// stream and forwards media and key messages by routing header only. It never holds a media key.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "stoa/common/ids.hpp"
#include "stoa/common/random.hpp"
#include "stoa/common/time.hpp"
#include "stoa/relay/cluster_hooks.hpp"
#include "stoa/relay/relay_sink.hpp"
#include "stoa/relay/relay_stats.hpp"
#include "stoa/relay/token_bucket.hpp"
#include "stoa/relay/wire_message.hpp"
#include "stoa/room/authority.hpp"

namespace stoa::relay {

struct relay_config {
    // Bound into every auth signature, so a signature made for one relay is useless at another.
    std::string auth_context = "stoa relay";
    std::uint32_t max_rooms = 10'000;
    std::uint32_t max_rooms_per_identity = 8;  // rooms one key created that still exist
    // Rooms one identity is in at once (each on its own connection), held seats included.
    std::uint32_t max_concurrent_rooms_per_identity = 4;
    room::room_limits room_limits{};
    room::authority_options authority{};
    duration handshake_timeout = std::chrono::seconds(10);
    // A created room that its creator never joins is removed after this long.
    duration unjoined_room_timeout = std::chrono::seconds(60);
    // A member whose transport is lost keeps its seat (role, hand) this long; zero disables it.
    duration reconnect_grace = std::chrono::seconds(10);

    // Anti-scraping and anti-flooding. Joins and room creations share the join buckets.
    rate_limit joins_per_identity{10.0, 0.5};
    rate_limit joins_per_address{30.0, 2.0};
    rate_limit directory_per_connection{10.0, 1.0};
    rate_limit directory_per_address{30.0, 3.0};
    // Every control message; over it, the request is answered with rate_limited and dropped.
    rate_limit control_per_connection{200.0, 100.0};
    // Media frames from one connection (a speaker sends 50 a second); over it, dropped and counted.
    rate_limit media_per_connection{150.0, 100.0};
    // Speaker signatures from one connection; over it, dropped and counted. They travel as control
    // (never dropped by a send queue), so this caps what one member can put in every queue of its
    // room. A speaker signs one batch per 10 frames (5 a second) plus an early flush at each mute,
    // step-down or key change; 20 a second with a burst of 20 is four times that, room for a
    // backlog that a stalled uplink delivers at once.
    rate_limit speaker_signatures_per_connection{20.0, 20.0};
    // Signatures are forwarded only from a member allowed to send media (on stage, unmuted), or for
    // this long after the relay last saw it allowed, so the batch holding its last frames still
    // reaches listeners. That batch is signed at most 200 ms after its first frame (at once when
    // the speaker mutes or steps down), which leaves 800 ms for a slow uplink; and a listener gives
    // up waiting for a frame's signature 1 s after the frame, so a later one would be of no use.
    duration speaker_signature_tail = std::chrono::seconds(1);
    // Key requests (a member missed an announcement and asks the host to reseal the epoch): one
    // is enough per gap, so a small bucket; over it, dropped and counted.
    rate_limit key_requests_per_connection{4.0, 1.0};
    // Emoji reactions (any member, forwarded to the whole room as droppable traffic): a member
    // may tap a few at once, then one a second; the room as a whole is held to what a room of any
    // size can show and fan out (a 10,000-member room must not multiply every listener's taps by
    // 10,000). Over either, dropped and counted, with no reply.
    rate_limit reactions_per_connection{3.0, 1.0};
    rate_limit reactions_per_room{20.0, 10.0};
};

// Members of every room by role, for /metrics.
struct role_counts {
    std::uint64_t hosts = 0;
    std::uint64_t moderators = 0;
    std::uint64_t speakers = 0;
    std::uint64_t listeners = 0;
    std::uint64_t held_seats = 0;  // members in their reconnect grace window (counted above too)
};

class relay_engine {
public:
    relay_engine(relay_config config, random_source& random, relay_sink& sink);

    ~relay_engine();
    relay_engine(const relay_engine&) = delete;
    relay_engine& operator=(const relay_engine&) = delete;

    // `peer_address` (an IP address as text, or empty when unknown) keys the per-address limits.
    void on_open(connection_id connection, time_point now, std::string_view peer_address = {});
    void on_text(connection_id connection, std::string_view text, time_point now);
    // `message` is the received buffer; media is forwarded as this very buffer, never copied.
    void on_binary(connection_id connection, const shared_message& message, time_point now);
    // A connection whose key another node of the cluster authenticated (it forwards the member's
    // messages here, to the room's home): it starts past the handshake.
    void on_open_vouched(connection_id connection, const public_key& key, time_point now,
                         std::string_view peer_address = {});
    // The transport is gone. The member leaves its room (reason: disconnected).
    void on_close(connection_id connection, time_point now);
    // Rate-limited room announcements, handshake timeouts and expired reconnect grace windows.
    void tick(time_point now);
    // The relay is going down: every connection gets `shutdown` (come back after the delay) and
    // is closed with going_away; later creates and joins are refused with server_shutting_down.
    void shutdown(std::uint32_t reconnect_after_ms, time_point now);

    // Joins for rooms it does not hold, creates and directory reads consult the cluster; null
    // (the default) is the single-node relay. Not owned; must outlive the engine.
    void set_cluster_hooks(cluster_hooks* hooks) noexcept;

    [[nodiscard]] const relay_stats& stats() const noexcept;
    [[nodiscard]] std::size_t connection_count() const noexcept;
    [[nodiscard]] std::size_t room_count() const noexcept;
    [[nodiscard]] const room::room_authority* find_room(const room_id& id) const;
    [[nodiscard]] bool shutting_down() const noexcept;
    // Every live room this engine is home to, for the cluster's announcements. O(rooms).
    [[nodiscard]] std::vector<room_summary> room_summaries() const;
    // Walks every room's stage (O(rooms + stage members)): for a metrics scrape, not a hot path.
    [[nodiscard]] role_counts members_by_role() const;

private:
    // The handlers and the parts they use (src/): the public header stays the API alone.
    class impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace stoa::relay
