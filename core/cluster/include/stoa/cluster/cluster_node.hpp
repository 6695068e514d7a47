// One relay node of a cluster, sans-I/O: a relay engine plus what links it to the other nodes
// over a message bus. A room lives on one node, its home, which runs its authority. A member who
// connects through another node (an edge) is authenticated there and then forwarded: its messages
// go to the home, and the home's answers come back through the edge. Speaker frames cross the
// bus once per node: the home publishes each frame once on the room's media subject, and every
// node with members of the room fans it out locally. Every node says every 500 ms that it is alive
// and which rooms it is home to; a node silent for `node_timeout` is gone, and its rooms with it.
//
// The transport calls the entry points here instead of the engine's, and hands every message the
// bus brings to on_bus_message. Nothing on the bus is a key: media stays ciphertext, as on sockets.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "stoa/cluster/cluster_stats.hpp"
#include "stoa/cluster/cluster_wire.hpp"
#include "stoa/cluster/message_bus.hpp"
#include "stoa/common/random.hpp"
#include "stoa/common/time.hpp"
#include "stoa/relay/cluster_hooks.hpp"
#include "stoa/relay/relay_engine.hpp"
#include "stoa/relay/relay_sink.hpp"

namespace stoa::cluster {

struct cluster_config {
    std::string node_name;          // unique in the cluster; valid_node_name()
    std::uint64_t incarnation = 0;  // random per process start
    std::string subject_prefix = "stoa";
    duration status_interval = std::chrono::milliseconds(500);
    // A node not heard from for this long is gone: its rooms are forgotten, members it forwarded
    // here lose their transport (their seats are held), members here in its rooms are told to
    // reconnect. Four status intervals, so one or two lost statuses are not a death; short,
    // because members of a dead home hear nothing until it is declared dead.
    duration node_timeout = std::chrono::seconds(2);
    duration ping_interval = std::chrono::seconds(2);
    // Members told to reconnect because their room's home went away come back spread over this.
    std::uint32_t home_lost_reconnect_spread_ms = 1000;
    std::size_t max_remote_rooms = 100'000;  // announced rooms kept; more are ignored and counted
    std::size_t max_rooms_in_stats = 1'000;  // per-room traffic kept for /metrics; the rest summed
};

// The peers this node hears from, for /metrics.
struct peer_view {
    std::string name;
    std::uint64_t incarnation = 0;
    std::uint32_t rooms = 0;
    std::optional<std::uint64_t> last_round_trip_us;
};

class cluster_node final : public relay::relay_sink, public relay::cluster_hooks {
public:
    // `local` is the transport: sends and closes for this node's own connections.
    cluster_node(cluster_config config, relay::relay_config relay_config, random_source& random,
                 relay::relay_sink& local, message_bus& bus);
    ~cluster_node() override;
    cluster_node(const cluster_node&) = delete;
    cluster_node& operator=(const cluster_node&) = delete;

    // Subscribes to this node's subjects and announces it.
    void start(time_point now);

    // The engine's entry points, for this node's own connections.
    void on_open(relay::connection_id connection, time_point now, std::string_view peer_address = {});
    void on_text(relay::connection_id connection, std::string_view text, time_point now);
    void on_binary(relay::connection_id connection, const relay::shared_message& message, time_point now);
    void on_close(relay::connection_id connection, time_point now);
    void tick(time_point now);
    void shutdown(std::uint32_t reconnect_after_ms, time_point now);

    // A message from the bus, on `subject`.
    void on_bus_message(std::string_view subject, byte_view payload, time_point now);

    [[nodiscard]] relay::relay_engine& engine() noexcept { return engine_; }
    [[nodiscard]] const relay::relay_engine& engine() const noexcept { return engine_; }
    [[nodiscard]] const cluster_stats& stats() const noexcept { return stats_; }
    [[nodiscard]] const cluster_config& config() const noexcept { return config_; }
    [[nodiscard]] std::vector<peer_view> peers() const;
    // Rooms other nodes are home to, as this node knows them.
    [[nodiscard]] std::size_t remote_room_count() const noexcept { return remote_rooms_.size(); }
    // This node's connections whose room lives on another node.
    [[nodiscard]] std::size_t forwarded_connection_count() const noexcept { return forwarded_.size(); }
    // Members on other nodes in rooms homed here.
    [[nodiscard]] std::size_t remote_member_count() const noexcept { return remote_members_.size(); }
    // The node a room lives on: this node's name, another's, or none known.
    [[nodiscard]] std::optional<std::string> home_of(const room_id& room) const;

    // Subjects, for the transport and the docs.
    [[nodiscard]] std::string node_subject(std::string_view node) const;
    [[nodiscard]] std::string status_subject() const;
    [[nodiscard]] std::string media_subject(const room_id& room) const;

    // relay_sink: the engine's sends and closes, to local connections or through the bus.
    void send(relay::connection_id to, const relay::shared_message& message) override;
    void close(relay::connection_id who, relay::close_code code, std::string_view reason) override;

    // cluster_hooks
    [[nodiscard]] bool room_lives_elsewhere(const room_id& room) const override;
    [[nodiscard]] bool take_join(relay::connection_id connection, const public_key& key, const proto::join_room& join,
                                 std::optional<std::uint32_t> request_id) override;
    [[nodiscard]] std::vector<proto::directory_entry> remote_directory() const override;

private:
    struct peer_state;
    struct remote_room;
    struct forwarded_connection;
    struct remote_member;
    struct pending_to_node;
    class connection_set;

    void enter(time_point now) { now_ = now; }
    // Ends every entry point: publishes what the engine queued for other nodes, then lets the
    // engine forget the remote members it closed.
    void flush();
    void publish(const std::string& subject, const wire_message& message, const room_id* about = nullptr);
    void announce_rooms();
    void ping_peers();
    void expire_peers();
    void note_peer(const node_ref& from);
    // A peer died or restarted: forget its rooms, its members here, and cut off ours in its rooms.
    void forget_peer(const std::string& name, const peer_state& gone);
    void unbind(relay::connection_id connection);
    void count_room(const room_id& room, bool published);
    [[nodiscard]] relay::connection_id remote_member_id();

    void handle(const wire_message& message);
    void handle_attach(const node_ref& from, const attach& m);
    void handle_forward(const node_ref& from, const forward& m);
    void handle_detach(const node_ref& from, const detach& m);
    void handle_deliver(const node_ref& from, const deliver& m);
    void handle_close(const node_ref& from, const close_connection& m);
    void handle_media(const node_ref& from, const room_media& m);
    void handle_status(const node_ref& from, const node_status& m);
    void handle_room_gone(const node_ref& from, const room_gone& m);

    cluster_config config_;
    relay::relay_sink& local_;
    message_bus& bus_;
    random_source& random_;
    cluster_stats stats_{};
    time_point now_{};
    time_point next_status_{};
    time_point next_ping_{};
    bool started_ = false;
    std::size_t announced_room_count_ = 0;
    std::vector<room_id> announced_rooms_;

    std::unordered_map<std::string, peer_state> peers_;
    std::unordered_map<room_id, remote_room, strong_hash> remote_rooms_;

    // Edge side: this node's connections whose room lives elsewhere, and who is in which room.
    std::unordered_map<relay::connection_id, forwarded_connection, strong_hash> forwarded_;
    std::unordered_map<room_id, std::unique_ptr<connection_set>, strong_hash> forwarded_by_room_;
    std::unordered_map<relay::connection_id, std::string, strong_hash> addresses_;

    // Home side: members on other nodes, each a connection of the engine's.
    std::unordered_map<relay::connection_id, remote_member, strong_hash> remote_members_;
    std::unordered_map<std::string, relay::connection_id> remote_member_of_;  // "node/incarnation/connection"
    std::uint64_t next_remote_member_ = 0;
    std::vector<relay::connection_id> closed_remote_members_;
    // The remote member whose frame the engine is handling: its own node leaves it out of the fan-out.
    struct speaker_origin {
        room_id room{};
        std::string node;
        std::uint64_t connection = 0;
    };
    std::optional<speaker_origin> speaking_;
    std::unordered_map<std::string, std::vector<pending_to_node>> pending_;  // by node, in order
    std::vector<std::pair<room_id, relay::shared_message>> pending_media_;
    std::unordered_map<std::uint64_t, std::pair<std::string, time_point>> pings_in_flight_;

    // Last: it sends through this object from its first entry point.
    relay::relay_engine engine_;
};

}  // namespace stoa::cluster
