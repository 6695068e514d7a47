// Errors of the client session itself (wire range 600-699); errors it receives from the relay
// keep their own codes.
#pragma once

#include <cstdint>
#include <string_view>

namespace stoa::client {

// Never renumber: these values are reported to the browser and the load generator.
enum class client_error : std::uint16_t {
    not_in_room = 600,        // a room request before the welcome
    not_on_stage = 601,       // audio from a member in the audience
    muted = 602,              // audio while self- or moderator-muted
    no_sending_key = 603,     // audio before the first epoch key arrived
    bad_media_payload = 604,  // a decrypted frame whose inner payload does not parse
    wrong_state = 605,        // e.g. join before the handshake, a second hello
    unknown_sender = 606,     // media from a sender index not on the stage
    too_large = 607,          // an outgoing payload over its limit
    // A closed room joined without the link's admission secret (an old or cut link): the host
    // will give this member no keys, so it will hear nothing.
    missing_admission_secret = 608,
    // The transport came back too late, or the room never did: the session stopped trying to
    // rejoin the room it lost with its relay (client_config::rejoin_give_up).
    rejoin_timed_out = 609,
    // send_reaction: a kind outside reaction_kinds, or faster than reaction_limits allow.
    unknown_reaction = 610,
    rate_limited = 611,
};

[[nodiscard]] std::string_view to_string(client_error error) noexcept;

}  // namespace stoa::client
