// A hostile relay for tests: the real relay engine, wrapped so a test can drop, rewrite, replay,
// reorder and inject any message in either direction, while whole rooms of real client sessions
// run through it in one process (as core/loopback does for honest rooms). Everything the relay
// saw is recorded per connection, so a test can replay it later to another member.
#pragma once

#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "stoa/client/client_session.hpp"
#include "stoa/relay/relay_engine.hpp"
#include "test_random.hpp"

namespace stoa::test {

// One message as the adversary handles it: a WebSocket text (JSON) or binary message.
struct wire {
    bool binary = false;
    std::string data;

    [[nodiscard]] byte_view bytes() const {
        return byte_view(reinterpret_cast<const std::uint8_t*>(data.data()), data.size());
    }
};

// Decides the fate of one message: return it (possibly rewritten), nothing (dropped), or several
// (duplicated, or with injected messages around it).
using tamper_fn = std::function<std::vector<wire>(relay::connection_id, wire)>;

class adversarial_relay final : public relay::relay_sink {
public:
    explicit adversarial_relay(relay::relay_config config, random_source& random)
        : engine_(std::move(config), random, *this) {}

    // Runs on every relay-to-client message before delivery; unset: delivered as is.
    tamper_fn to_client;
    // Runs on every client-to-relay message before the engine sees it; unset: passed as is.
    tamper_fn to_relay;

    relay::connection_id connect(client::client_session& client, time_point now) {
        const relay::connection_id id(next_connection_++);
        links_.emplace(id.value, link{&client, {}, false, {}, {}});
        engine_.on_open(id, now);
        client.on_connected(now);
        return id;
    }

    void disconnect(relay::connection_id connection, time_point now) {
        const auto found = links_.find(connection.value);
        if (found == links_.end()) return;
        client::client_session* client = found->second.client;
        found->second.inbox.clear();
        gone_.emplace(connection.value, std::move(found->second));
        links_.erase(found);
        engine_.on_close(connection, now);
        client->on_disconnected(now);
    }

    // Delivers to `to` as if the relay had sent it (the adversary speaking for the relay).
    void inject(relay::connection_id to, wire message) {
        if (auto found = links_.find(to.value); found != links_.end()) found->second.inbox.push_back(std::move(message));
    }
    // Delivers to the engine as if `from` had sent it (a client impersonated towards the relay).
    void inject_to_relay(relay::connection_id from, const wire& message, time_point now) { feed_engine(from, message, now); }

    // Everything the relay sent to `connection` (before tampering), in order.
    [[nodiscard]] const std::vector<wire>& sent_to(relay::connection_id connection) const {
        return record(connection).to_client;
    }
    // Everything `connection` sent to the relay (before tampering), in order.
    [[nodiscard]] const std::vector<wire>& sent_by(relay::connection_id connection) const {
        return record(connection).to_relay;
    }
    [[nodiscard]] bool is_connected(relay::connection_id connection) const { return links_.contains(connection.value); }
    [[nodiscard]] relay::relay_engine& engine() noexcept { return engine_; }
    // Connections the engine closed (it may disconnect a client it considers misbehaving or slow).
    [[nodiscard]] std::size_t closed_by_engine() const noexcept { return closed_by_engine_; }

    // Moves messages both ways until nothing moves.
    std::size_t run(time_point now, std::size_t max_rounds = 10'000) {
        std::size_t moved = 0;
        for (std::size_t round = 0; round < max_rounds; ++round) {
            std::size_t moved_this_round = 0;
            std::vector<std::pair<std::uint64_t, std::vector<client::outbound>>> outgoing;
            for (auto& [id, l] : links_) {
                if (l.client->has_outbound()) outgoing.emplace_back(id, l.client->take_outbound());
            }
            for (auto& [id, messages] : outgoing) {
                for (auto& message : messages) {
                    if (!links_.contains(id)) break;
                    const relay::connection_id connection(id);
                    wire w{message.binary, std::move(message.data)};
                    links_.at(id).to_relay.push_back(w);
                    std::vector<wire> passed;
                    if (to_relay) {
                        passed = to_relay(connection, std::move(w));
                    } else {
                        passed.push_back(std::move(w));
                    }
                    for (const auto& p : passed) feed_engine(connection, p, now);
                    ++moved_this_round;
                }
            }
            std::vector<std::uint64_t> to_drop;
            for (auto& [id, l] : links_) {
                while (!l.inbox.empty()) {
                    wire message = std::move(l.inbox.front());
                    l.inbox.pop_front();
                    ++moved_this_round;
                    if (message.binary) {
                        l.client->receive_binary(message.bytes(), now);
                    } else {
                        l.client->receive_text(message.data, now);
                    }
                }
                if (l.closing) to_drop.push_back(id);
            }
            for (const auto id : to_drop) disconnect(relay::connection_id(id), now);
            moved += moved_this_round;
            if (moved_this_round == 0) break;
        }
        return moved;
    }

    std::size_t tick(time_point now) {
        engine_.tick(now);
        for (auto& [id, l] : links_) l.client->tick(now);
        return run(now);
    }

    // relay_sink: what the honest engine decided; the adversary gets the last word.
    void send(relay::connection_id to, const relay::shared_message& message) override {
        const auto found = links_.find(to.value);
        if (found == links_.end()) return;
        wire w{message->kind == relay::payload_kind::binary, message->data};
        found->second.to_client.push_back(w);
        if (!to_client) {
            found->second.inbox.push_back(std::move(w));
            return;
        }
        for (auto& out : to_client(to, std::move(w))) found->second.inbox.push_back(std::move(out));
    }
    void close(relay::connection_id who, relay::close_code, std::string_view) override {
        if (auto found = links_.find(who.value); found != links_.end() && !found->second.closing) {
            found->second.closing = true;
            ++closed_by_engine_;
        }
    }

private:
    struct link {
        client::client_session* client = nullptr;
        std::deque<wire> inbox;
        bool closing = false;
        std::vector<wire> to_client;  // as the engine sent them
        std::vector<wire> to_relay;   // as the client sent them
    };

    void feed_engine(relay::connection_id from, const wire& message, time_point now) {
        if (!links_.contains(from.value)) return;
        if (message.binary) {
            engine_.on_binary(from, relay::make_message(message.data, relay::payload_kind::binary, relay::traffic_class::media),
                              now);
        } else {
            engine_.on_text(from, message.data, now);
        }
    }

    [[nodiscard]] const link& record(relay::connection_id connection) const {
        if (auto found = links_.find(connection.value); found != links_.end()) return found->second;
        return gone_.at(connection.value);
    }

    relay::relay_engine engine_;
    std::map<std::uint64_t, link> links_;  // ordered: deterministic delivery order
    std::map<std::uint64_t, link> gone_;   // disconnected links, kept for their records
    std::uint64_t next_connection_ = 1;
    std::size_t closed_by_engine_ = 0;
};

}  // namespace stoa::test
