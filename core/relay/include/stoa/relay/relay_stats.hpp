// Counters the relay engine keeps for /metrics and for tests that assert what was dropped and why.
#pragma once

#include <array>
#include <cstdint>

namespace stoa::relay {

struct relay_stats {
    std::uint64_t connections_opened = 0;
    std::uint64_t authenticated = 0;
    std::uint64_t auth_failures = 0;
    std::uint64_t rooms_created = 0;
    std::uint64_t joins = 0;
    std::uint64_t actions_applied = 0;
    std::uint64_t actions_rejected = 0;
    std::uint64_t bad_messages = 0;  // did not decode: the connection got an error

    std::uint64_t media_frames_in = 0;
    std::uint64_t media_deliveries = 0;          // one per recipient
    std::uint64_t media_dropped_not_on_stage = 0;  // a listener (or muted member) sending audio
    std::uint64_t media_dropped_sender_mismatch = 0;
    std::uint64_t key_packages_delivered = 0;
    std::uint64_t key_packages_unroutable = 0;  // recipient no longer in the room
    std::uint64_t key_messages_refused = 0;     // key traffic from someone who is not the distributor
    std::uint64_t deltas_sent = 0;              // one per recipient
};

}  // namespace stoa::relay
