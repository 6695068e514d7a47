// One encoded message on its way to one or many connections. A broadcast builds it once and
// every recipient's queue shares the same immutable buffer.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "stoa/common/bytes.hpp"
#include "stoa/common/strong_type.hpp"

namespace stoa::relay {

struct connection_tag;
// Chosen by the transport (socket, in-memory pipe); the engine only compares them.
using connection_id = strong_int<connection_tag, std::uint64_t>;

enum class payload_kind : std::uint8_t { text = 0, binary = 1 };

// A send queue under pressure drops media first (oldest first) and never drops control.
enum class traffic_class : std::uint8_t { control = 0, media = 1 };

struct wire_message {
    std::string data;
    payload_kind kind = payload_kind::text;
    traffic_class priority = traffic_class::control;

    [[nodiscard]] byte_view bytes() const noexcept {
        return {reinterpret_cast<const std::uint8_t*>(data.data()), data.size()};
    }
};

using shared_message = std::shared_ptr<const wire_message>;

[[nodiscard]] inline shared_message make_message(std::string data, payload_kind kind, traffic_class priority) {
    return std::make_shared<const wire_message>(wire_message{std::move(data), kind, priority});
}

}  // namespace stoa::relay
