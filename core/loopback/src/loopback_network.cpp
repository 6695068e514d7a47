#include "stoa/loopback/loopback_network.hpp"

#include <utility>

namespace stoa::loopback {

loopback_network::loopback_network(relay::relay_config config, random_source& random)
    : config_(std::move(config)), random_(random), engine_(std::make_unique<relay::relay_engine>(config_, random_, *this)) {}

void loopback_network::restart_relay(time_point now) {
    // The old process is gone without a goodbye: no close reaches its engine, clients just see
    // their transports drop.
    std::vector<client::client_session*> clients;
    for (auto& [id, link] : links_) clients.push_back(link.client);
    links_.clear();
    engine_ = std::make_unique<relay::relay_engine>(config_, random_, *this);
    for (auto* client : clients) client->on_disconnected(now);
}

relay::connection_id loopback_network::connect(client::client_session& client, time_point now) {
    const relay::connection_id id(next_connection_++);
    links_.emplace(id.value, connection_link{&client, {}, false});
    engine_->on_open(id, now);
    client.on_connected(now);
    return id;
}

void loopback_network::disconnect(relay::connection_id connection, time_point now) {
    const auto found = links_.find(connection.value);
    if (found == links_.end()) return;
    client::client_session* client = found->second.client;
    links_.erase(found);
    engine_->on_close(connection, now);
    client->on_disconnected(now);
}

void loopback_network::send(relay::connection_id to, const relay::shared_message& message) {
    const auto found = links_.find(to.value);
    if (found == links_.end()) return;
    found->second.inbox.push_back(message);
}

void loopback_network::close(relay::connection_id who, relay::close_code, std::string_view) {
    const auto found = links_.find(who.value);
    if (found != links_.end()) found->second.closing = true;  // deliver what is queued, then drop
}

std::size_t loopback_network::run(time_point now, std::size_t max_rounds) {
    now_ = now;
    std::size_t moved = 0;
    for (std::size_t round = 0; round < max_rounds; ++round) {
        std::size_t moved_this_round = 0;
        // Client -> relay. Collect first: the engine may close links while handling.
        std::vector<std::pair<std::uint64_t, std::vector<client::outbound>>> outgoing;
        for (auto& [id, link] : links_) {
            if (link.client->has_outbound()) outgoing.emplace_back(id, link.client->take_outbound());
        }
        for (auto& [id, messages] : outgoing) {
            for (auto& message : messages) {
                if (!links_.contains(id)) break;
                const relay::connection_id connection(id);
                const byte_view data(reinterpret_cast<const std::uint8_t*>(message.data.data()), message.data.size());
                if (observer) observer(flow::client_to_relay, connection, message.binary, data);
                if (message.binary) {
                    engine_->on_binary(connection,
                                      relay::make_message(std::move(message.data), relay::payload_kind::binary,
                                                          relay::traffic_class::media),
                                      now);
                } else {
                    engine_->on_text(connection, message.data, now);
                }
                ++moved_this_round;
            }
        }
        // Relay -> client.
        std::vector<std::uint64_t> to_drop;
        for (auto& [id, link] : links_) {
            while (!link.inbox.empty()) {
                const relay::shared_message message = std::move(link.inbox.front());
                link.inbox.pop_front();
                ++moved_this_round;
                if (observer) observer(flow::relay_to_client, relay::connection_id(id), message->kind == relay::payload_kind::binary, message->bytes());
                if (deliver_filter && !deliver_filter(relay::connection_id(id), *message)) continue;
                if (message->kind == relay::payload_kind::binary) {
                    link.client->receive_binary(message->bytes(), now);
                } else {
                    link.client->receive_text(message->data, now);
                }
            }
            if (link.closing) to_drop.push_back(id);
        }
        for (const auto id : to_drop) disconnect(relay::connection_id(id), now);
        moved += moved_this_round;
        if (moved_this_round == 0) break;
    }
    return moved;
}

std::size_t loopback_network::tick(time_point now) {
    engine_->tick(now);
    for (auto& [id, link] : links_) link.client->tick(now);
    return run(now);
}

}  // namespace stoa::loopback
