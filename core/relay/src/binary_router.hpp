// Binary messages (media, speaker signatures, key traffic) routed by their header alone: the
// payload is ciphertext the relay cannot read, and media is forwarded as the very buffer received.
#pragma once

#include <optional>

#include "connection_state.hpp"
#include "room_table.hpp"
#include "stoa/common/time.hpp"
#include "stoa/proto/control_messages.hpp"
#include "stoa/relay/relay_engine.hpp"
#include "stoa/relay/relay_sink.hpp"
#include "stoa/relay/relay_stats.hpp"
#include "stoa/relay/wire_message.hpp"

namespace stoa::relay {

class binary_router {
public:
    // `config` must outlive the router (the engine owns both).
    binary_router(relay_sink& sink, relay_stats& stats, const relay_config& config)
        : sink_(sink), stats_(stats), config_(config) {}

    // Forwards `message` from connection `from` (`sender`), a member of `room`, or drops it.
    // Returns the error to answer the sender with, if any; other drops are only counted.
    [[nodiscard]] std::optional<proto::error_message> route(const room_state& room, connection_id from,
                                                            connection_state& sender, const shared_message& message,
                                                            time_point now);

private:
    void forward_to_room(const room_state& room, connection_id except, const shared_message& message);
    // On stage and unmuted now (noted for the tail), or was within speaker_signature_tail.
    [[nodiscard]] bool may_send_signature(const room_state& room, connection_state& sender, time_point now) const;

    relay_sink& sink_;
    relay_stats& stats_;
    const relay_config& config_;
};

}  // namespace stoa::relay
