// The engine's decisions for the connections of one I/O thread, gathered during one engine entry
// point and delivered on that thread in one go: one wakeup per thread per batch rather than one
// handler per recipient, queues touched only by their own thread (no lock per push), and one
// write started per connection however many messages the batch gave it.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "stoa/relay/relay_sink.hpp"
#include "stoa/relay/wire_message.hpp"
#include "stoa/server/connection_handle.hpp"
#include "stoa/server/metrics.hpp"

namespace stoa::server {

// How deliveries treat a consumer that cannot keep up.
struct delivery_policy {
    relay::shared_message slow_consumer_error;  // sent alone before the close
    std::chrono::milliseconds close_timeout{2000};
};

class outbox {
public:
    // The engine's side. Entries keep their order; the connections must outlive delivery (the
    // engine host releases a connection on its own thread, after every batch posted before).
    void send(connection_handle& to, relay::shared_message message);
    void close(connection_handle& to, relay::close_code code, std::string_view reason);
    // `to`'s last queued control message (a join's welcome) is timed from `since` until written.
    void mark_written_latency(connection_handle& to, steady_time since);

    // Appends `later`'s entries after this one's (leaving `later` empty): batches of several
    // entry points delivered as one, so a connection gets several talkers' frames in one write.
    void absorb(outbox& later);
    void swap(outbox& other) noexcept;

    [[nodiscard]] bool empty() const noexcept { return entries_.empty(); }
    [[nodiscard]] std::size_t size() const noexcept { return entries_.size(); }

    // On the connections' own thread: every entry into its connection's queue, in order, then one
    // write per connection whose writer was idle: all of them in one io_uring submission when
    // `writer` is given, else write_pending() each. Leaves the outbox empty.
    void deliver(const delivery_policy& policy, server_metrics& metrics, steady_time now,
                 uring_writer* writer = nullptr);

private:
    enum class action : std::uint8_t { send, close, mark };
    struct entry {
        connection_handle* to;
        relay::shared_message message;  // send only
        std::uint32_t detail;           // close: index into closes_; mark: index into marks_
        action what;
    };
    struct close_request {
        relay::close_code code;
        std::string reason;
    };

    void push(connection_handle& to, relay::shared_message message, const delivery_policy& policy,
              server_metrics& metrics, steady_time now);
    void wake(connection_handle& to, bool writer_was_idle);

    std::vector<entry> entries_;
    std::vector<close_request> closes_;
    std::vector<steady_time> marks_;
    std::vector<connection_handle*> woken_;
};

}  // namespace stoa::server
