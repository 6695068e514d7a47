// Batched delivery on a connection's own thread: queue everything, then write once per connection.
#include "stoa/server/outbox.hpp"

#include <utility>

namespace stoa::server {

void outbox::send(connection_handle& to, relay::shared_message message) {
    entries_.push_back({&to, std::move(message), 0, action::send});
}

void outbox::close(connection_handle& to, relay::close_code code, std::string_view reason) {
    entries_.push_back({&to, nullptr, static_cast<std::uint32_t>(closes_.size()), action::close});
    closes_.push_back({code, std::string(reason)});
}

void outbox::mark_written_latency(connection_handle& to, steady_time since) {
    entries_.push_back({&to, nullptr, static_cast<std::uint32_t>(marks_.size()), action::mark});
    marks_.push_back(since);
}

void outbox::swap(outbox& other) noexcept {
    entries_.swap(other.entries_);
    closes_.swap(other.closes_);
    marks_.swap(other.marks_);
}

void outbox::absorb(outbox& later) {
    if (entries_.empty()) {
        swap(later);  // the usual case: no copy, and `later` keeps this one's capacity
        return;
    }
    const auto close_base = static_cast<std::uint32_t>(closes_.size());
    const auto mark_base = static_cast<std::uint32_t>(marks_.size());
    for (entry& item : later.entries_) {
        if (item.what == action::close) item.detail += close_base;
        if (item.what == action::mark) item.detail += mark_base;
        entries_.push_back(std::move(item));
    }
    for (close_request& request : later.closes_) closes_.push_back(std::move(request));
    marks_.insert(marks_.end(), later.marks_.begin(), later.marks_.end());
    later.entries_.clear();
    later.closes_.clear();
    later.marks_.clear();
}

void outbox::wake(connection_handle& to, bool writer_was_idle) {
    // The queue says "wake" once per idle period, so a connection is listed at most once.
    if (writer_was_idle) woken_.push_back(&to);
}

void outbox::push(connection_handle& to, relay::shared_message message, const delivery_policy& policy,
                  server_metrics& metrics, steady_time now) {
    const push_result pushed = to.queue.push(std::move(message), now);
    switch (pushed.outcome) {
        case push_outcome::queued:
        case push_outcome::dropped:
            break;
        case push_outcome::queued_after_dropping_media:
            metrics.queue_media_dropped.fetch_add(1, std::memory_order_relaxed);
            break;
        case push_outcome::slow_consumer:
            metrics.slow_consumers_disconnected.fetch_add(1, std::memory_order_relaxed);
            // Whatever was queued is stale; the error alone goes out, then the close. The engine
            // hears of it when the connection's read loop ends, like any lost transport.
            wake(to, to.queue.replace_and_close(policy.slow_consumer_error, relay::close_code::policy_violation,
                                                "slow consumer"));
            to.arm_close_deadline(policy.close_timeout);
            return;
    }
    wake(to, pushed.wake_writer);
}

void outbox::deliver(const delivery_policy& policy, server_metrics& metrics, steady_time now, uring_writer* writer) {
    metrics.delivery_batches.fetch_add(1, std::memory_order_relaxed);
    for (entry& item : entries_) {
        connection_handle& to = *item.to;
        switch (item.what) {
            case action::send:
                push(to, std::move(item.message), policy, metrics, now);
                break;
            case action::close: {
                close_request& request = closes_[item.detail];
                wake(to, to.queue.close_after_flush(request.code, std::move(request.reason)));
                to.arm_close_deadline(policy.close_timeout);
                break;
            }
            case action::mark:
                to.queue.mark_last_control(marks_[item.detail]);
                break;
        }
    }
    entries_.clear();
    closes_.clear();
    marks_.clear();
    // Writes last, so a connection given several messages sends them in one gathered write.
    for (connection_handle* to : woken_) {
        if (writer == nullptr || !to->gather_into(*writer)) to->write_pending();
    }
    woken_.clear();
    if (writer != nullptr && writer->pending() > 0) {
        metrics.gathered_submissions.fetch_add(writer->submit(), std::memory_order_relaxed);
    }
}

}  // namespace stoa::server
