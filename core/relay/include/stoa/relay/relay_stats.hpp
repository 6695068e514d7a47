// Counters the relay engine keeps for /metrics and for tests that assert what was dropped and why.
#pragma once

#include <array>
#include <cstdint>

namespace stoa::relay {

// Wire error codes are below 600 (proto 100-199, room 200-299, relay 500-599).
inline constexpr std::size_t error_code_slots = 600;

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
    std::uint64_t media_dropped_rate_limited = 0;  // over media_per_connection
    std::uint64_t speaker_signatures_in = 0;
    // From a member neither allowed to send media nor within speaker_signature_tail of it: a
    // listener, or a speaker muted or moved down for longer than that. Dropped without a reply.
    std::uint64_t speaker_signatures_dropped_not_on_stage = 0;
    std::uint64_t speaker_signatures_dropped_rate_limited = 0;  // over speaker_signatures_per_connection
    std::uint64_t key_requests_forwarded = 0;                    // passed to the room's host
    std::uint64_t reactions_forwarded = 0;             // sealed reactions passed to the room
    std::uint64_t reactions_dropped_rate_limited = 0;  // over reactions_per_connection or reactions_per_room
    std::uint64_t reactions_dropped_not_in_room = 0;   // before the welcome
    std::uint64_t key_requests_dropped = 0;                      // over key_requests_per_connection, or no host
    std::uint64_t key_packages_delivered = 0;
    std::uint64_t key_packages_unroutable = 0;  // recipient no longer in the room (or its seat is held)
    std::uint64_t key_messages_refused = 0;     // key traffic from someone who is not the distributor
    std::uint64_t deltas_sent = 0;              // one per recipient

    std::uint64_t rate_limited = 0;        // requests answered with rate_limited (503)
    std::uint64_t seats_held = 0;          // transports lost with the seat kept for the grace window
    std::uint64_t seats_reattached = 0;    // members back within their grace window
    std::uint64_t seats_expired = 0;       // grace windows that ran out (the member left as disconnected)

    // Every error message sent, by wire code: the "rejected by reason" of /metrics.
    std::array<std::uint64_t, error_code_slots> errors_sent{};
};

}  // namespace stoa::relay
