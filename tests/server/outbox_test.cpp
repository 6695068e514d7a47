// The outbox: one batch of the engine's decisions delivered on the connections' thread, in order,
// with one write started per connection whose writer was idle, and slow consumers cut.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "stoa/server/outbox.hpp"

using namespace std::chrono_literals;
using stoa::relay::close_code;
using stoa::relay::connection_id;
using stoa::relay::make_message;
using stoa::relay::payload_kind;
using stoa::relay::traffic_class;
using stoa::server::connection_handle;
using stoa::server::delivery_policy;
using stoa::server::outbox;
using stoa::server::send_queue_limits;
using stoa::server::server_metrics;
using stoa::server::take_outcome;

namespace {

// A connection that records what its thread was asked to do, and drains its queue on a write
// the way the session's writer does (everything, until the queue says idle or close).
class recording_connection final : public connection_handle {
public:
    explicit recording_connection(std::uint64_t n, send_queue_limits limits = {})
        : connection_handle(connection_id(n), "127.0.0.1", limits, 0) {}

    void write_pending() override {
        ++writes_started;
        std::vector<stoa::relay::shared_message> batch;
        take_outcome outcome;
        while ((outcome = queue.take(batch, 64)) == take_outcome::batch) {
        }
        for (const auto& message : batch) written.push_back(message->data);
        if (outcome == take_outcome::close) closed_with = queue.close_reason().first;
        if (const auto since = queue.take_written_mark()) marked_since = since;
    }
    void arm_close_deadline(std::chrono::milliseconds after) override { deadline = after; }
    void resume_reading() override {}

    int writes_started = 0;
    std::vector<std::string> written;
    std::optional<close_code> closed_with;
    std::optional<std::chrono::milliseconds> deadline;
    std::optional<stoa::server::steady_time> marked_since;
};

stoa::relay::shared_message media(const std::string& text) {
    return make_message(text, payload_kind::binary, traffic_class::media);
}
stoa::relay::shared_message control(const std::string& text) {
    return make_message(text, payload_kind::text, traffic_class::control);
}

const auto t0 = std::chrono::steady_clock::time_point{} + 1h;

}  // namespace

TEST_CASE("a batch reaches every connection in order, with one write per connection", "[server][outbox]") {
    server_metrics metrics;
    const delivery_policy policy{control("slow"), 250ms};
    recording_connection a(1), b(2), c(3);
    outbox box;
    const auto frame = media("frame");  // one buffer for every recipient
    box.send(a, frame);
    box.send(b, control("delta"));
    box.send(b, frame);
    box.send(a, control("reply"));
    box.send(a, media("later"));
    CHECK(box.size() == 5);
    box.deliver(policy, metrics, t0);
    CHECK(box.empty());
    CHECK(a.writes_started == 1);
    CHECK(b.writes_started == 1);
    CHECK(c.writes_started == 0);  // nothing for it: never woken
    CHECK(a.written == std::vector<std::string>{"frame", "reply", "later"});
    CHECK(b.written == std::vector<std::string>{"delta", "frame"});
    SECTION("the next batch wakes the writers again") {
        box.send(a, media("next"));
        box.deliver(policy, metrics, t0);
        CHECK(a.writes_started == 2);
        CHECK(b.writes_started == 1);
    }
}

TEST_CASE("a close in a batch follows what was sent before it, and nothing after it goes out", "[server][outbox]") {
    server_metrics metrics;
    const delivery_policy policy{control("slow"), 250ms};
    recording_connection a(1);
    outbox box;
    box.send(a, control("error"));
    box.close(a, close_code::policy_violation, "auth failed");
    box.send(a, control("too late"));
    box.deliver(policy, metrics, t0);
    CHECK(a.written == std::vector<std::string>{"error"});
    CHECK(a.closed_with == close_code::policy_violation);
    CHECK(a.queue.close_reason().second == "auth failed");
    CHECK(a.deadline == 250ms);
}

TEST_CASE("a consumer that stays over its bound is cut with the error alone", "[server][outbox]") {
    server_metrics metrics;
    const delivery_policy policy{control("slow"), 250ms};
    send_queue_limits limits;
    limits.max_control_messages = 2;
    recording_connection a(1, limits), b(2, limits);
    outbox box;
    box.send(a, control("1"));
    box.send(a, control("2"));
    box.send(a, control("3"));  // over the bound
    box.send(b, control("fine"));
    box.deliver(policy, metrics, t0);
    CHECK(a.written == std::vector<std::string>{"slow"});
    CHECK(a.closed_with == close_code::policy_violation);
    CHECK(a.deadline == 250ms);
    CHECK(a.writes_started == 1);
    CHECK(b.written == std::vector<std::string>{"fine"});
    CHECK(metrics.slow_consumers_disconnected.load() == 1);
}

TEST_CASE("a join's welcome is timed until its write, in the order of the batch", "[server][outbox]") {
    server_metrics metrics;
    const delivery_policy policy{control("slow"), 250ms};
    recording_connection a(1);
    outbox box;
    box.send(a, control("welcome"));
    box.mark_written_latency(a, t0 - 3ms);
    box.deliver(policy, metrics, t0);
    REQUIRE(a.marked_since);
    CHECK(*a.marked_since == t0 - 3ms);
}

TEST_CASE("batches absorbed into one are delivered in order, closes and marks still addressed right",
          "[server][outbox]") {
    server_metrics metrics;
    const delivery_policy policy{control("slow"), 250ms};
    recording_connection a(1), b(2);
    outbox first;
    first.send(a, media("talker 1"));
    first.close(b, close_code::going_away, "first batch's close");
    outbox second;
    second.send(a, media("talker 2"));
    second.send(a, control("welcome"));
    second.mark_written_latency(a, t0 - 7ms);
    outbox third;
    third.close(a, close_code::normal, "third batch's close");
    first.absorb(second);
    first.absorb(third);
    CHECK(second.empty());
    CHECK(third.empty());
    CHECK(first.size() == 6);
    first.deliver(policy, metrics, t0);
    CHECK(a.writes_started == 1);  // both talkers' frames in one write
    CHECK(a.written == std::vector<std::string>{"talker 1", "talker 2", "welcome"});
    CHECK(a.closed_with == close_code::normal);
    CHECK(a.queue.close_reason().second == "third batch's close");
    REQUIRE(a.marked_since);
    CHECK(*a.marked_since == t0 - 7ms);
    CHECK(b.closed_with == close_code::going_away);
    CHECK(b.queue.close_reason().second == "first batch's close");
    CHECK(metrics.delivery_batches.load() == 1);
    SECTION("absorbing into an empty outbox takes the batch whole") {
        outbox empty;
        outbox later;
        later.send(b, control("late"));
        empty.absorb(later);
        CHECK(empty.size() == 1);
        CHECK(later.empty());
    }
}
