// The closing rules of RFC 6455 section 7 as one connection's state machine; see ws_session_state.hpp.
#include "stoa/server/ws_session_state.hpp"

#include <utility>

#include "stoa/server/ws_frame_header.hpp"

namespace stoa::server {

namespace {

// Control frame payloads are at most 125 bytes; two of them carry the code.
constexpr std::size_t max_close_reason = 120;

[[nodiscard]] constexpr bool reserved_close_code(std::uint16_t code) noexcept {
    return code == 0 || code == 1005 || code == 1006 || code == 1015;
}

[[nodiscard]] constexpr bool utf8_continuation(char byte) noexcept {
    return (static_cast<unsigned char>(byte) & 0xc0) == 0x80;
}

}  // namespace

void ws_control_frame::append_frame_to(std::string& out) const {
    const ws_frame_header header = make_frame_header(opcode, payload.size());
    out.append(reinterpret_cast<const char*>(header.bytes.data()), header.size);
    out += payload;
}

std::string ws_close_payload(std::uint16_t code, std::string_view reason) {
    std::string payload;
    if (reserved_close_code(code)) return payload;
    if (reason.size() > max_close_reason) {
        // A reason cut inside a character is invalid UTF-8, which the peer must fail on (1007).
        std::size_t keep = max_close_reason;
        while (keep > 0 && utf8_continuation(reason[keep])) --keep;
        reason = reason.substr(0, keep);
    }
    payload.push_back(static_cast<char>(code >> 8));
    payload.push_back(static_cast<char>(code & 0xff));
    payload.append(reason);
    return payload;
}

ws_session_actions ws_session_state::start(steady_time now) {
    ws_session_actions actions;
    if (started_ || phase_ == phase::ended) return actions;
    started_ = true;
    actions.arm_idle_check = now + timeouts_.idle_timeout / 2;
    return actions;
}

ws_session_actions ws_session_state::on_peer_ping(std::string payload) {
    ws_session_actions actions;
    // After our close nothing more is written, a pong included.
    if (phase_ == phase::open) actions.send = ws_control_frame{ws_opcode::pong, std::move(payload)};
    return actions;
}

ws_session_actions ws_session_state::on_peer_close(std::uint16_t code, steady_time now) {
    if (phase_ == phase::ended) return {};
    ws_session_actions actions;
    actions.stop_reading = true;
    once_close_written_ = after_close::cut;
    switch (phase_) {
        case phase::close_sent:  // the handshake is complete
            finish(actions, ws_teardown::cut);
            return actions;
        case phase::close_queued:  // ours answers it; the connection ends once it is out
            return actions;
        case phase::open:
        case phase::ended:
            break;
    }
    arm_deadline(actions, now + timeouts_.close_timeout);
    queue_close(actions, code, {});
    return actions;
}

ws_session_actions ws_session_state::on_protocol_failure(ws_parse_error error, steady_time now) {
    if (phase_ == phase::ended || error == ws_parse_error::none) return {};
    ws_session_actions actions;
    if (once_close_written_ == after_close::await_answer) once_close_written_ = after_close::shutdown_and_discard;
    arm_deadline(actions, now + timeouts_.close_timeout);
    if (phase_ == phase::open) {
        queue_close(actions, close_code_for(error),
                    error == ws_parse_error::too_big ? "message too big" : "protocol error");
    }
    return actions;
}

ws_session_actions ws_session_state::on_engine_close(relay::close_code code, std::string_view reason) {
    ws_session_actions actions;
    if (phase_ == phase::open) queue_close(actions, static_cast<std::uint16_t>(code), reason);
    return actions;
}

ws_session_actions ws_session_state::on_close_deadline_requested(std::chrono::milliseconds after, steady_time now) {
    ws_session_actions actions;
    if (phase_ != phase::ended) arm_deadline(actions, now + after);
    return actions;
}

void ws_session_state::on_write_started() noexcept {
    // The close is always the last frame queued, so a write gathered while it is queued holds it.
    close_in_write_ = phase_ == phase::close_queued;
}

ws_session_actions ws_session_state::on_write_completed(steady_time now) {
    if (phase_ != phase::close_queued || !std::exchange(close_in_write_, false)) return {};
    phase_ = phase::close_sent;
    ws_session_actions actions;
    switch (once_close_written_) {
        case after_close::cut:  // the peer's close came first: ours was the answer
            finish(actions, ws_teardown::cut);
            return actions;
        case after_close::shutdown_and_discard:
            // Closing with the peer's unread bytes in our receive buffer would send a reset that
            // can overtake our close: half-close instead and read until the peer's EOF.
            actions.shutdown_send_and_discard = true;
            break;
        case after_close::await_answer:  // keep reading until the peer answers
            break;
    }
    arm_deadline(actions, now + timeouts_.close_timeout);
    return actions;
}

ws_session_actions ws_session_state::on_stream_ended() {
    ws_session_actions actions;
    if (phase_ != phase::ended) finish(actions, ws_teardown::end);
    return actions;
}

ws_session_actions ws_session_state::on_idle_check(steady_time now) {
    if (phase_ == phase::ended) return {};
    ws_session_actions actions;
    switch (liveness_.check()) {
        case liveness_verdict::dead:
            finish(actions, ws_teardown::cut);
            return actions;
        case liveness_verdict::ping:
            if (phase_ == phase::open) actions.send = ws_control_frame{ws_opcode::ping, {}};
            break;
        case liveness_verdict::alive:
            break;
    }
    actions.arm_idle_check = now + timeouts_.idle_timeout / 2;
    return actions;
}

ws_session_actions ws_session_state::on_close_deadline() {
    ws_session_actions actions;
    if (phase_ != phase::ended && deadline_armed_) finish(actions, ws_teardown::cut);
    return actions;
}

void ws_session_state::queue_close(ws_session_actions& actions, std::uint16_t code, std::string_view reason) {
    phase_ = phase::close_queued;
    actions.send = ws_control_frame{ws_opcode::close, ws_close_payload(code, reason)};
}

void ws_session_state::arm_deadline(ws_session_actions& actions, steady_time at) {
    // The first deadline stands: a later one never extends (or shortens) the handshake.
    if (deadline_armed_) return;
    deadline_armed_ = true;
    actions.arm_close_deadline = at;
}

void ws_session_state::finish(ws_session_actions& actions, ws_teardown how) {
    phase_ = phase::ended;
    actions.teardown = how;
}

}  // namespace stoa::server
