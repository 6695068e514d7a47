// The relay engine on its own strand: connections' messages are posted in, the engine's sends
// go straight onto each connection's bounded queue, and a 20 ms timer drives engine.tick().
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include "connection_handle.hpp"
#include "stoa/relay/relay_engine.hpp"
#include "stoa/server/metrics.hpp"
#include "stoa/server/server_config.hpp"

namespace stoa::server {

// The operating system's CSPRNG (libsodium's randombytes) for challenges, room ids and invites.
class system_random final : public random_source {
public:
    system_random();
    void fill(std::span<std::uint8_t> out) override;
};

class engine_host final : public relay::relay_sink {
public:
    engine_host(boost::asio::io_context& io, const server_config& config, server_metrics& metrics);

    void start();
    [[nodiscard]] relay::connection_id next_connection_id() noexcept {
        return relay::connection_id(next_id_.fetch_add(1, std::memory_order_relaxed));
    }

    // Callable from any thread: each posts onto the engine strand. After a message is handled
    // the connection is told to read the next one, so each connection has one message in flight.
    void open(std::shared_ptr<connection_handle> connection);
    void text(std::shared_ptr<connection_handle> from, std::string text, steady_time read_at);
    void binary(std::shared_ptr<connection_handle> from, relay::shared_message message);
    void closed(relay::connection_id id);
    // Renders /metrics on the engine strand and hands the text to `respond` (on that strand).
    void scrape(std::function<void(std::string)> respond);
    // Graceful shutdown: tell every client, let queues drain (at most drain_timeout), then call
    // `drained` once, on the engine strand.
    void shutdown(std::function<void()> drained);
    // After the I/O threads stopped: drop every connection so they can be destroyed.
    void forget_connections() { connections_.clear(); }

    // relay_sink: called by the engine, on the engine strand.
    void send(relay::connection_id to, const relay::shared_message& message) override;
    void close(relay::connection_id who, relay::close_code code, std::string_view reason) override;

private:
    void schedule_tick();
    void on_tick();
    void enter() { now_ = std::chrono::steady_clock::now(); }
    [[nodiscard]] time_point core_now() const;
    void disconnect_slow_consumer(connection_handle& connection);

    const server_config& config_;
    server_metrics& metrics_;
    boost::asio::strand<boost::asio::io_context::executor_type> strand_;
    boost::asio::steady_timer tick_timer_;
    system_random random_;
    relay::relay_engine engine_;
    std::unordered_map<relay::connection_id, std::shared_ptr<connection_handle>, strong_hash> connections_;
    std::atomic<std::uint64_t> next_id_{1};
    steady_time now_{};
    bool draining_ = false;
    steady_time drain_deadline_{};
    std::function<void()> drained_;
    relay::shared_message slow_consumer_error_;
};

}  // namespace stoa::server
