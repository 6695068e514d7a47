// An in-process transport: the relay engine and client sessions exchange their real wire
// messages through per-connection queues, with no sockets. The demo and the integration tests
// run whole rooms this way; an observer sees every byte the relay sees.
#pragma once

#include <cstddef>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <vector>

#include "stoa/client/client_session.hpp"
#include "stoa/common/random.hpp"
#include "stoa/common/time.hpp"
#include "stoa/relay/relay_engine.hpp"

namespace stoa::loopback {

enum class flow : std::uint8_t { client_to_relay, relay_to_client };

class loopback_network final : public relay::relay_sink {
public:
    loopback_network(relay::relay_config config, random_source& random);

    // Connects `client` (which must outlive its connection) and starts its handshake.
    relay::connection_id connect(client::client_session& client, time_point now);
    // Drops the connection as a lost transport would, on both sides.
    void disconnect(relay::connection_id connection, time_point now);
    // A relay restart (a crash and a new process): every connection drops as a lost transport,
    // and a new engine with no rooms takes over. Reconnect clients with connect().
    void restart_relay(time_point now);
    // Delivers queued messages both ways until nothing moves (or max_rounds pass). Returns how many moved.
    std::size_t run(time_point now, std::size_t max_rounds = 10'000);
    // Ticks the relay and every connected client, then runs.
    std::size_t tick(time_point now);

    [[nodiscard]] relay::relay_engine& engine() noexcept { return *engine_; }
    [[nodiscard]] bool is_connected(relay::connection_id connection) const { return links_.contains(connection.value); }

    // Sees every message crossing the relay's boundary, in either direction (what an operator could log).
    std::function<void(flow, relay::connection_id, bool binary, byte_view data)> observer;
    // Returns false to lose a relay-to-client message (network loss injection); media only is sensible.
    std::function<bool(relay::connection_id, const relay::wire_message&)> deliver_filter;

    // relay_sink
    void send(relay::connection_id to, const relay::shared_message& message) override;
    void close(relay::connection_id who, relay::close_code code, std::string_view reason) override;

private:
    struct connection_link {
        client::client_session* client = nullptr;
        std::deque<relay::shared_message> inbox;
        bool closing = false;
    };

    relay::relay_config config_;
    random_source& random_;
    std::unique_ptr<relay::relay_engine> engine_;  // replaced by restart_relay
    std::map<std::uint64_t, connection_link> links_;  // ordered: deterministic delivery order
    std::uint64_t next_connection_ = 1;
    time_point now_{};
};

}  // namespace stoa::loopback
