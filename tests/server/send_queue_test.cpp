// The send queue's overflow policy: media dropped oldest first, control never dropped, the
// writer woken exactly once per idle period, and consumers that stay behind reported.
#include <catch2/catch.hpp>

#include "stoa/server/send_queue.hpp"

using namespace std::chrono_literals;
using stoa::relay::make_message;
using stoa::relay::payload_kind;
using stoa::relay::traffic_class;
using stoa::server::push_outcome;
using stoa::server::send_queue;
using stoa::server::send_queue_limits;
using stoa::server::take_outcome;

namespace {

stoa::relay::shared_message media(int n) {
    return make_message("m" + std::to_string(n), payload_kind::binary, traffic_class::media);
}
stoa::relay::shared_message control(int n) {
    return make_message("c" + std::to_string(n), payload_kind::text, traffic_class::control);
}
std::vector<std::string> drain(send_queue& queue) {
    std::vector<stoa::relay::shared_message> batch;
    while (queue.take(batch, 1000) == take_outcome::batch) {
    }
    std::vector<std::string> out;
    for (const auto& m : batch) out.push_back(m->data);
    return out;
}

}  // namespace

TEST_CASE("a full queue drops its oldest audio, keeps every control message and their order", "[server][queue]") {
    send_queue_limits limits;
    limits.max_media_messages = 3;
    send_queue queue(limits);
    const auto t0 = std::chrono::steady_clock::time_point{} + 1h;
    CHECK(queue.push(media(1), t0).outcome == push_outcome::queued);
    CHECK(queue.push(control(1), t0).outcome == push_outcome::queued);
    CHECK(queue.push(media(2), t0).outcome == push_outcome::queued);
    CHECK(queue.push(media(3), t0).outcome == push_outcome::queued);
    CHECK(queue.push(media(4), t0).outcome == push_outcome::queued_after_dropping_media);
    CHECK(queue.push(control(2), t0).outcome == push_outcome::queued);
    CHECK(queue.push(media(5), t0).outcome == push_outcome::queued_after_dropping_media);
    CHECK(queue.media_dropped() == 2);
    CHECK(drain(queue) == std::vector<std::string>{"c1", "m3", "m4", "c2", "m5"});
}

TEST_CASE("the writer is woken once per idle period", "[server][queue]") {
    send_queue queue(send_queue_limits{});
    const auto t0 = std::chrono::steady_clock::time_point{} + 1h;
    CHECK(queue.push(media(1), t0).wake_writer);
    CHECK_FALSE(queue.push(media(2), t0).wake_writer);  // the writer is already draining
    std::vector<stoa::relay::shared_message> batch;
    CHECK(queue.take(batch, 1) == take_outcome::batch);
    CHECK(batch.size() == 1);
    CHECK_FALSE(queue.push(media(3), t0).wake_writer);
    CHECK(queue.take(batch, 10) == take_outcome::batch);
    CHECK(batch.size() == 3);
    CHECK(queue.take(batch, 10) == take_outcome::idle);  // the writer goes to sleep ...
    CHECK(queue.push(media(4), t0).wake_writer);         // ... and the next push wakes it
}

TEST_CASE("a consumer over its control bounds or dropping audio for too long is reported", "[server][queue]") {
    const auto t0 = std::chrono::steady_clock::time_point{} + 1h;
    SECTION("control messages are never dropped: too many means disconnect") {
        send_queue_limits limits;
        limits.max_control_messages = 16;
        send_queue queue(limits);
        for (int i = 0; i < 16; ++i) CHECK(queue.push(control(i), t0).outcome == push_outcome::queued);
        CHECK(queue.push(control(16), t0).outcome == push_outcome::slow_consumer);
        CHECK(queue.size() == 16);
    }
    SECTION("control bytes are bounded too") {
        send_queue_limits limits;
        limits.max_control_bytes = 100;
        send_queue queue(limits);
        CHECK(queue.push(make_message(std::string(60, 'x'), payload_kind::text, traffic_class::control), t0).outcome ==
              push_outcome::queued);
        CHECK(queue.push(make_message(std::string(60, 'y'), payload_kind::text, traffic_class::control), t0).outcome ==
              push_outcome::slow_consumer);
    }
    SECTION("a brief overflow is absorbed, a sustained one is not") {
        send_queue_limits limits;
        limits.max_media_messages = 4;
        limits.max_media_overflow = 500ms;
        send_queue queue(limits);
        for (int i = 0; i < 4; ++i) (void)queue.push(media(i), t0);
        CHECK(queue.push(media(4), t0).outcome == push_outcome::queued_after_dropping_media);
        CHECK(queue.push(media(5), t0 + 400ms).outcome == push_outcome::queued_after_dropping_media);
        SECTION("draining below half ends the episode") {
            std::vector<stoa::relay::shared_message> batch;
            CHECK(queue.take(batch, 3) == take_outcome::batch);
            for (int i = 6; i < 9; ++i) CHECK(queue.push(media(i), t0 + 450ms).outcome == push_outcome::queued);
            // A new episode starts here: 400 ms into it is still within the limit.
            CHECK(queue.push(media(9), t0 + 900ms).outcome == push_outcome::queued_after_dropping_media);
            CHECK(queue.push(media(10), t0 + 1300ms).outcome == push_outcome::queued_after_dropping_media);
        }
        SECTION("still full past the limit: disconnect") {
            CHECK(queue.push(media(6), t0 + 501ms).outcome == push_outcome::slow_consumer);
        }
    }
}

TEST_CASE("closing flushes what is queued, then refuses more; replace_and_close sends only the last word",
          "[server][queue]") {
    const auto t0 = std::chrono::steady_clock::time_point{} + 1h;
    send_queue queue(send_queue_limits{});
    (void)queue.push(control(1), t0);
    (void)queue.push(media(1), t0);
    SECTION("close after flush") {
        CHECK_FALSE(queue.close_after_flush(stoa::relay::close_code::going_away, "bye"));  // already woken
        CHECK(queue.push(control(2), t0).outcome == push_outcome::dropped);
        std::vector<stoa::relay::shared_message> batch;
        CHECK(queue.take(batch, 10) == take_outcome::batch);
        CHECK(batch.size() == 2);
        CHECK(queue.take(batch, 10) == take_outcome::close);
        CHECK(queue.close_reason().first == stoa::relay::close_code::going_away);
    }
    SECTION("replace and close") {
        (void)queue.replace_and_close(control(99), stoa::relay::close_code::policy_violation, "slow consumer");
        std::vector<stoa::relay::shared_message> batch;
        CHECK(queue.take(batch, 10) == take_outcome::batch);
        REQUIRE(batch.size() == 1);
        CHECK(batch[0]->data == "c99");
        CHECK(queue.take(batch, 10) == take_outcome::close);
    }
}

TEST_CASE("a marked control message reports its time once it has been taken, not before", "[server][queue]") {
    const auto t0 = std::chrono::steady_clock::time_point{} + 1h;
    send_queue queue(send_queue_limits{});
    (void)queue.push(control(1), t0);
    (void)queue.push(media(1), t0);
    (void)queue.push(control(2), t0);  // the welcome
    queue.mark_last_control(t0 - 5ms);
    (void)queue.push(media(2), t0);
    (void)queue.push(control(3), t0);  // after the welcome: does not move the mark
    std::vector<stoa::relay::shared_message> batch;
    CHECK(queue.take(batch, 2) == take_outcome::batch);  // c1, m1
    CHECK_FALSE(queue.take_written_mark());
    CHECK(queue.take(batch, 1) == take_outcome::batch);  // c2
    const auto since = queue.take_written_mark();
    REQUIRE(since);
    CHECK(*since == t0 - 5ms);
    CHECK_FALSE(queue.take_written_mark());  // reported once
    SECTION("a mark with nothing queued is no mark") {
        (void)drain(queue);
        queue.mark_last_control(t0);
        CHECK_FALSE(queue.take_written_mark());
    }
}

TEST_CASE("a slow consumer's dropped welcome is never reported as written", "[server][queue]") {
    const auto t0 = std::chrono::steady_clock::time_point{} + 1h;
    send_queue queue(send_queue_limits{});
    (void)queue.push(control(1), t0);
    queue.mark_last_control(t0);
    // The push already woke the writer: no second wakeup.
    CHECK_FALSE(queue.replace_and_close(control(99), stoa::relay::close_code::policy_violation, "slow consumer"));
    CHECK(queue.size() == 1);
    CHECK(drain(queue) == std::vector<std::string>{"c99"});
    CHECK_FALSE(queue.take_written_mark());
}

TEST_CASE("a closing queue takes no mark: the message it would name was refused", "[server][queue]") {
    const auto t0 = std::chrono::steady_clock::time_point{} + 1h;
    send_queue queue(send_queue_limits{});
    (void)queue.push(control(1), t0);  // an earlier message, not the welcome
    (void)queue.close_after_flush(stoa::relay::close_code::going_away, "bye");
    CHECK(queue.push(control(2), t0).outcome == push_outcome::dropped);  // the welcome, refused
    queue.mark_last_control(t0);
    CHECK(drain(queue) == std::vector<std::string>{"c1"});
    CHECK_FALSE(queue.take_written_mark());
}
