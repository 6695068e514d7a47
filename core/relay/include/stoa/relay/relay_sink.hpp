// Where the relay engine's decisions go: the transport implements this (a socket server, or an
// in-memory network in tests). Calls happen synchronously inside the engine's entry points.
#pragma once

#include <cstdint>
#include <string_view>

#include "stoa/relay/wire_message.hpp"

namespace stoa::relay {

// WebSocket close codes the engine asks for (RFC 6455 section 7.4).
enum class close_code : std::uint16_t {
    normal = 1000,
    going_away = 1001,
    protocol_error = 1002,
    policy_violation = 1008,
    too_large = 1009,
};

class relay_sink {
public:
    virtual ~relay_sink() = default;
    // Queue `message` for `to`. The same shared_message may be passed for thousands of recipients.
    virtual void send(connection_id to, const shared_message& message) = 0;
    // Flush what was queued for `who`, then close it.
    virtual void close(connection_id who, close_code code, std::string_view reason) = 0;
};

}  // namespace stoa::relay
