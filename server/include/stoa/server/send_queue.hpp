// One connection's bounded send queue, shared by the engine strand (producer) and the
// connection's strand (writer). Overflow policy: drop the oldest audio first, never control;
// a consumer that stays behind is reported so the server can disconnect it.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

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
    bool wake_writer = false;  // the writer was idle: post one write wakeup to its strand
};

// What the writer should do next.
enum class take_outcome : std::uint8_t { batch, idle, close };

class send_queue {
public:
    explicit send_queue(send_queue_limits limits) : limits_(limits) {}

    send_queue(const send_queue&) = delete;
    send_queue& operator=(const send_queue&) = delete;

    [[nodiscard]] push_result push(const relay::shared_message& message, steady_time now);
    // Moves up to `max` messages (in order) into `out`. `idle` means the writer must stop and
    // wait for the next wakeup; `close` that everything was written and the close may start.
    [[nodiscard]] take_outcome take(std::vector<relay::shared_message>& out, std::size_t max);
    // Sends what is queued, then closes. Returns true when the writer must be woken.
    [[nodiscard]] bool close_after_flush(relay::close_code code, std::string reason);
    // Drops everything queued, sends `last` (an error) alone, then closes. For slow consumers.
    [[nodiscard]] bool replace_and_close(const relay::shared_message& last, relay::close_code code, std::string reason);

    [[nodiscard]] std::size_t size() const;
    [[nodiscard]] std::uint64_t media_dropped() const;
    [[nodiscard]] bool closing() const;
    // The close the writer performs once the queue is empty.
    [[nodiscard]] std::pair<relay::close_code, std::string> close_reason() const;

private:
    [[nodiscard]] bool wake_locked();

    const send_queue_limits limits_;
    mutable std::mutex mutex_;
    std::deque<relay::shared_message> messages_;
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
