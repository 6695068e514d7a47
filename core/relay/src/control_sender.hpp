// Control messages from the relay to one connection, with every error counted by its wire code.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "stoa/proto/control_messages.hpp"
#include "stoa/proto/errors.hpp"
#include "stoa/relay/relay_sink.hpp"
#include "stoa/relay/relay_stats.hpp"
#include "stoa/relay/wire_message.hpp"
#include "stoa/room/errors.hpp"

namespace stoa::relay {

[[nodiscard]] shared_message control_text(std::string text);
[[nodiscard]] proto::error_message room_error_message(room::room_error code, std::string message);

class control_sender {
public:
    control_sender(relay_sink& sink, relay_stats& stats) : sink_(sink), stats_(stats) {}

    void send(connection_id to, const proto::server_message& message);
    void send_error(connection_id to, proto::relay_error code, std::string message,
                    std::optional<std::uint32_t> request_id);
    void send_error(connection_id to, room::room_error code, std::string message,
                    std::optional<std::uint32_t> request_id);

private:
    relay_sink& sink_;
    relay_stats& stats_;
};

}  // namespace stoa::relay
