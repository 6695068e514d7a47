// Counters a client session keeps: what the load generator reports and tests assert.
#pragma once

#include <cstdint>

namespace stoa::client {

struct session_stats {
    std::uint64_t frames_sent = 0;
    std::uint64_t frames_skipped_dtx = 0;  // silence the encoder said need not be sent
    std::uint64_t frames_received = 0;     // decrypted and authenticated
    std::uint64_t decrypt_failures = 0;    // any unprotect error but replay
    std::uint64_t no_key_failures = 0;     // frames of an epoch this member never had (joined later, removed)
    std::uint64_t replays_rejected = 0;
    std::uint64_t bad_payloads = 0;
    std::uint64_t forged_frames = 0;
    std::uint64_t unverified_frames = 0;
    std::uint64_t signatures_verified = 0;
    std::uint64_t outbox_media_dropped = 0;
    std::uint64_t resyncs = 0;
    std::uint64_t rekeys = 0;  // epochs learnt
    std::uint64_t key_requests = 0;     // asked the host to reseal missed key material
    std::uint64_t security_alarms = 0;  // event::security_alarm raised (each kind once per member)
    // Emoji reactions. Every refusal is silent (no error event: a flood would become one).
    std::uint64_t reactions_sent = 0;
    std::uint64_t reactions_received = 0;         // decrypted, authenticated, new, a known kind
    std::uint64_t reactions_unknown_kind = 0;     // authentic, but a kind this client does not know
    std::uint64_t reactions_refused = 0;          // did not decrypt or verify, or a key not the sender's
    std::uint64_t reactions_replayed = 0;         // a counter already seen from that sender
    std::uint64_t reactions_no_key = 0;           // sealed under an epoch this member does not hold
    std::uint64_t reactions_dropped_rate_limited = 0;  // over reaction_limits on receipt
    // Sum and count of plausible (arrival - send time) for decrypted frames, microseconds; meaningful when
    // sender and receiver share a clock (load generator, tests).
    std::int64_t latency_sum_us = 0;
    std::uint64_t latency_samples = 0;
};

}  // namespace stoa::client
