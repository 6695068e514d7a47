// The bounded send queue: media dropped oldest first, control never dropped, slow consumers reported.
#include "stoa/server/send_queue.hpp"

#include <algorithm>
#include <utility>

namespace stoa::server {

bool send_queue::wake() {
    if (writing_) return false;
    writing_ = true;
    return true;
}

push_result send_queue::push(relay::shared_message message, steady_time now) {
    push_result result;
    if (closing_) {
        result.outcome = push_outcome::dropped;
        return result;
    }
    if (message->priority == relay::traffic_class::media) {
        if (media_count_ >= limits_.max_media_messages) {
            // Old audio is worth nothing to a live listener: make room by dropping the oldest.
            if (messages_.erase_first_if(
                    [](const relay::shared_message& m) { return m->priority == relay::traffic_class::media; })) {
                --media_count_;
            }
            ++media_dropped_;
            if (!overflowing_since_) overflowing_since_ = now;
            if (now - *overflowing_since_ > limits_.max_media_overflow) {
                result.outcome = push_outcome::slow_consumer;
                return result;
            }
            result.outcome = push_outcome::queued_after_dropping_media;
        }
        ++media_count_;
    } else {
        if (control_count_ + 1 > limits_.max_control_messages ||
            control_bytes_ + message->data.size() > limits_.max_control_bytes) {
            result.outcome = push_outcome::slow_consumer;
            return result;
        }
        ++control_count_;
        ++control_pushed_;
        control_bytes_ += message->data.size();
    }
    messages_.emplace_back(std::move(message));
    publish_depth();
    result.wake_writer = wake();
    return result;
}

take_outcome send_queue::take(std::vector<relay::shared_message>& out, std::size_t max) {
    if (messages_.empty()) {
        if (closing_) return take_outcome::close;
        writing_ = false;
        return take_outcome::idle;
    }
    const std::size_t n = std::min(max, messages_.size());
    for (std::size_t i = 0; i < n; ++i) {
        relay::shared_message& m = messages_.front();
        if (m->priority == relay::traffic_class::media) {
            --media_count_;
        } else {
            --control_count_;
            ++control_taken_;
            control_bytes_ -= m->data.size();
        }
        out.push_back(std::move(m));
        messages_.pop_front();
    }
    if (messages_.empty()) messages_.shrink_when_small();  // a burst's capacity goes back
    publish_depth();
    // Draining below half ends an overflow episode: the consumer caught up.
    if (overflowing_since_ && media_count_ <= limits_.max_media_messages / 2) overflowing_since_.reset();
    return take_outcome::batch;
}

bool send_queue::close_after_flush(relay::close_code code, std::string reason) {
    if (closing_) return false;
    closing_ = true;
    close_code_ = code;
    close_reason_ = std::move(reason);
    return wake();
}

bool send_queue::replace_and_close(const relay::shared_message& last, relay::close_code code, std::string reason) {
    messages_.clear();
    media_count_ = 0;
    control_count_ = 0;
    control_bytes_ = 0;
    overflowing_since_.reset();
    mark_.reset();
    if (last) {
        messages_.emplace_back(last);
        if (last->priority != relay::traffic_class::media) {
            ++control_count_;
            ++control_pushed_;
            control_bytes_ += last->data.size();
        } else {
            ++media_count_;
        }
    }
    publish_depth();
    closing_ = true;
    close_code_ = code;
    close_reason_ = std::move(reason);
    return wake();
}

void send_queue::mark_last_control(steady_time since) noexcept {
    // Nothing of it is queued, or the queue is closing and refused it: no mark, rather than one
    // on an earlier message.
    if (control_pushed_ == control_taken_ || closing_) return;
    mark_ = written_mark{control_pushed_, since};
}

std::optional<steady_time> send_queue::take_written_mark() noexcept {
    if (!mark_ || control_taken_ < mark_->control_number) return std::nullopt;
    const steady_time since = mark_->since;
    mark_.reset();
    return since;
}

std::pair<relay::close_code, std::string> send_queue::close_reason() const {
    return {close_code_, close_reason_};
}

}  // namespace stoa::server
