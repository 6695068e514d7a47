// The relay engine on the first I/O thread: connections' messages are posted in; the engine's
// sends and closes are gathered per I/O thread (outbox) and handed to that thread's mailbox at
// the end of each entry point, with at most one delivery handler pending per thread; a 20 ms
// timer drives engine.tick().
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "nats_bus.hpp"
#include "stoa/cluster/cluster_node.hpp"
#include "stoa/relay/relay_engine.hpp"
#include "stoa/server/connection_handle.hpp"
#include "stoa/server/metrics.hpp"
#include "stoa/server/outbox.hpp"
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
    // `shards` are the I/O threads' contexts, one thread each; the engine lives on the first.
    // Exactly one thread per context is what makes the queues lock-free and keeps the handlers
    // posted to a context in order (a connection's release after its batches); relay_server
    // starts them so.
    engine_host(std::vector<boost::asio::io_context*> shards, const server_config& config, server_metrics& metrics);

    void start();
    [[nodiscard]] relay::connection_id next_connection_id() noexcept {
        return relay::connection_id(next_id_.fetch_add(1, std::memory_order_relaxed));
    }

    // Callable from any thread: each posts onto the engine's thread. After a message is handled
    // the connection is told to read the next one, so each connection has one message in flight.
    void open(std::shared_ptr<connection_handle> connection);
    void text(std::shared_ptr<connection_handle> from, std::string text, steady_time read_at);
    void binary(std::shared_ptr<connection_handle> from, relay::shared_message message);
    void closed(relay::connection_id id);
    // Renders /metrics on the engine's thread and hands the text to `respond` (on that thread).
    void scrape(std::function<void(std::string)> respond);
    // Graceful shutdown: tell every client, let queues drain (at most drain_timeout), then call
    // `drained` once, on the engine's thread.
    void shutdown(std::function<void()> drained);
    // After the I/O threads stopped: drop every connection so they can be destroyed.
    void forget_connections() { connections_.clear(); }
    // Why the I/O threads write with writev rather than io_uring; empty when they use io_uring.
    [[nodiscard]] const std::string& io_uring_refusal() const noexcept { return io_uring_refusal_; }

    // relay_sink: called by the engine, on its thread. Both only fill the outboxes.
    void send(relay::connection_id to, const relay::shared_message& message) override;
    void close(relay::connection_id who, relay::close_code code, std::string_view reason) override;

private:
    void schedule_tick();
    void on_tick();
    void enter() { now_ = std::chrono::steady_clock::now(); }
    // Ends every entry point: hands each I/O thread its batch, posting one delivery handler per
    // thread unless one is pending already.
    void flush();
    // Drops the registry's reference on the connection's own thread, after the batches posted
    // there before it, which hold plain pointers to it.
    void release(std::shared_ptr<connection_handle> connection);
    [[nodiscard]] time_point core_now() const;
    [[nodiscard]] uring_writer* writer_for(shard_index shard) const;

    const server_config& config_;
    server_metrics& metrics_;
    std::vector<boost::asio::io_context*> shards_;
    boost::asio::io_context::executor_type executor_;  // the engine's thread: shards_[0]
    boost::asio::steady_timer tick_timer_;
    system_random random_;
    // One of the two: the single-node relay's engine, or a cluster node (which owns its engine)
    // with the NATS bus it talks over.
    std::unique_ptr<relay::relay_engine> solo_;
    std::unique_ptr<nats_bus> bus_;
    std::unique_ptr<cluster::cluster_node> cluster_;
    [[nodiscard]] relay::relay_engine& engine() noexcept { return cluster_ ? cluster_->engine() : *solo_; }
    // The bus's messages, handed over in one batch per wake-up.
    void drain_bus();
    std::atomic<bool> bus_wake_pending_{false};
    std::unordered_map<relay::connection_id, std::shared_ptr<connection_handle>, strong_hash> connections_;
    std::atomic<std::uint64_t> next_id_{1};
    steady_time now_{};
    bool draining_ = false;
    steady_time drain_deadline_{};
    std::function<void()> drained_;
    delivery_policy delivery_;
    std::vector<outbox> outboxes_;  // one per shard, filled during an entry point
    // Where an entry point's outbox goes for its shard's thread. Batches of entry points that
    // run before the shard's delivery handler are delivered together (one write per connection
    // for all of them): under load, batches grow on their own; idle, each goes out at once.
    struct mailbox {
        std::mutex mutex;          // one lock per batch, never per message
        outbox pending;            // guarded by mutex
        bool scheduled = false;    // guarded by mutex: a delivery handler is posted
        outbox delivering;         // the shard thread's alone
    };
    std::vector<std::unique_ptr<mailbox>> mailboxes_;
    void deliver_mailbox(shard_index shard);
    // One per shard, each used only on its shard's thread; null where io_uring is off or refused.
    std::vector<std::unique_ptr<uring_writer>> writers_;
    std::string io_uring_refusal_;
};

}  // namespace stoa::server
