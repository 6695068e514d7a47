// One connection's bounded send queue. It belongs to the connection's I/O thread: the engine's
// deliveries reach that thread in batches (see outbox.hpp), so pushes and takes need no lock.
// Overflow policy: drop the oldest audio first, never control; a consumer that stays behind is
// reported so the server can disconnect it.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "stoa/common/vector_queue.hpp"
#include "stoa/relay/relay_sink.hpp"
#include "stoa/relay/wire_message.hpp"

namespace stoa::server {

using steady_time = std::chrono::steady_clock::time_point;

struct send_queue_limits {
    // Media waiting for one connection. A 20 ms frame from each of ten speakers is 500 a second.
    std::size_t max_media_messages = 512;
    // Control is never dropped: a connection past either bound is disconnected instead.
    std::size_t max_control_messages = 4096;
    std::size_t max_control_bytes = 16 * 1024 * 1024;
    // Dropping audio for this long without the queue draining below half means the consumer
    // cannot keep up at all.
    std::chrono::milliseconds max_media_overflow{2000};
};

enum class push_outcome : std::uint8_t {
    queued,
    queued_after_dropping_media,  // the oldest queued audio frame made room
    dropped,                       // the queue is closing; nothing more goes out
    slow_consumer,                 // over a bound: disconnect this consumer
};

struct push_result {
    push_outcome outcome = push_outcome::queued;
    bool wake_writer = false;  // the writer was idle: the caller starts a write once its batch is in
};

// What the writer should do next.
enum class take_outcome : std::uint8_t { batch, idle, close };

class send_queue {
public:
    explicit send_queue(send_queue_limits limits) : limits_(limits) {}

    send_queue(const send_queue&) = delete;
    send_queue& operator=(const send_queue&) = delete;

    [[nodiscard]] push_result push(relay::shared_message message, steady_time now);
    // Moves up to `max` messages (in order) into `out`. `idle` means the writer must stop and
    // wait for the next wakeup; `close` that everything was written and the close may start.
    [[nodiscard]] take_outcome take(std::vector<relay::shared_message>& out, std::size_t max);
    // Sends what is queued, then closes. Returns true when the writer must be woken.
    [[nodiscard]] bool close_after_flush(relay::close_code code, std::string reason);
    // Drops everything queued, sends `last` (an error) alone, then closes. For slow consumers.
    [[nodiscard]] bool replace_and_close(const relay::shared_message& last, relay::close_code code, std::string reason);

    // The one accessor safe from any thread (a relaxed snapshot): /metrics reads it on the engine's.
    [[nodiscard]] std::size_t size() const noexcept { return depth_.load(std::memory_order_relaxed); }
    [[nodiscard]] std::uint64_t media_dropped() const noexcept { return media_dropped_; }
    [[nodiscard]] bool closing() const noexcept { return closing_; }

    // Marks the control message pushed last (a join's welcome) with the time its request was
    // read. Control is never dropped and leaves in order, so it is out once that many control
    // messages were taken. A newer mark replaces an older one; dropping the queue drops the mark.
    void mark_last_control(steady_time since) noexcept;
    // For the writer, after a write of everything it took went out: the marked message's time,
    // once (then the mark is gone), or nothing while the message is still queued.
    [[nodiscard]] std::optional<steady_time> take_written_mark() noexcept;
    // The close the writer performs once the queue is empty.
    [[nodiscard]] std::pair<relay::close_code, std::string> close_reason() const;

private:
    [[nodiscard]] bool wake();
    void publish_depth() noexcept { depth_.store(messages_.size(), std::memory_order_relaxed); }

    const send_queue_limits limits_;
    vector_queue<relay::shared_message> messages_;
    std::atomic<std::size_t> depth_{0};
    std::uint64_t control_pushed_ = 0;
    std::uint64_t control_taken_ = 0;
    struct written_mark {
        std::uint64_t control_number;  // written once control_taken_ reaches it
        steady_time since;
    };
    std::optional<written_mark> mark_;
    std::size_t media_count_ = 0;
    std::size_t control_count_ = 0;
    std::size_t control_bytes_ = 0;
    std::optional<steady_time> overflowing_since_;
    std::uint64_t media_dropped_ = 0;
    bool writing_ = false;
    bool closing_ = false;
    relay::close_code close_code_ = relay::close_code::normal;
    std::string close_reason_;
};

}  // namespace stoa::server
