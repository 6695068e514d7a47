// What the relay knows of one open connection: who it proved to be, its room and its own limits.
#pragma once

#include <optional>
#include <string>

#include "admission.hpp"
#include "handshake.hpp"
#include "stoa/common/ids.hpp"
#include "stoa/common/time.hpp"

namespace stoa::relay {

// The last time a binary message found this connection's member allowed to send media (on stage,
// unmuted), and in which room: the relay forwards its speaker signatures for a short tail after.
struct media_permission_seen {
    room_id room{};
    time_point at{};
};

struct connection_state {
    handshake identity{};
    std::optional<room_id> room{};
    sender_index index{};  // in `room`, which forwards only binary messages carrying it
    time_point opened_at{};
    std::string address{};  // keys the per-address limits; empty when unknown
    connection_limits limits{};
    // Noted at each media frame and signature that finds it allowed, not at each role or mute
    // change: a signature is worth forwarding only over frames the relay took while the member was
    // allowed to send them, and it is signed at most 200 ms after the first frame of its batch.
    std::optional<media_permission_seen> may_send_media_seen{};

    [[nodiscard]] const member_id& member() const noexcept { return identity.member(); }
    [[nodiscard]] const public_key& key() const noexcept { return identity.key(); }
};

}  // namespace stoa::relay
