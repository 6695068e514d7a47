// What a part of the client session may do to the outside: queue messages for the transport and
// raise events. The front object implements it; part tests implement it with a recorder.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "stoa/client/client_event.hpp"
#include "stoa/proto/control_messages.hpp"

namespace stoa::client {

class session_io {
public:
    // A request the relay answers by id (deferred until the handshake has finished).
    virtual void send_json(const proto::client_message& message) = 0;
    // `media` marks audio, which the outbox drops first (oldest first) when it overflows.
    virtual void send_binary(std::string data, bool media) = 0;
    virtual void emit(client_event event) = 0;
    [[nodiscard]] virtual std::uint32_t next_request_id() = 0;

    void report(std::uint16_t code, std::string_view name, std::string message) {
        emit(event::error{code, std::string(name), std::move(message)});
    }

protected:
    ~session_io() = default;
};

}  // namespace stoa::client
