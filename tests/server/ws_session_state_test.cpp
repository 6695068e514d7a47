// The close handshake and liveness of a server WebSocket connection, driven through an in-memory
// transport: frames queued by the actions go out in writes the test starts and completes, and
// timers fire when the test moves its clock.
#include <catch2/catch.hpp>

#include <random>
#include <string>
#include <vector>

#include "stoa/server/ws_session_state.hpp"

using namespace std::chrono_literals;
using stoa::relay::close_code;
using stoa::server::steady_time;
using stoa::server::ws_close_payload;
using stoa::server::ws_control_frame;
using stoa::server::ws_opcode;
using stoa::server::ws_parse_error;
using stoa::server::ws_session_actions;
using stoa::server::ws_session_state;
using stoa::server::ws_session_timeouts;
using stoa::server::ws_teardown;

namespace {

const steady_time t0 = steady_time{} + 1h;
constexpr ws_session_timeouts timeouts{30'000ms, 5'000ms};
using strings = std::vector<std::string>;

// "ping", "pong <payload>", "close" (no status) or "close <code> <reason>".
std::string describe(const ws_control_frame& frame) {
    switch (frame.opcode) {
        case ws_opcode::ping:
            return "ping" + (frame.payload.empty() ? "" : " " + frame.payload);
        case ws_opcode::pong:
            return "pong" + (frame.payload.empty() ? "" : " " + frame.payload);
        case ws_opcode::close: {
            if (frame.payload.empty()) return "close";
            if (frame.payload.size() == 1) return "close (malformed)";
            const unsigned code = (static_cast<unsigned>(static_cast<unsigned char>(frame.payload[0])) << 8U) |
                                  static_cast<unsigned char>(frame.payload[1]);
            return "close " + std::to_string(code) + (frame.payload.size() > 2 ? " " + frame.payload.substr(2) : "");
        }
        default:
            return "data?";
    }
}

struct fake_transport {
    ws_session_state state{timeouts};
    steady_time now = t0;
    std::vector<ws_control_frame> queued;     // waiting for the next write
    std::vector<ws_control_frame> in_flight;  // the write started and not yet complete
    std::vector<ws_control_frame> wire;       // written in full, in order
    std::optional<steady_time> idle_at;
    std::optional<steady_time> deadline_at;
    int deadlines_armed = 0;
    bool reading = true;
    bool shut_send_and_discarding = false;
    ws_teardown teardown = ws_teardown::none;

    fake_transport() { perform(state.start(now)); }

    void perform(ws_session_actions actions) {
        if (teardown != ws_teardown::none) REQUIRE(actions.empty());  // nothing happens after the end
        if (actions.stop_reading) reading = false;
        if (actions.arm_close_deadline) {
            REQUIRE(*actions.arm_close_deadline >= now);
            deadline_at = actions.arm_close_deadline;
            ++deadlines_armed;
        }
        if (actions.arm_idle_check) {
            REQUIRE(*actions.arm_idle_check > now);
            idle_at = actions.arm_idle_check;
        }
        if (actions.shutdown_send_and_discard) {
            reading = false;
            shut_send_and_discarding = true;
        }
        if (actions.teardown != ws_teardown::none) {
            teardown = actions.teardown;
            idle_at.reset();
            deadline_at.reset();
        }
        if (actions.send) queued.push_back(std::move(*actions.send));
        REQUIRE(state.ended() == (teardown != ws_teardown::none));
    }

    // Gathers what is queued, then the engine's close if the send queue says close, and starts
    // writing it; false when nothing goes out.
    bool start_write(std::optional<close_code> engine_close = {}) {
        if (!state.may_write() || !in_flight.empty()) return false;
        in_flight = std::exchange(queued, {});
        if (engine_close && state.may_take_messages()) {
            ws_session_actions actions = state.on_engine_close(*engine_close, "bye");
            REQUIRE(actions.send);
            in_flight.push_back(std::move(*actions.send));  // after the batch
            actions.send.reset();
            perform(std::move(actions));
        }
        if (in_flight.empty()) return false;
        state.on_write_started();
        return true;
    }
    void complete_write() {
        REQUIRE_FALSE(in_flight.empty());
        for (auto& frame : std::exchange(in_flight, {})) wire.push_back(std::move(frame));
        perform(state.on_write_completed(now));
    }
    // Writes until nothing is left, each write completing at once.
    void flush(std::optional<close_code> engine_close = {}) {
        while (start_write(engine_close)) complete_write();
    }

    // Moves the clock to `until`, firing the timers that fall due on the way, in order.
    void advance_to(steady_time until) {
        for (;;) {
            const bool idle_due = idle_at && *idle_at <= until;
            const bool deadline_due = deadline_at && *deadline_at <= until;
            if (!idle_due && !deadline_due) break;
            if (deadline_due && (!idle_due || *deadline_at <= *idle_at)) {
                now = *std::exchange(deadline_at, std::nullopt);
                perform(state.on_close_deadline());
            } else {
                now = *std::exchange(idle_at, std::nullopt);
                perform(state.on_idle_check(now));
            }
        }
        now = until;
    }

    [[nodiscard]] strings on_wire() const {
        strings out;
        for (const auto& frame : wire) out.push_back(describe(frame));
        return out;
    }
};

}  // namespace

TEST_CASE("the peer closes first: its close is echoed and the connection cut once the echo is out",
          "[server][ws_session_state]") {
    const auto [code, echoed] = GENERATE(table<std::uint16_t, std::string>({
        {1000, "close 1000"},
        {1001, "close 1001"},
        {4000, "close 4000"},
        // Codes that only report a missing status must never go on the wire: an empty close.
        {1005, "close"},
        {1006, "close"},
        {1015, "close"},
    }));
    fake_transport t;
    t.advance_to(t0 + 1s);
    t.perform(t.state.on_peer_close(code, t.now));
    CHECK_FALSE(t.reading);
    CHECK(t.state.peer_closed());
    CHECK(t.deadline_at == t0 + 1s + timeouts.close_timeout);
    CHECK_FALSE(t.state.may_take_messages());  // the echo goes before anything still queued
    t.flush();
    CHECK(t.on_wire() == strings{echoed});
    CHECK(t.teardown == ws_teardown::cut);
}

TEST_CASE("we close first: the close goes after the queue, and the peer's answer ends the connection",
          "[server][ws_session_state]") {
    fake_transport t;
    REQUIRE(t.state.may_take_messages());
    t.flush(close_code::normal);
    CHECK(t.on_wire() == strings{"close 1000 bye"});
    CHECK_FALSE(t.state.may_write());
    CHECK(t.reading);  // the answer is still to come
    CHECK(t.deadline_at == t0 + timeouts.close_timeout);
    CHECK(t.teardown == ws_teardown::none);

    t.advance_to(t0 + 1s);
    t.perform(t.state.on_peer_close(1000, t.now));
    CHECK_FALSE(t.reading);
    CHECK(t.teardown == ws_teardown::cut);
    CHECK(t.on_wire() == strings{"close 1000 bye"});  // not echoed: ours was the first
    CHECK(t.deadlines_armed == 1);
}

TEST_CASE("a peer that never answers our close is cut at the deadline", "[server][ws_session_state]") {
    fake_transport t;
    t.advance_to(t0 + 2s);
    t.flush(close_code::policy_violation);
    CHECK(t.on_wire() == strings{"close 1008 bye"});
    t.advance_to(t0 + 2s + timeouts.close_timeout - 1ms);
    CHECK(t.teardown == ws_teardown::none);
    t.advance_to(t0 + 2s + timeouts.close_timeout);
    CHECK(t.teardown == ws_teardown::cut);
}

TEST_CASE("the engine's deadline stands: our close going out later does not extend it", "[server][ws_session_state]") {
    fake_transport t;
    t.perform(t.state.on_close_deadline_requested(2s, t.now));
    CHECK(t.deadline_at == t0 + 2s);
    t.advance_to(t0 + 1s);
    t.flush(close_code::going_away);
    CHECK(t.on_wire() == strings{"close 1001 bye"});
    CHECK(t.deadline_at == t0 + 2s);
    t.perform(t.state.on_close_deadline_requested(10s, t.now));  // a second request changes nothing
    CHECK(t.deadlines_armed == 1);
    t.advance_to(t0 + 2s);
    CHECK(t.teardown == ws_teardown::cut);
}

TEST_CASE("a protocol failure closes with its code, half-closes and reads until the peer's EOF",
          "[server][ws_session_state]") {
    const auto [failure, expected] = GENERATE(table<ws_parse_error, std::string>({
        {ws_parse_error::protocol_error, "close 1002 protocol error"},
        {ws_parse_error::too_big, "close 1009 message too big"},
    }));
    fake_transport t;
    t.perform(t.state.on_protocol_failure(failure, t.now));
    CHECK(t.deadline_at == t0 + timeouts.close_timeout);
    CHECK_FALSE(t.shut_send_and_discarding);  // not before the close is out
    t.flush();
    CHECK(t.on_wire() == strings{expected});
    CHECK(t.shut_send_and_discarding);
    CHECK(t.teardown == ws_teardown::none);  // a reset now could overtake our close
    CHECK(t.deadlines_armed == 1);

    SECTION("the peer's EOF ends it") {
        t.perform(t.state.on_stream_ended());
        CHECK(t.teardown == ws_teardown::end);
    }
    SECTION("a peer that keeps sending is cut at the deadline") {
        t.advance_to(t0 + timeouts.close_timeout);
        CHECK(t.teardown == ws_teardown::cut);
    }
}

TEST_CASE("a parse error reported as none is no failure", "[server][ws_session_state]") {
    ws_session_state state(timeouts);
    CHECK(state.on_protocol_failure(ws_parse_error::none, t0).empty());
    CHECK(state.may_take_messages());
}

TEST_CASE("a close queued while a write is in flight goes out in the next write", "[server][ws_session_state]") {
    fake_transport t;
    t.perform(t.state.on_peer_ping("a"));
    REQUIRE(t.start_write());  // the pong
    t.perform(t.state.on_protocol_failure(ws_parse_error::protocol_error, t.now));
    t.complete_write();
    CHECK_FALSE(t.shut_send_and_discarding);  // that write held no close
    CHECK(t.on_wire() == strings{"pong a"});
    t.flush();
    CHECK(t.on_wire() == strings{"pong a", "close 1002 protocol error"});
    CHECK(t.shut_send_and_discarding);
}

TEST_CASE("the peer's close while ours is queued or being written is not echoed", "[server][ws_session_state]") {
    fake_transport t;
    SECTION("queued") {
        t.perform(t.state.on_protocol_failure(ws_parse_error::too_big, t.now));
        t.perform(t.state.on_peer_close(1000, t.now));
        CHECK(t.queued.size() == 1);
        t.flush();
    }
    SECTION("in the write in flight") {
        REQUIRE(t.start_write(close_code::normal));
        t.perform(t.state.on_peer_close(1000, t.now));
        t.complete_write();
    }
    CHECK(t.on_wire().size() == 1);
    CHECK_FALSE(t.shut_send_and_discarding);  // the handshake is complete: no half-close needed
    CHECK(t.teardown == ws_teardown::cut);
}

TEST_CASE("a quiet peer is pinged after half the idle timeout and cut after all of it", "[server][ws_session_state]") {
    fake_transport t;
    CHECK(t.idle_at == t0 + timeouts.idle_timeout / 2);
    t.advance_to(t0 + timeouts.idle_timeout / 2);
    CHECK(t.queued.size() == 1);
    t.flush();
    CHECK(t.on_wire() == strings{"ping"});
    t.advance_to(t0 + timeouts.idle_timeout - 1ms);
    CHECK(t.teardown == ws_teardown::none);
    t.advance_to(t0 + timeouts.idle_timeout);
    CHECK(t.teardown == ws_teardown::cut);
}

TEST_CASE("input resets the liveness count", "[server][ws_session_state]") {
    fake_transport t;
    const auto half = timeouts.idle_timeout / 2;
    t.advance_to(t0 + 10s);
    t.state.heard_input();
    t.advance_to(t0 + half);  // heard since the start: no ping
    CHECK(t.queued.empty());
    t.advance_to(t0 + 2 * half);  // quiet since the last check: ping
    CHECK(t.queued.size() == 1);
    t.flush();
    t.advance_to(t0 + 2 * half + 1s);
    t.state.heard_input();  // the pong
    t.advance_to(t0 + 3 * half);
    CHECK(t.teardown == ws_teardown::none);
    CHECK(t.on_wire() == strings{"ping"});
    t.advance_to(t0 + 4 * half);
    CHECK(t.on_wire().size() == 1);
    CHECK(t.queued.size() == 1);  // quiet again: a second ping
    t.advance_to(t0 + 5 * half);
    CHECK(t.teardown == ws_teardown::cut);
}

TEST_CASE("nothing is written after our close, yet the idle rule still cuts", "[server][ws_session_state]") {
    fake_transport t;
    t.flush(close_code::normal);
    t.perform(t.state.on_peer_ping("late"));
    t.perform(t.state.on_close_deadline_requested(1h, t.now));
    CHECK(t.queued.empty());
    CHECK_FALSE(t.state.may_write());
    CHECK_FALSE(t.start_write(close_code::normal));
    CHECK(t.on_wire() == strings{"close 1000 bye"});

    // With the close only queued (the engine's, which arms no deadline of its own), no pong or
    // ping joins it; a peer that stays quiet is still cut after the whole idle timeout.
    ws_session_state state(timeouts);
    CHECK(state.start(t0).arm_idle_check);
    CHECK(state.on_engine_close(close_code::normal, "bye").send);
    CHECK(state.on_peer_ping("late").empty());
    const ws_session_actions first_check = state.on_idle_check(t0 + 15s);
    CHECK_FALSE(first_check.send);
    CHECK(first_check.arm_idle_check == t0 + 30s);
    CHECK(state.on_idle_check(t0 + 30s).teardown == ws_teardown::cut);
}

TEST_CASE("a second close request is ignored", "[server][ws_session_state]") {
    fake_transport t;
    t.perform(t.state.on_peer_close(1000, t.now));
    t.perform(t.state.on_protocol_failure(ws_parse_error::protocol_error, t.now));
    CHECK(t.state.on_engine_close(close_code::policy_violation, "again").empty());
    t.perform(t.state.on_peer_close(1001, t.now));
    CHECK(t.queued.size() == 1);
    CHECK(t.deadlines_armed == 1);
    t.flush(close_code::normal);
    CHECK(t.on_wire() == strings{"close 1000"});
    CHECK(t.teardown == ws_teardown::cut);  // the peer closed: no half-close and wait
}

TEST_CASE("a protocol failure after our close went out keeps waiting for the deadline", "[server][ws_session_state]") {
    fake_transport t;
    t.flush(close_code::normal);
    t.perform(t.state.on_protocol_failure(ws_parse_error::protocol_error, t.now));
    CHECK(t.on_wire() == strings{"close 1000 bye"});
    CHECK(t.queued.empty());
    CHECK(t.deadlines_armed == 1);
    CHECK(t.teardown == ws_teardown::none);
    t.advance_to(t0 + timeouts.close_timeout);
    CHECK(t.teardown == ws_teardown::cut);
}

TEST_CASE("every event after the end is ignored", "[server][ws_session_state]") {
    ws_session_state state(timeouts);
    SECTION("cut by the idle rule") {
        CHECK(state.start(t0).arm_idle_check);
        CHECK(state.on_idle_check(t0 + 15s).send);
        CHECK(state.on_idle_check(t0 + 30s).teardown == ws_teardown::cut);
    }
    SECTION("ended by the stream") {
        CHECK(state.on_stream_ended().teardown == ws_teardown::end);
    }
    CHECK(state.ended());
    CHECK_FALSE(state.may_write());
    const steady_time later = t0 + 1min;
    CHECK(state.start(later).empty());
    state.heard_input();
    CHECK(state.on_peer_ping("x").empty());
    CHECK(state.on_peer_close(1000, later).empty());
    CHECK(state.on_protocol_failure(ws_parse_error::too_big, later).empty());
    CHECK(state.on_engine_close(close_code::normal, "bye").empty());
    CHECK(state.on_close_deadline_requested(1s, later).empty());
    state.on_write_started();
    CHECK(state.on_write_completed(later).empty());
    CHECK(state.on_stream_ended().empty());
    CHECK(state.on_idle_check(later).empty());
    CHECK(state.on_close_deadline().empty());
}

TEST_CASE("a deadline that was never armed cuts nothing, and start arms the idle check once",
          "[server][ws_session_state]") {
    ws_session_state state(timeouts);
    CHECK(state.on_close_deadline().empty());
    CHECK(state.start(t0).arm_idle_check == t0 + 15s);
    CHECK(state.start(t0 + 1s).empty());
    CHECK(state.may_write());
}

TEST_CASE("a close payload carries the code and a reason cut to 120 bytes on a character boundary",
          "[server][ws_session_state]") {
    CHECK(ws_close_payload(0, "ignored").empty());
    CHECK(ws_close_payload(1005, "").empty());
    CHECK(ws_close_payload(1000, "") == std::string("\x03\xe8", 2));
    CHECK(ws_close_payload(1000, std::string(200, 'a')).size() == 122);
    // "é" is two bytes; the 120th byte would split the 60th of them.
    std::string accents;
    for (int i = 0; i < 61; ++i) accents += "\xc3\xa9";
    const std::string payload = ws_close_payload(1000, std::string("x") + accents);
    CHECK(payload.size() == 2 + 1 + 59 * 2);

    std::string frame;
    ws_control_frame{ws_opcode::close, ws_close_payload(1009, "big")}.append_frame_to(frame);
    CHECK(frame == std::string("\x88\x05\x03\xf1" + std::string("big")));
}

TEST_CASE("any sequence of events: one close at most, last on the wire, never a reserved code, and an end",
          "[server][ws_session_state][property]") {
    const std::uint16_t codes[] = {1000, 1001, 1005, 1006, 1015, 4000};
    std::mt19937 random(20261211);
    for (int run = 0; run < 2000; ++run) {
        fake_transport t;
        std::optional<close_code> engine_close;
        const int steps = std::uniform_int_distribution<int>(1, 30)(random);
        for (int step = 0; step < steps && t.teardown == ws_teardown::none; ++step) {
            switch (std::uniform_int_distribution<int>(0, 10)(random)) {
                case 0:
                    t.state.heard_input();
                    break;
                case 1:
                    t.perform(t.state.on_peer_ping("p"));
                    break;
                case 2:
                    t.perform(t.state.on_peer_close(codes[random() % 6], t.now));
                    break;
                case 3:
                    t.perform(t.state.on_protocol_failure(
                        random() % 2 ? ws_parse_error::protocol_error : ws_parse_error::too_big, t.now));
                    break;
                case 4:
                    engine_close = close_code::normal;
                    break;
                case 5:
                    t.perform(t.state.on_close_deadline_requested(2s, t.now));
                    break;
                case 6:
                    (void)t.start_write(engine_close);
                    break;
                case 7:
                    if (!t.in_flight.empty()) t.complete_write();
                    break;
                case 8:
                    t.advance_to(t.now + std::chrono::milliseconds(static_cast<long>(random() % 20'000)));
                    break;
                case 9:
                    t.flush(engine_close);
                    break;
                case 10:
                    if (random() % 8 == 0) t.perform(t.state.on_stream_ended());
                    break;
            }
        }
        // Left alone, every connection ends: the deadline or the idle rule (input just before the
        // check, then two quiet ones) sees to it.
        if (!t.in_flight.empty() && t.teardown == ws_teardown::none) t.complete_write();
        t.flush(engine_close);
        t.advance_to(t.now + timeouts.idle_timeout * 3 / 2);
        REQUIRE(t.teardown != ws_teardown::none);
        REQUIRE(t.deadlines_armed <= 1);

        int closes = 0;
        for (std::size_t i = 0; i < t.wire.size(); ++i) {
            const ws_control_frame& frame = t.wire[i];
            REQUIRE(frame.payload.size() <= 125);
            if (frame.opcode != ws_opcode::close) continue;
            ++closes;
            REQUIRE(i + 1 == t.wire.size());
            const std::string text = describe(frame);
            REQUIRE(text != "close (malformed)");
            for (const char* reserved : {"close 1005", "close 1006", "close 1015"}) REQUIRE(text != reserved);
        }
        REQUIRE(closes <= 1);
    }
}
