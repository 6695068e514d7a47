// Encodes and sends control messages; the error counters are the "rejected by reason" of /metrics.
#include "control_sender.hpp"

#include <utility>
#include <variant>

#include "stoa/proto/control_codec.hpp"

namespace stoa::relay {

shared_message control_text(std::string text) {
    return make_message(std::move(text), payload_kind::text, traffic_class::control);
}

proto::error_message room_error_message(room::room_error code, std::string message) {
    return {static_cast<std::uint16_t>(code), std::string(room::to_string(code)), std::move(message)};
}

void control_sender::send(connection_id to, const proto::server_message& message) {
    if (const auto* error = std::get_if<proto::error_message>(&message.body); error && error->code < error_code_slots) {
        ++stats_.errors_sent[error->code];
    }
    sink_.send(to, control_text(proto::encode(message)));
}

void control_sender::send_error(connection_id to, proto::relay_error code, std::string message,
                                std::optional<std::uint32_t> request_id) {
    send(to, {request_id, proto::make_error(code, std::move(message))});
}

void control_sender::send_error(connection_id to, room::room_error code, std::string message,
                                std::optional<std::uint32_t> request_id) {
    send(to, {request_id, room_error_message(code, std::move(message))});
}

}  // namespace stoa::relay
