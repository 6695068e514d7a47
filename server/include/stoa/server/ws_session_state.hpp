// The close handshake and liveness of one server-side WebSocket connection (RFC 6455 section 7),
// sans-I/O: the session reports what happened, with the time, and performs the actions returned.
// It owns every rule of how a connection ends; the session keeps only its reads and writes.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "stoa/relay/relay_sink.hpp"
#include "stoa/server/ws_frame_parser.hpp"
#include "stoa/server/ws_liveness.hpp"

namespace stoa::server {

using steady_time = std::chrono::steady_clock::time_point;

struct ws_session_timeouts {
    std::chrono::milliseconds idle_timeout{30'000};  // a ping after half of it quiet, a cut after all
    std::chrono::milliseconds close_timeout{5'000};  // how long a close handshake may take
};

// A ping, pong or close for the transport to write in front of its next batch (a close from
// on_engine_close goes after the batch instead: everything queued before it must go out first).
struct ws_control_frame {
    ws_opcode opcode = ws_opcode::ping;
    std::string payload;

    // Appends the whole frame (unmasked header, then payload) to `out`.
    void append_frame_to(std::string& out) const;
    bool operator==(const ws_control_frame&) const = default;
};

// A close frame's payload: the code and at most 120 bytes of reason (cut on a UTF-8 character
// boundary). Empty for 0 and for the codes RFC 6455 7.4.1 forbids on the wire (1005, 1006, 1015).
[[nodiscard]] std::string ws_close_payload(std::uint16_t code, std::string_view reason);

// How the connection goes when it ends.
enum class ws_teardown : std::uint8_t {
    none,
    cut,  // shutdown both ways and close the socket, then release the connection
    end,  // the stream already failed or hit EOF: close the socket if open, release the connection
};

// What the transport does after an event, in field order (the frame is written last because a
// write can complete at once and end the connection).
struct ws_session_actions {
    bool stop_reading = false;                      // the peer closed: drop parsed input, read no more
    std::optional<steady_time> arm_close_deadline;  // call on_close_deadline then (armed once per connection)
    std::optional<steady_time> arm_idle_check;      // call on_idle_check then
    bool shutdown_send_and_discard = false;         // we failed the peer: SHUT_WR, then read and drop until EOF
    ws_teardown teardown = ws_teardown::none;
    std::optional<ws_control_frame> send;  // queue it and start a write

    [[nodiscard]] bool empty() const noexcept { return *this == ws_session_actions{}; }
    bool operator==(const ws_session_actions&) const = default;
};

class ws_session_state {
public:
    explicit ws_session_state(ws_session_timeouts timeouts) noexcept : timeouts_(timeouts) {}

    // The upgrade completed: liveness checks start. Writes may begin before it (the engine's welcome).
    [[nodiscard]] ws_session_actions start(steady_time now);

    // Bytes arrived from the peer (any frame, even one that fails to parse).
    void heard_input() noexcept { liveness_.heard(); }
    // A ping from the peer: answered with its payload unless our close is queued.
    [[nodiscard]] ws_session_actions on_peer_ping(std::string payload);
    // The peer's close: echoed (1005/1006/1015 as an empty close) unless ours is queued already.
    [[nodiscard]] ws_session_actions on_peer_close(std::uint16_t code, steady_time now);
    // The peer broke the protocol: close with close_code_for(error), then let it read that close.
    [[nodiscard]] ws_session_actions on_protocol_failure(ws_parse_error error, steady_time now);
    // The send queue said `close` (everything before it is in this write): the close goes last.
    [[nodiscard]] ws_session_actions on_engine_close(relay::close_code code, std::string_view reason);
    // The engine wants the connection gone within `after`, whatever the peer does.
    [[nodiscard]] ws_session_actions on_close_deadline_requested(std::chrono::milliseconds after, steady_time now);

    // A write was gathered (after on_engine_close, if the queue said close) and goes out now.
    void on_write_started() noexcept;
    // That write went out in full.
    [[nodiscard]] ws_session_actions on_write_completed(steady_time now);
    // A read or write failed, or the peer's EOF arrived.
    [[nodiscard]] ws_session_actions on_stream_ended();

    // The idle check armed by an earlier action is due.
    [[nodiscard]] ws_session_actions on_idle_check(steady_time now);
    // The deadline armed by an earlier action passed: the handshake took too long.
    [[nodiscard]] ws_session_actions on_close_deadline();

    // Something may still be written (our close is not out and the connection has not ended).
    [[nodiscard]] bool may_write() const noexcept { return phase_ == phase::open || phase_ == phase::close_queued; }
    // Messages may still be taken from the send queue (no close is queued).
    [[nodiscard]] bool may_take_messages() const noexcept { return phase_ == phase::open; }
    // The peer's close arrived: its messages are no longer handed to the engine.
    [[nodiscard]] bool peer_closed() const noexcept { return once_close_written_ == after_close::cut; }
    [[nodiscard]] bool ended() const noexcept { return phase_ == phase::ended; }

private:
    enum class phase : std::uint8_t { open, close_queued, close_sent, ended };
    // Once our close is written; a later reason only ever moves this towards cut.
    enum class after_close : std::uint8_t { await_answer, shutdown_and_discard, cut };

    void queue_close(ws_session_actions& actions, std::uint16_t code, std::string_view reason);
    void arm_deadline(ws_session_actions& actions, steady_time at);
    void finish(ws_session_actions& actions, ws_teardown how);

    ws_session_timeouts timeouts_;
    ws_liveness liveness_;
    phase phase_ = phase::open;
    after_close once_close_written_ = after_close::await_answer;
    bool close_in_write_ = false;
    bool deadline_armed_ = false;
    bool started_ = false;
};

}  // namespace stoa::server
