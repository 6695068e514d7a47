// The blind relay as a sans-I/O engine: connections' messages in, sends and closes out through a
// relay_sink. It authenticates identities, runs each room's authority, fans deltas out per
// stream and forwards media and key messages by routing header only. It never holds a media key.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "stoa/common/ids.hpp"
#include "stoa/common/random.hpp"
#include "stoa/common/time.hpp"
#include "stoa/proto/control_messages.hpp"
#include "stoa/proto/errors.hpp"
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

    relay_engine(const relay_engine&) = delete;
    relay_engine& operator=(const relay_engine&) = delete;

    // `peer_address` (an IP address as text, or empty when unknown) keys the per-address limits.
    void on_open(connection_id connection, time_point now, std::string_view peer_address = {});
    void on_text(connection_id connection, std::string_view text, time_point now);
    // `message` is the received buffer; media is forwarded as this very buffer, never copied.
    void on_binary(connection_id connection, const shared_message& message, time_point now);
    // The transport is gone. The member leaves its room (reason: disconnected).
    void on_close(connection_id connection, time_point now);
    // Rate-limited room announcements, handshake timeouts and expired reconnect grace windows.
    void tick(time_point now);
    // The relay is going down: every connection gets `shutdown` (come back after the delay) and
    // is closed with going_away; later creates and joins are refused with server_shutting_down.
    void shutdown(std::uint32_t reconnect_after_ms, time_point now);

    [[nodiscard]] const relay_stats& stats() const noexcept { return stats_; }
    [[nodiscard]] std::size_t connection_count() const noexcept { return connections_.size(); }
    [[nodiscard]] std::size_t room_count() const noexcept { return rooms_.size(); }
    [[nodiscard]] const room::room_authority* find_room(const room_id& id) const;
    [[nodiscard]] bool shutting_down() const noexcept { return shutting_down_; }
    // Walks every room's stage (O(rooms + stage members)): for a metrics scrape, not a hot path.
    [[nodiscard]] role_counts members_by_role() const;

private:
    enum class phase : std::uint8_t { awaiting_hello, awaiting_auth, ready };

    struct connection_state {
        phase stage = phase::awaiting_hello;
        proto::auth_challenge challenge{};
        public_key key{};
        member_id member{};
        std::optional<room_id> room{};
        sender_index index{};
        time_point opened_at{};
        std::string address{};
        token_bucket control{};
        token_bucket media{};
        token_bucket directory{};
    };

    // Connections of one room's members, split by the delta stream each follows. Removal is
    // O(1) by swapping with the last element.
    struct follower_list {
        std::vector<connection_id> members;
        std::unordered_map<connection_id, std::size_t, strong_hash> position;
        void add(connection_id c);
        void remove(connection_id c);
        [[nodiscard]] bool contains(connection_id c) const { return position.contains(c); }
    };

    struct room_state {
        explicit room_state(room::room_config config, room::authority_options options)
            : authority(std::move(config), options) {}
        room::room_authority authority;
        std::optional<std::string> title;  // open rooms only: shown in the directory
        public_key creator{};              // joins first, so nobody else can take the host seat
        time_point created_at{};
        bool creator_joined = false;
        std::unordered_map<member_id, connection_id, strong_hash> connection_of_member;
        std::unordered_map<std::uint32_t, connection_id> connection_of_index;
        follower_list stage_followers;
        follower_list full_followers;
        // Members whose transport was lost, with the end of their grace window.
        std::unordered_map<member_id, time_point, strong_hash> held;
        [[nodiscard]] bool vacant() const noexcept { return connection_of_member.empty() && held.empty(); }
    };

    void handle_client_message(connection_id c, connection_state& state, proto::client_message message, time_point now);
    void handle_hello(connection_id c, connection_state& state, const proto::hello& hello,
                      std::optional<std::uint32_t> request_id);
    void handle_auth(connection_id c, connection_state& state, const proto::auth& auth,
                     std::optional<std::uint32_t> request_id);
    void handle_create(connection_id c, connection_state& state, const proto::create_room& create,
                       std::optional<std::uint32_t> request_id);
    void handle_join(connection_id c, connection_state& state, const proto::join_room& join,
                     std::optional<std::uint32_t> request_id, time_point now);
    void handle_action(connection_id c, connection_state& state, const room::any_action& action,
                       std::optional<std::uint32_t> request_id, time_point now);
    void handle_audience_page(connection_id c, connection_state& state, const room::audience_page_request& request,
                              std::optional<std::uint32_t> request_id);
    void handle_resync(connection_id c, connection_state& state, room::stream on,
                       std::optional<std::uint32_t> request_id);
    void handle_directory(connection_id c, connection_state& state, const proto::directory_query& query,
                          std::optional<std::uint32_t> request_id, time_point now);

    // Sends every delta once per stream, delivers notices, then updates who follows what.
    void dispatch(const room_id& id, room_state& room, const room::outcome& out);
    void deliver_notice(const room_id& id, room_state& room, const room::addressed_notice& notice);
    // Unlinks `c` from the room. Unless the seat is being held, the identity's membership ends too.
    void detach_member(room_state& room, const member_id& member, sender_index index, connection_id c,
                       bool seat_held = false);
    void attach_member(room_state& room, connection_id c, connection_state& state, const room_id& id);
    // The transport is gone: hold the seat for the grace window, or leave as disconnected.
    void transport_lost(connection_id c, connection_state& state, time_point now);
    void expire_held_seats(const room_id& id, room_state& room, time_point now);
    void forget_held(room_state& room, const member_id& member);
    void release_membership(const member_id& member);
    // Takes a token from the identity's and the address's join buckets; false when either is empty.
    [[nodiscard]] bool may_join(const connection_state& state, time_point now);
    void prune_buckets(time_point now);
    // Detaches everyone from an ended room; the room itself is erased at the end of the entry point.
    void close_room(const room_id& id, room_state& room);
    // Erases rooms marked for removal; runs last in every entry point, when no room_state& is held.
    void erase_finished_rooms();
    void leave_room(connection_id c, connection_state& state, const room::any_action& how, time_point now);

    void forward_to_room(const room_state& room, connection_id except, const shared_message& message);
    void send_server_message(connection_id to, const proto::server_message& message);
    void send_error(connection_id to, std::uint16_t code, std::string_view name, std::string message,
                    std::optional<std::uint32_t> request_id);
    void send_error(connection_id to, proto::relay_error code, std::string message,
                    std::optional<std::uint32_t> request_id);
    void send_error(connection_id to, room::room_error code, std::string message,
                    std::optional<std::uint32_t> request_id);
    void reject(connection_id to, proto::relay_error code, std::string message, close_code close);

    [[nodiscard]] room_state* room_of(const connection_state& state);
    [[nodiscard]] bool may_send_media(const room_state& room, const connection_state& state) const;
    [[nodiscard]] bool is_distributor(const room_state& room, const connection_state& state) const;

    relay_config config_;
    random_source& random_;
    relay_sink& sink_;
    relay_stats stats_{};
    // The time of the entry point being handled; the engine never reads a clock.
    time_point now_{};
    // The join whose handling is producing notices, so the joiner's welcome can echo its id.
    std::optional<std::uint32_t> pending_request_{};
    member_id pending_requester_{};
    std::vector<room_id> finished_rooms_;
    std::unordered_map<connection_id, connection_state, strong_hash> connections_;
    std::unordered_map<room_id, room_state, strong_hash> rooms_;
    std::unordered_map<public_key, std::uint32_t, strong_hash> rooms_created_by_key_;
    // Rooms each identity is in (connected or held), for max_concurrent_rooms_per_identity.
    std::unordered_map<member_id, std::uint32_t, strong_hash> rooms_joined_by_member_;
    std::unordered_map<member_id, token_bucket, strong_hash> join_buckets_by_member_;
    std::unordered_map<std::string, token_bucket> join_buckets_by_address_;
    std::unordered_map<std::string, token_bucket> directory_buckets_by_address_;
    time_point buckets_pruned_at_{};
    bool shutting_down_ = false;
};

}  // namespace stoa::relay
