// The engine strand: the only place the relay engine and the connection registry are touched.
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

engine_host::engine_host(net::io_context& io, const server_config& config, server_metrics& metrics)
    : config_(config),
      metrics_(metrics),
      strand_(net::make_strand(io)),
      tick_timer_(strand_),
      engine_(config.relay, random_, *this),
      slow_consumer_error_(relay::make_message(
          proto::encode(proto::server_message{
              std::nullopt, proto::make_error(proto::relay_error::slow_consumer_disconnected,
                                              "the connection's send queue stayed over its limit")}),
          relay::payload_kind::text, relay::traffic_class::control)) {}

time_point engine_host::core_now() const {
    // The core never reads a clock: this is where the steady clock becomes its time.
    return from_micros(std::chrono::duration_cast<std::chrono::microseconds>(now_.time_since_epoch()).count());
}

void engine_host::start() {
    net::post(strand_, [this] {
        enter();
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
    engine_.tick(core_now());
    if (draining_ && (connections_.empty() || now_ >= drain_deadline_)) {
        if (auto drained = std::exchange(drained_, {})) drained();
        return;  // no more ticks: the server is stopping
    }
    schedule_tick();
}

void engine_host::open(std::shared_ptr<connection_handle> connection) {
    net::post(strand_, [this, connection = std::move(connection)]() mutable {
        enter();
        const relay::connection_id id = connection->id;
        const std::string address = connection->address;
        connections_.emplace(id, std::move(connection));
        engine_.on_open(id, core_now(), address);
        if (draining_) {
            // Accepted just before the listener stopped: tell it, alone, straight away.
            send(id, relay::make_message(proto::encode(proto::server_message{
                                             std::nullopt, proto::shutdown{config_.reconnect_after_ms}}),
                                         relay::payload_kind::text, relay::traffic_class::control));
            close(id, relay::close_code::going_away, "server shutting down");
        }
    });
}

void engine_host::text(std::shared_ptr<connection_handle> from, std::string text, steady_time read_at) {
    net::post(strand_, [this, from = std::move(from), text = std::move(text), read_at] {
        enter();
        const auto& stats = engine_.stats();
        const std::uint64_t admitted_before = stats.joins + stats.seats_reattached;
        engine_.on_text(from->id, text, core_now());
        if (stats.joins + stats.seats_reattached != admitted_before) {
            metrics_.join_latency.observe(std::chrono::steady_clock::now() - read_at);
        }
        from->resume_reading();
    });
}

void engine_host::binary(std::shared_ptr<connection_handle> from, relay::shared_message message) {
    net::post(strand_, [this, from = std::move(from), message = std::move(message)] {
        enter();
        engine_.on_binary(from->id, message, core_now());
        from->resume_reading();
    });
}

void engine_host::closed(relay::connection_id id) {
    net::post(strand_, [this, id] {
        enter();
        engine_.on_close(id, core_now());
        connections_.erase(id);
    });
}

void engine_host::scrape(std::function<void(std::string)> respond) {
    net::post(strand_, [this, respond = std::move(respond)] {
        engine_view view;
        view.stats = engine_.stats();
        view.roles = engine_.members_by_role();
        view.rooms = engine_.room_count();
        view.connections = connections_.size();
        for (const auto& [id, connection] : connections_) {
            const std::size_t depth = connection->queue.size();
            view.queued_messages += depth;
            view.deepest_queue = std::max(view.deepest_queue, depth);
        }
        respond(render_metrics(view, metrics_, read_process_usage()));
    });
}

void engine_host::shutdown(std::function<void()> drained) {
    net::post(strand_, [this, drained = std::move(drained)]() mutable {
        enter();
        if (draining_) return;
        draining_ = true;
        drained_ = std::move(drained);
        drain_deadline_ = now_ + config_.drain_timeout;
        engine_.shutdown(config_.reconnect_after_ms, core_now());
    });
}

void engine_host::send(relay::connection_id to, const relay::shared_message& message) {
    const auto found = connections_.find(to);
    if (found == connections_.end()) return;
    connection_handle& connection = *found->second;
    const push_result pushed = connection.queue.push(message, now_);
    switch (pushed.outcome) {
        case push_outcome::queued:
        case push_outcome::dropped:
            break;
        case push_outcome::queued_after_dropping_media:
            metrics_.queue_media_dropped.fetch_add(1, std::memory_order_relaxed);
            break;
        case push_outcome::slow_consumer:
            disconnect_slow_consumer(connection);
            return;
    }
    if (pushed.wake_writer) connection.wake_writer();
}

void engine_host::disconnect_slow_consumer(connection_handle& connection) {
    metrics_.slow_consumers_disconnected.fetch_add(1, std::memory_order_relaxed);
    // Whatever was queued is stale; the error alone goes out, then the close. The engine hears
    // of it when the connection's read loop ends, like any lost transport.
    if (connection.queue.replace_and_close(slow_consumer_error_, relay::close_code::policy_violation,
                                           "slow consumer")) {
        connection.wake_writer();
    }
    connection.close_deadline(config_.close_timeout);
}

void engine_host::close(relay::connection_id who, relay::close_code code, std::string_view reason) {
    const auto found = connections_.find(who);
    if (found == connections_.end()) return;
    connection_handle& connection = *found->second;
    if (connection.queue.close_after_flush(code, std::string(reason))) connection.wake_writer();
    connection.close_deadline(config_.close_timeout);
}

}  // namespace stoa::server
