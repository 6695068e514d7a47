// The cluster node: routing between this node's connections, its engine and the other nodes.
#include "stoa/cluster/cluster_node.hpp"

#include <algorithm>
#include <utility>

#include "stoa/common/overloaded.hpp"
#include "stoa/proto/binary.hpp"
#include "stoa/proto/control_codec.hpp"

namespace stoa::cluster {

namespace {

// Connections a remote member is known by at its home: never below this, so never one of the
// transport's own ids (which count up from 1).
constexpr std::uint64_t remote_member_base = std::uint64_t{1} << 63;

std::string member_key(const node_ref& node, std::uint64_t connection) {
    return node.name + '/' + std::to_string(node.incarnation) + '/' + std::to_string(connection);
}

}  // namespace

struct cluster_node::peer_state {
    std::uint64_t incarnation = 0;
    time_point last_seen{};
    std::optional<std::uint64_t> round_trip_us;
};

struct cluster_node::remote_room {
    node_ref home;
    bool open = false;
    std::uint32_t listeners = 0;
    std::string title;
    time_point seen{};
};

struct cluster_node::forwarded_connection {
    room_id room{};
    node_ref home;
};

struct cluster_node::remote_member {
    node_ref node;
    std::uint64_t connection = 0;  // the edge's id for it
    room_id room{};
};

struct cluster_node::pending_to_node {
    bool is_close = false;
    relay::shared_message message;          // deliver
    std::vector<std::uint64_t> connections;  // deliver: the edge's ids; close: one
    std::uint16_t code = 0;                  // close
    std::string reason;                      // close
};

// Connections with O(1) insert, erase and iteration (the fan-out of every frame walks it).
class cluster_node::connection_set {
public:
    void insert(relay::connection_id c) {
        if (position_.contains(c)) return;
        position_.emplace(c, items_.size());
        items_.push_back(c);
    }
    void erase(relay::connection_id c) {
        const auto found = position_.find(c);
        if (found == position_.end()) return;
        const std::size_t at = found->second;
        position_.erase(found);
        if (at + 1 != items_.size()) {
            items_[at] = items_.back();
            position_[items_[at]] = at;
        }
        items_.pop_back();
    }
    [[nodiscard]] bool empty() const noexcept { return items_.empty(); }
    [[nodiscard]] const std::vector<relay::connection_id>& items() const noexcept { return items_; }

private:
    std::vector<relay::connection_id> items_;
    std::unordered_map<relay::connection_id, std::size_t, strong_hash> position_;
};

cluster_node::cluster_node(cluster_config config, relay::relay_config relay_config, random_source& random,
                           relay::relay_sink& local, message_bus& bus)
    : config_(std::move(config)), local_(local), bus_(bus), random_(random), engine_(std::move(relay_config), random, *this) {
    engine_.set_cluster_hooks(this);
}

cluster_node::~cluster_node() = default;

std::string cluster_node::node_subject(std::string_view node) const {
    return config_.subject_prefix + ".node." + std::string(node);
}
std::string cluster_node::status_subject() const { return config_.subject_prefix + ".status"; }
std::string cluster_node::media_subject(const room_id& room) const {
    return config_.subject_prefix + ".media." + to_hex(room.value);
}

void cluster_node::start(time_point now) {
    enter(now);
    if (started_) return;
    started_ = true;
    bus_.subscribe(node_subject(config_.node_name));
    bus_.subscribe(status_subject());
    announce_rooms();
    next_ping_ = now + config_.ping_interval;
}

// ---- This node's connections ----

void cluster_node::on_open(relay::connection_id connection, time_point now, std::string_view peer_address) {
    enter(now);
    addresses_[connection] = std::string(peer_address);
    engine_.on_open(connection, now, peer_address);
    flush();
}

void cluster_node::on_text(relay::connection_id connection, std::string_view text, time_point now) {
    enter(now);
    const auto found = forwarded_.find(connection);
    if (found != forwarded_.end()) {
        ++stats_.forwards_to_home;
        publish(node_subject(found->second.home.name),
                {{config_.node_name, config_.incarnation}, forward{connection.value, relay::payload_kind::text, std::string(text)}},
                &found->second.room);
        return;
    }
    engine_.on_text(connection, text, now);
    flush();
}

void cluster_node::on_binary(relay::connection_id connection, const relay::shared_message& message, time_point now) {
    enter(now);
    const auto found = forwarded_.find(connection);
    if (found != forwarded_.end()) {
        ++stats_.forwards_to_home;
        publish(node_subject(found->second.home.name),
                {{config_.node_name, config_.incarnation}, forward{connection.value, relay::payload_kind::binary, message->data}},
                &found->second.room);
        return;
    }
    engine_.on_binary(connection, message, now);
    flush();
}

void cluster_node::on_close(relay::connection_id connection, time_point now) {
    enter(now);
    const auto found = forwarded_.find(connection);
    if (found != forwarded_.end()) {
        publish(node_subject(found->second.home.name),
                {{config_.node_name, config_.incarnation}, detach{connection.value}}, &found->second.room);
        unbind(connection);
    }
    addresses_.erase(connection);
    engine_.on_close(connection, now);
    flush();
}

void cluster_node::tick(time_point now) {
    enter(now);
    engine_.tick(now);
    if (started_) {
        expire_peers();
        if (now >= next_status_) announce_rooms();
        if (now >= next_ping_) ping_peers();
    }
    flush();
}

void cluster_node::shutdown(std::uint32_t reconnect_after_ms, time_point now) {
    enter(now);
    engine_.shutdown(reconnect_after_ms, now);
    flush();
}

// ---- The engine's sends ----

void cluster_node::send(relay::connection_id to, const relay::shared_message& message) {
    const auto member = remote_members_.find(to);
    if (member == remote_members_.end()) {
        local_.send(to, message);
        return;
    }
    if (message->priority == relay::traffic_class::media && message->kind == relay::payload_kind::binary) {
        // The same frame for every listener of the room: once on the room's subject for all nodes.
        if (pending_media_.empty() || pending_media_.back().second != message) {
            pending_media_.emplace_back(member->second.room, message);
        }
        return;
    }
    auto& queue = pending_[member->second.node.name];
    if (!queue.empty() && !queue.back().is_close && queue.back().message == message &&
        queue.back().connections.size() < max_connections_per_deliver) {
        queue.back().connections.push_back(member->second.connection);  // a broadcast: one message per node
        return;
    }
    pending_to_node entry;
    entry.message = message;
    entry.connections.push_back(member->second.connection);
    queue.push_back(std::move(entry));
}

void cluster_node::close(relay::connection_id who, relay::close_code code, std::string_view reason) {
    const auto member = remote_members_.find(who);
    if (member == remote_members_.end()) {
        local_.close(who, code, reason);
        return;
    }
    pending_to_node entry;
    entry.is_close = true;
    entry.connections.push_back(member->second.connection);
    entry.code = static_cast<std::uint16_t>(code);
    entry.reason = std::string(reason.substr(0, max_reason_length));
    pending_[member->second.node.name].push_back(std::move(entry));
    closed_remote_members_.push_back(who);
}

void cluster_node::flush() {
    // Bounded: each round only closes members the previous round closed.
    for (int round = 0; round < 4; ++round) {
        for (auto& [node, queue] : pending_) {
            const std::string subject = node_subject(node);
            for (auto& entry : queue) {
                if (entry.is_close) {
                    publish(subject, {{config_.node_name, config_.incarnation},
                                      close_connection{entry.connections.front(), entry.code, std::move(entry.reason)}});
                    continue;
                }
                ++stats_.delivers_published;
                publish(subject, {{config_.node_name, config_.incarnation},
                                  deliver{entry.message->kind, entry.message->priority, std::move(entry.connections),
                                          entry.message->data}});
            }
        }
        pending_.clear();
        for (const auto& [room, message] : pending_media_) {
            ++stats_.media_published;
            room_media media{room, {}, 0, message->data};
            if (speaking_ && speaking_->room == room) {
                media.origin_node = speaking_->node;
                media.origin_connection = speaking_->connection;
            }
            publish(media_subject(room), {{config_.node_name, config_.incarnation}, std::move(media)}, &room);
        }
        pending_media_.clear();
        if (closed_remote_members_.empty()) break;
        for (const auto who : std::exchange(closed_remote_members_, {})) {
            const auto member = remote_members_.find(who);
            if (member == remote_members_.end()) continue;
            remote_member_of_.erase(member_key(member->second.node, member->second.connection));
            remote_members_.erase(member);
            engine_.on_close(who, now_);  // already closed by the engine, or now a lost transport
        }
    }
    if (started_ && engine_.room_count() != announced_room_count_) announce_rooms();
}

void cluster_node::publish(const std::string& subject, const wire_message& message, const room_id* about) {
    bytes payload = encode(message);
    ++stats_.messages_published;
    stats_.bytes_published += payload.size();
    if (about != nullptr) count_room(*about, true);
    bus_.publish(subject, std::move(payload));
}

void cluster_node::count_room(const room_id& room, bool published) {
    auto found = stats_.rooms.find(room);
    if (found == stats_.rooms.end()) {
        if (stats_.rooms.size() >= config_.max_rooms_in_stats) {
            ++(published ? stats_.other_rooms.published : stats_.other_rooms.received);
            return;
        }
        found = stats_.rooms.emplace(room, room_traffic{}).first;
    }
    ++(published ? found->second.published : found->second.received);
}

// ---- Announcements, liveness, round trips ----

void cluster_node::announce_rooms() {
    next_status_ = now_ + config_.status_interval;
    const auto rooms = engine_.room_summaries();
    const std::size_t parts = std::max<std::size_t>(1, (rooms.size() + max_rooms_per_status - 1) / max_rooms_per_status);
    std::vector<room_id> now_announced;
    now_announced.reserve(rooms.size());
    for (std::size_t part = 0; part < parts; ++part) {
        node_status status;
        status.part = static_cast<std::uint16_t>(std::min<std::size_t>(part, 0xFFFE));
        status.parts = static_cast<std::uint16_t>(std::min<std::size_t>(parts, 0xFFFF));
        const std::size_t end = std::min(rooms.size(), (part + 1) * max_rooms_per_status);
        for (std::size_t i = part * max_rooms_per_status; i < end; ++i) {
            const auto& room = rooms[i];
            status.rooms.push_back({room.id, room.open, room.listeners,
                                    room.open ? room.title.substr(0, max_title_length) : std::string{}});
            now_announced.push_back(room.id);
        }
        publish(status_subject(), {{config_.node_name, config_.incarnation}, std::move(status)});
    }
    std::sort(now_announced.begin(), now_announced.end());
    for (const auto& id : announced_rooms_) {
        if (!std::binary_search(now_announced.begin(), now_announced.end(), id)) {
            publish(status_subject(), {{config_.node_name, config_.incarnation}, room_gone{id}});
        }
    }
    announced_rooms_ = std::move(now_announced);
    announced_room_count_ = engine_.room_count();
}

void cluster_node::ping_peers() {
    next_ping_ = now_ + config_.ping_interval;
    std::erase_if(pings_in_flight_, [&](const auto& entry) { return now_ - entry.second.second > config_.node_timeout; });
    for (const auto& [name, peer] : peers_) {
        std::uint64_t token = 0;
        random_.fill(std::span<std::uint8_t>(reinterpret_cast<std::uint8_t*>(&token), sizeof token));
        pings_in_flight_[token] = {name, now_};
        publish(node_subject(name), {{config_.node_name, config_.incarnation}, ping{token}});
    }
}

void cluster_node::expire_peers() {
    std::vector<std::string> gone;
    for (const auto& [name, peer] : peers_) {
        if (now_ - peer.last_seen > config_.node_timeout) gone.push_back(name);
    }
    for (const auto& name : gone) {
        const peer_state lost = peers_.at(name);
        peers_.erase(name);
        forget_peer(name, lost);
    }
    std::erase_if(remote_rooms_, [&](const auto& entry) { return now_ - entry.second.seen > config_.node_timeout; });
}

void cluster_node::note_peer(const node_ref& from) {
    const auto found = peers_.find(from.name);
    if (found != peers_.end() && found->second.incarnation != from.incarnation) {
        // The node restarted under its name: what its earlier run held is gone.
        const peer_state lost = found->second;
        peers_.erase(found);
        forget_peer(from.name, lost);
    }
    auto& entry = peers_[from.name];
    entry.incarnation = from.incarnation;
    entry.last_seen = now_;
}

void cluster_node::forget_peer(const std::string& name, const peer_state& gone) {
    ++stats_.peers_lost;
    std::erase_if(remote_rooms_, [&](const auto& entry) {
        return entry.second.home.name == name && entry.second.home.incarnation == gone.incarnation;
    });
    // Its members here lose their transport: their seats are held for the grace window, in which
    // they come back through another node.
    std::vector<relay::connection_id> members;
    for (const auto& [id, member] : remote_members_) {
        if (member.node.name == name && member.node.incarnation == gone.incarnation) members.push_back(id);
    }
    for (const auto id : members) {
        const auto member = remote_members_.find(id);
        remote_member_of_.erase(member_key(member->second.node, member->second.connection));
        remote_members_.erase(member);
        engine_.on_close(id, now_);
    }
    // Our members in its rooms: their room is gone with it. Tell them to come back (spread out, so
    // a big room does not return in one burst); the room's host re-creates it, on some node.
    std::vector<relay::connection_id> cut_off;
    for (const auto& [id, binding] : forwarded_) {
        if (binding.home.name == name && binding.home.incarnation == gone.incarnation) cut_off.push_back(id);
    }
    for (const auto id : cut_off) {
        std::uint32_t spread = 0;
        random_.fill(std::span<std::uint8_t>(reinterpret_cast<std::uint8_t*>(&spread), sizeof spread));
        const std::uint32_t after = config_.home_lost_reconnect_spread_ms == 0
                                        ? 0
                                        : spread % (config_.home_lost_reconnect_spread_ms + 1);
        local_.send(id, relay::make_message(proto::encode(proto::server_message{std::nullopt, proto::shutdown{after}}),
                                            relay::payload_kind::text, relay::traffic_class::control));
        local_.close(id, relay::close_code::going_away, "the room's home node is gone");
        unbind(id);
        ++stats_.homes_lost;
    }
}

void cluster_node::unbind(relay::connection_id connection) {
    const auto found = forwarded_.find(connection);
    if (found == forwarded_.end()) return;
    const room_id room = found->second.room;
    forwarded_.erase(found);
    const auto members = forwarded_by_room_.find(room);
    if (members == forwarded_by_room_.end()) return;
    members->second->erase(connection);
    if (members->second->empty()) {
        forwarded_by_room_.erase(members);
        bus_.unsubscribe(media_subject(room));
    }
}

relay::connection_id cluster_node::remote_member_id() {
    return relay::connection_id(remote_member_base | ++next_remote_member_);
}

// ---- The bus ----

// The subject is not needed: every message names its sender and says what it is.
void cluster_node::on_bus_message(std::string_view /*subject*/, byte_view payload, time_point now) {
    enter(now);
    ++stats_.messages_received;
    stats_.bytes_received += payload.size();
    auto decoded = decode(payload);
    if (!decoded.ok()) {
        ++stats_.bad_messages[decoded.error()];
        return;
    }
    const wire_message& message = decoded.value();
    if (message.from.name == config_.node_name) {
        // Our own status, echoed by the bus; or another process under our name (misconfigured).
        if (message.from.incarnation != config_.incarnation) ++stats_.conflicting_homes;
        return;
    }
    handle(message);
    flush();
}

void cluster_node::handle(const wire_message& message) {
    const node_ref& from = message.from;
    note_peer(from);
    std::visit(overloaded{
                   [&](const node_status& m) { handle_status(from, m); },
                   [&](const room_gone& m) { handle_room_gone(from, m); },
                   [&](const attach& m) { handle_attach(from, m); },
                   [&](const forward& m) { handle_forward(from, m); },
                   [&](const detach& m) { handle_detach(from, m); },
                   [&](const deliver& m) { handle_deliver(from, m); },
                   [&](const close_connection& m) { handle_close(from, m); },
                   [&](const room_media& m) { handle_media(from, m); },
                   [&](const ping& m) {
                       publish(node_subject(from.name), {{config_.node_name, config_.incarnation}, pong{m.token}});
                   },
                   [&](const pong& m) {
                       const auto found = pings_in_flight_.find(m.token);
                       if (found == pings_in_flight_.end() || found->second.first != from.name) return;
                       const auto us = static_cast<std::uint64_t>(
                           std::chrono::duration_cast<std::chrono::microseconds>(now_ - found->second.second).count());
                       stats_.round_trips.record(us);
                       peers_[from.name].round_trip_us = us;
                       pings_in_flight_.erase(found);
                   },
               },
               message.body);
}

void cluster_node::handle_status(const node_ref& from, const node_status& m) {
    for (const auto& room : m.rooms) {
        if (engine_.find_room(room.id) != nullptr) {
            ++stats_.conflicting_homes;  // ours here; a member joining through us stays with ours
            continue;
        }
        auto found = remote_rooms_.find(room.id);
        if (found == remote_rooms_.end()) {
            if (remote_rooms_.size() >= config_.max_remote_rooms) continue;
            found = remote_rooms_.emplace(room.id, remote_room{}).first;
        } else if (found->second.home != from) {
            ++stats_.conflicting_homes;  // the newest announcement wins
        }
        found->second = remote_room{from, room.open, room.listeners, room.title, now_};
    }
}

void cluster_node::handle_room_gone(const node_ref& from, const room_gone& m) {
    const auto found = remote_rooms_.find(m.room);
    if (found != remote_rooms_.end() && found->second.home == from) remote_rooms_.erase(found);
}

void cluster_node::handle_attach(const node_ref& from, const attach& m) {
    ++stats_.attaches_received;
    count_room(m.room, false);
    const std::string key = member_key(from, m.connection);
    if (const auto known = remote_member_of_.find(key); known != remote_member_of_.end()) {
        engine_.on_text(known->second, m.join_text, now_);  // a second join on the same connection
        return;
    }
    const relay::connection_id id = remote_member_id();
    remote_members_.emplace(id, remote_member{from, m.connection, m.room});
    remote_member_of_.emplace(key, id);
    engine_.on_open_vouched(id, m.key, now_, m.address);
    engine_.on_text(id, m.join_text, now_);
}

void cluster_node::handle_forward(const node_ref& from, const forward& m) {
    const auto known = remote_member_of_.find(member_key(from, m.connection));
    if (known == remote_member_of_.end()) {
        ++stats_.stale_messages;
        return;
    }
    const relay::connection_id id = known->second;
    const remote_member& member = remote_members_.at(id);
    count_room(member.room, false);
    if (m.kind == relay::payload_kind::text) {
        engine_.on_text(id, m.data, now_);
        return;
    }
    // Classed as the socket transport classes what it reads: media frames droppable, the rest control.
    const bool media = !m.data.empty() && static_cast<std::uint8_t>(m.data.front()) ==
                                              static_cast<std::uint8_t>(proto::binary_type::media);
    speaking_ = speaker_origin{member.room, member.node.name, member.connection};
    engine_.on_binary(id,
                      relay::make_message(m.data, relay::payload_kind::binary,
                                          media ? relay::traffic_class::media : relay::traffic_class::control),
                      now_);
    flush();  // while speaking_ still names the speaker, so its own node leaves it out
    speaking_.reset();
}

void cluster_node::handle_detach(const node_ref& from, const detach& m) {
    const auto known = remote_member_of_.find(member_key(from, m.connection));
    if (known == remote_member_of_.end()) {
        ++stats_.stale_messages;
        return;
    }
    const relay::connection_id id = known->second;
    count_room(remote_members_.at(id).room, false);
    remote_members_.erase(id);
    remote_member_of_.erase(known);
    engine_.on_close(id, now_);
}

void cluster_node::handle_deliver(const node_ref& from, const deliver& m) {
    const auto message = relay::make_message(m.data, m.kind, m.priority);
    bool counted = false;
    for (const auto raw : m.connections) {
        const relay::connection_id connection(raw);
        const auto binding = forwarded_.find(connection);
        if (binding == forwarded_.end() || binding->second.home != from) {
            ++stats_.stale_messages;
            continue;
        }
        if (!counted) {
            count_room(binding->second.room, false);
            counted = true;
        }
        local_.send(connection, message);
    }
}

void cluster_node::handle_close(const node_ref& from, const close_connection& m) {
    const relay::connection_id connection(m.connection);
    const auto binding = forwarded_.find(connection);
    if (binding == forwarded_.end() || binding->second.home != from) {
        ++stats_.stale_messages;
        return;
    }
    count_room(binding->second.room, false);
    const relay::close_code code = static_cast<relay::close_code>(m.code);
    local_.close(connection, code, m.reason);
    unbind(connection);
}

void cluster_node::handle_media(const node_ref& from, const room_media& m) {
    const auto members = forwarded_by_room_.find(m.room);
    if (members == forwarded_by_room_.end()) return;  // unsubscribed a moment ago
    ++stats_.media_received;
    count_room(m.room, false);
    const auto frame = relay::make_message(m.data, relay::payload_kind::binary, relay::traffic_class::media);
    const bool spoke_here = m.origin_node == config_.node_name;
    for (const auto connection : members->second->items()) {
        if (spoke_here && connection.value == m.origin_connection) continue;
        const auto binding = forwarded_.find(connection);
        if (binding == forwarded_.end() || binding->second.home != from) continue;
        local_.send(connection, frame);
        ++stats_.media_local_deliveries;
    }
}

// ---- cluster_hooks ----

bool cluster_node::room_lives_elsewhere(const room_id& room) const { return remote_rooms_.contains(room); }

bool cluster_node::take_join(relay::connection_id connection, const public_key& key, const proto::join_room& join,
                             std::optional<std::uint32_t> request_id) {
    if (connection.value >= remote_member_base) return false;  // already forwarded once: answer here
    const auto room = remote_rooms_.find(join.room);
    if (room == remote_rooms_.end()) return false;
    const node_ref home = room->second.home;
    const auto address = addresses_.find(connection);
    attach message;
    message.connection = connection.value;
    message.room = join.room;
    message.key = key;
    if (address != addresses_.end()) message.address = address->second.substr(0, max_address_length);
    message.join_text = proto::encode(proto::client_message{request_id, join});
    ++stats_.attaches_sent;
    publish(node_subject(home.name), {{config_.node_name, config_.incarnation}, std::move(message)}, &join.room);
    forwarded_[connection] = forwarded_connection{join.room, home};
    auto& members = forwarded_by_room_[join.room];
    if (!members) {
        members = std::make_unique<connection_set>();
        bus_.subscribe(media_subject(join.room));
    }
    members->insert(connection);
    return true;
}

std::vector<proto::directory_entry> cluster_node::remote_directory() const {
    std::vector<proto::directory_entry> rooms;
    for (const auto& [id, room] : remote_rooms_) {
        if (room.open) rooms.push_back({id, room.title, room.listeners});
    }
    return rooms;
}

std::optional<std::string> cluster_node::home_of(const room_id& room) const {
    if (engine_.find_room(room) != nullptr) return config_.node_name;
    const auto found = remote_rooms_.find(room);
    if (found == remote_rooms_.end()) return std::nullopt;
    return found->second.home.name;
}

std::vector<peer_view> cluster_node::peers() const {
    std::vector<peer_view> out;
    for (const auto& [name, peer] : peers_) {
        peer_view view{name, peer.incarnation, 0, peer.round_trip_us};
        for (const auto& [id, room] : remote_rooms_) {
            if (room.home.name == name) ++view.rooms;
        }
        out.push_back(std::move(view));
    }
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
    return out;
}

}  // namespace stoa::cluster
