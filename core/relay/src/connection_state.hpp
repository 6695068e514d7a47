// What the relay knows of one open connection: who it proved to be, its room and its own limits.
#pragma once

#include <optional>
#include <string>

#include "admission.hpp"
#include "handshake.hpp"
#include "stoa/common/ids.hpp"
#include "stoa/common/time.hpp"

namespace stoa::relay {

struct connection_state {
    handshake identity{};
    std::optional<room_id> room{};
    sender_index index{};  // in `room`, which forwards only binary messages carrying it
    time_point opened_at{};
    std::string address{};  // keys the per-address limits; empty when unknown
    connection_limits limits{};

    [[nodiscard]] const member_id& member() const noexcept { return identity.member(); }
    [[nodiscard]] const public_key& key() const noexcept { return identity.key(); }
};

}  // namespace stoa::relay
