// The engine's thread: the only place the relay engine and the connection registry are touched.
#include "engine_host.hpp"

#include <sodium.h>

#include <stdexcept>

#include <boost/asio/post.hpp>

#include "stoa/proto/control_codec.hpp"

namespace stoa::server {

namespace net = boost::asio;

system_random::system_random() {
    if (sodium_init() < 0) throw std::runtime_error("sodium_init failed");
}

void system_random::fill(std::span<std::uint8_t> out) { randombytes_buf(out.data(), out.size()); }

engine_host::engine_host(std::vector<net::io_context*> shards, const server_config& config, server_metrics& metrics)
    : config_(config),
      metrics_(metrics),
      shards_(std::move(shards)),
      executor_(shards_.at(0)->get_executor()),
      tick_timer_(executor_),
      delivery_{relay::make_message(
                    proto::encode(proto::server_message{
                        std::nullopt, proto::make_error(proto::relay_error::slow_consumer_disconnected,
                                                        "the connection's send queue stayed over its limit")}),
                    relay::payload_kind::text, relay::traffic_class::control),
                config.close_timeout},
      outboxes_(shards_.size()) {
    for (std::size_t i = 0; i < shards_.size(); ++i) mailboxes_.push_back(std::make_unique<mailbox>());
    if (config.cluster) {
        cluster::cluster_config cluster_config;
        cluster_config.node_name = config.cluster->node_name;
        cluster_config.subject_prefix = config.cluster->subject_prefix;
        random_.fill(std::span<std::uint8_t>(reinterpret_cast<std::uint8_t*>(&cluster_config.incarnation),
                                             sizeof cluster_config.incarnation));
        auto bus = nats_bus::connect(config.cluster->nats_url, "stoa-server " + config.cluster->node_name, [this] {
            // On a NATS thread: one drain handler at a time, however many messages arrive.
            if (!bus_wake_pending_.exchange(true)) net::post(executor_, [this] { drain_bus(); });
        });
        if (!bus.ok()) throw std::runtime_error(bus.error());
        bus_ = std::move(bus).value();
        cluster_ = std::make_unique<cluster::cluster_node>(std::move(cluster_config), config.relay, random_, *this, *bus_);
    } else {
        solo_ = std::make_unique<relay::relay_engine>(config.relay, random_, *this);
    }
    // The ring holds a batch's writes: one per woken connection, submitted in rounds of this many.
    constexpr unsigned ring_entries = 2048;
    writers_.resize(shards_.size());
    if (!config.io_uring) {
        io_uring_refusal_ = "io_uring is off in the configuration";
        return;
    }
    for (auto& writer : writers_) {
        writer = uring_writer::create(ring_entries, io_uring_refusal_);
        if (!writer) {
            for (auto& made : writers_) made.reset();  // all threads alike
            return;
        }
    }
}

uring_writer* engine_host::writer_for(shard_index shard) const {
    uring_writer* writer = writers_[shard].get();
    return writer != nullptr && !writer->broken() ? writer : nullptr;
}

time_point engine_host::core_now() const {
    // The core never reads a clock: this is where the steady clock becomes its time.
    return from_micros(std::chrono::duration_cast<std::chrono::microseconds>(now_.time_since_epoch()).count());
}

void engine_host::start() {
    net::post(executor_, [this] {
        enter();
        if (cluster_) {
            cluster_->start(core_now());
            flush();
        }
        schedule_tick();
    });
}

void engine_host::schedule_tick() {
    tick_timer_.expires_after(std::chrono::milliseconds(20));
    tick_timer_.async_wait([this](const boost::system::error_code& error) {
        if (!error) on_tick();
    });
}

void engine_host::on_tick() {
    enter();
    if (cluster_) cluster_->tick(core_now()); else solo_->tick(core_now());
    flush();
    if (draining_ && (connections_.empty() || now_ >= drain_deadline_)) {
        if (auto drained = std::exchange(drained_, {})) drained();
        return;  // no more ticks: the server is stopping
    }
    schedule_tick();
}

void engine_host::open(std::shared_ptr<connection_handle> connection) {
    net::post(executor_, [this, connection = std::move(connection)]() mutable {
        enter();
        const relay::connection_id id = connection->id;
        const std::string address = connection->address;
        connections_.emplace(id, std::move(connection));
        if (cluster_) cluster_->on_open(id, core_now(), address); else solo_->on_open(id, core_now(), address);
        if (draining_) {
            // Accepted just before the listener stopped: tell it, alone, straight away.
            send(id, relay::make_message(proto::encode(proto::server_message{
                                             std::nullopt, proto::shutdown{config_.reconnect_after_ms}}),
                                         relay::payload_kind::text, relay::traffic_class::control));
            close(id, relay::close_code::going_away, "server shutting down");
        }
        flush();
    });
}

void engine_host::text(std::shared_ptr<connection_handle> from, std::string text, steady_time read_at) {
    net::post(executor_, [this, from = std::move(from), text = std::move(text), read_at] {
        enter();
        const auto& stats = engine().stats();
        const std::uint64_t admitted_before = stats.joins + stats.seats_reattached;
        if (cluster_) cluster_->on_text(from->id, text, core_now()); else solo_->on_text(from->id, text, core_now());
        if (stats.joins + stats.seats_reattached != admitted_before && connections_.contains(from->id)) {
            // Join latency runs until the welcome (the last control message queued for the
            // joiner in this entry point) is written to the socket, not merely queued.
            outboxes_[from->shard].mark_written_latency(*from, read_at);
        }
        flush();
        from->resume_reading();
    });
}

void engine_host::binary(std::shared_ptr<connection_handle> from, relay::shared_message message) {
    net::post(executor_, [this, from = std::move(from), message = std::move(message)] {
        enter();
        if (cluster_) cluster_->on_binary(from->id, message, core_now()); else solo_->on_binary(from->id, message, core_now());
        flush();
        from->resume_reading();
    });
}

void engine_host::closed(relay::connection_id id) {
    net::post(executor_, [this, id] {
        enter();
        if (cluster_) cluster_->on_close(id, core_now()); else solo_->on_close(id, core_now());
        flush();
        const auto found = connections_.find(id);
        if (found == connections_.end()) return;
        std::shared_ptr<connection_handle> connection = std::move(found->second);
        connections_.erase(found);
        release(std::move(connection));
    });
}

void engine_host::drain_bus() {
    bus_wake_pending_ = false;  // before taking: a message arriving now wakes another drain
    auto messages = bus_->take();
    if (messages.empty()) return;
    enter();
    for (const auto& message : messages) cluster_->on_bus_message(message.subject, message.payload, core_now());
    flush();
}

void engine_host::scrape(std::function<void(std::string)> respond) {
    net::post(executor_, [this, respond = std::move(respond)] {
        engine_view view;
        view.stats = engine().stats();
        view.roles = engine().members_by_role();
        view.rooms = engine().room_count();
        view.connections = connections_.size();
        for (shard_index shard = 0; shard < writers_.size(); ++shard) {
            if (writers_[shard]) ++view.io_uring_threads;
        }
        for (const auto& [id, connection] : connections_) {
            const std::size_t depth = connection->queue.size();
            view.queued_messages += depth;
            view.deepest_queue = std::max(view.deepest_queue, depth);
        }
        if (cluster_) {
            cluster_view cluster;
            cluster.node = cluster_->config().node_name;
            cluster.stats = cluster_->stats();
            cluster.peers = cluster_->peers();
            cluster.remote_rooms = cluster_->remote_room_count();
            cluster.forwarded_connections = cluster_->forwarded_connection_count();
            cluster.remote_members = cluster_->remote_member_count();
            const nats_counters nats = bus_->counters();
            cluster.nats = {nats.connected,        nats.disconnects,   nats.reconnects,
                            nats.publish_failures, nats.inbox_dropped, nats.slow_consumer_errors};
            view.cluster = std::move(cluster);
        }
        respond(render_metrics(view, metrics_, read_process_usage()));
    });
}

void engine_host::shutdown(std::function<void()> drained) {
    net::post(executor_, [this, drained = std::move(drained)]() mutable {
        enter();
        if (draining_) return;
        draining_ = true;
        drained_ = std::move(drained);
        drain_deadline_ = now_ + config_.drain_timeout;
        if (cluster_) cluster_->shutdown(config_.reconnect_after_ms, core_now()); else solo_->shutdown(config_.reconnect_after_ms, core_now());
        flush();
    });
}

void engine_host::send(relay::connection_id to, const relay::shared_message& message) {
    const auto found = connections_.find(to);
    if (found == connections_.end()) return;
    connection_handle& connection = *found->second;
    outboxes_[connection.shard].send(connection, message);
}

void engine_host::close(relay::connection_id who, relay::close_code code, std::string_view reason) {
    const auto found = connections_.find(who);
    if (found == connections_.end()) return;
    connection_handle& connection = *found->second;
    outboxes_[connection.shard].close(connection, code, reason);
}

void engine_host::flush() {
    for (shard_index shard = 0; shard < outboxes_.size(); ++shard) {
        outbox& box = outboxes_[shard];
        if (box.empty()) continue;
        mailbox& to = *mailboxes_[shard];
        bool post = false;
        {
            const std::lock_guard lock(to.mutex);
            to.pending.absorb(box);
            post = !std::exchange(to.scheduled, true);
        }
        if (post) net::post(*shards_[shard], [this, shard] { deliver_mailbox(shard); });
    }
}

void engine_host::deliver_mailbox(shard_index shard) {
    mailbox& from = *mailboxes_[shard];
    {
        const std::lock_guard lock(from.mutex);
        from.delivering.swap(from.pending);  // pending gets the emptied vectors back
        from.scheduled = false;
    }
    from.delivering.deliver(delivery_, metrics_, std::chrono::steady_clock::now(), writer_for(shard));
}

void engine_host::release(std::shared_ptr<connection_handle> connection) {
    // After the delivery handler of every batch that names it (they were posted before this).
    const shard_index shard = connection->shard;
    net::post(*shards_[shard], [connection = std::move(connection)] {});
}

}  // namespace stoa::server
