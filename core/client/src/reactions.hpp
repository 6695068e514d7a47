// The client session's emoji reactions: sealing one under the current epoch (rate-limited), and
// opening, authenticating, de-duplicating and rate-limiting those of other members.
#pragma once

#include <cstdint>
#include <unordered_map>

#include "roster_sync.hpp"
#include "session_io.hpp"
#include "stoa/client/client_error.hpp"
#include "stoa/client/reaction.hpp"
#include "stoa/client/session_stats.hpp"
#include "stoa/common/random.hpp"
#include "stoa/common/result.hpp"
#include "stoa/common/time.hpp"
#include "stoa/e2ee/identity.hpp"
#include "stoa/e2ee/keyring.hpp"

namespace stoa::client {

class reactions {
public:
    // All references must outlive the part (the session owns them all).
    reactions(const e2ee::identity& identity, random_source& random, session_io& io, session_stats& stats,
              const roster_sync& roster, reaction_limits limits = {})
        : identity_(identity), random_(random), io_(io), stats_(stats), roster_(roster), limits_(limits) {}

    // The relay's welcome: this member reacts as `own_index` in `room` from now on.
    void start(const room_id& room, sender_index own_index, time_point now);
    // The room is gone: what was remembered of its senders goes too.
    void stop();

    // Seals `kind` under the newest epoch and queues it. Refused: not in a room (not_in_room), no
    // epoch key yet (no_sending_key), over the send limit (rate_limited).
    [[nodiscard]] status<client_error> send(reaction_kind kind, const e2ee::keyring* keys, time_point now);
    // A reaction message's payload from `from`. Raises event::reaction or counts why not.
    void receive(sender_index from, byte_view payload, const e2ee::keyring* keys, time_point now);

private:
    // `burst` at once, then `per_second`, on the caller's clock.
    struct bucket {
        double tokens = 0.0;
        time_point updated{};
        [[nodiscard]] bool take(double burst, double per_second, time_point now);
    };
    struct sender_state {
        std::uint64_t last_counter = 0;
        bucket rate{};
        time_point last_seen{};
    };
    // The remembered state of `from`, making room by forgetting the longest-silent sender.
    sender_state& state_of(sender_index from, time_point now);

    const e2ee::identity& identity_;
    random_source& random_;
    session_io& io_;
    session_stats& stats_;
    const roster_sync& roster_;
    reaction_limits limits_;

    bool started_ = false;
    room_id room_{};
    sender_index index_{};
    std::uint64_t next_counter_ = 1;
    bucket send_rate_{};
    bucket receive_rate_{};
    std::unordered_map<std::uint32_t, sender_state> senders_;
};

}  // namespace stoa::client
