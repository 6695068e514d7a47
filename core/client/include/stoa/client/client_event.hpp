// What a client session tells its driver (browser UI, load generator, demo) after input.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "stoa/common/ids.hpp"
#include "stoa/common/time.hpp"
#include "stoa/e2ee/admission.hpp"
#include "stoa/room/types.hpp"

namespace stoa::client::event {

struct room_created {
    room_id room{};
    std::optional<invite_token> invite{};  // the relay's gate for a closed room
    // A closed room's end-to-end admission secret, made on this device: it belongs in the invite
    // link's fragment (never sent to the relay). All zeros for open rooms.
    e2ee::admission_secret admission{};
};
// The welcome arrived and its snapshot is loaded: the member is in the room.
struct joined {
    room_id room{};
    sender_index index{};
    room::role member_role = room::role::listener;
};
// The replica changed (a delta applied or a snapshot loaded). Coarse on purpose: redraw.
struct roster_changed {};
struct invited_to_stage {};
struct role_changed {
    room::role member_role = room::role::listener;
};
// The session is no longer in the room: kicked, banned, the room ended, or it left.
struct removed {
    room::leave_reason reason = room::leave_reason::left;
};
// A new epoch key is usable for decrypting (first keys, or a rekey).
struct keys_changed {
    epoch_id epoch{};
};
// An error from the relay (any wire code) or from the session itself.
struct error {
    std::uint16_t code = 0;
    std::string name;
    std::string message;
};
// A frame that a member holding the room key forged under another speaker's index, or a frame
// whose speaker signature never arrived.
struct speaker_alarm {
    sender_index sender{};
    bool forged = false;  // false: unverified (no signature within the deadline)
};
// Something the relay (or a member with its help) did that the end-to-end checks caught. Shown to
// the user in plain words; the session has already refused whatever was forged.
enum class alarm_kind : std::uint8_t {
    host_key_changed = 1,     // the roster names a host key other than the one this member trusted
    member_id_mismatch = 2,   // a roster entry whose member id is not derived from its key
    unadmitted_member = 3,    // host: a closed room's member without a valid admission proof (no keys)
    replayed_key_package = 4, // a key package sealed for an earlier session of this member
};
// The alarm's name as the web client, stoa-bot and docs/security.md (section 12) spell it.
[[nodiscard]] constexpr std::string_view to_string(alarm_kind kind) noexcept {
    switch (kind) {
        case alarm_kind::host_key_changed: return "host_key_changed";
        case alarm_kind::member_id_mismatch: return "member_id_mismatch";
        case alarm_kind::unadmitted_member: return "unadmitted_member";
        case alarm_kind::replayed_key_package: return "replayed_key_package";
    }
    return "unknown";
}
struct security_alarm {
    alarm_kind kind = alarm_kind::host_key_changed;
    member_id member{};
    sender_index index{};
};
// A closed room's admission secret changed (this host rotated it after a kick or ban, or it
// arrived with keys): invite links made from now on must carry the new one.
struct admission_changed {};
struct audience_page {
    room::audience_page page;
};
struct directory {
    std::uint32_t total = 0;
    std::vector<std::pair<room_id, std::string>> rooms;
    std::vector<std::uint32_t> listeners;
};
// The relay is shutting down; reconnect after the delay.
struct relay_shutdown {
    duration reconnect_after{};
};
// The transport to the relay is gone while this session was in (or joining) `room`: it is out of
// the room until it reconnects, and then rejoins (or re-creates, as its creator) by itself.
struct connection_lost {
    room_id room{};
};
// Back in the room after a lost transport (after `joined`, which the welcome raised as usual):
// fresh keys under a fresh session, none from before.
struct rejoined {
    room_id room{};
    sender_index index{};
    room::role member_role = room::role::listener;
    bool recreated = false;  // this session re-created the room (its creator, after a relay restart)
};
// An emoji reaction from a member, decrypted and authenticated (its signature, its key against
// the roster entry at its index when this member holds one). `member` is derived from the
// signing key.
struct reaction {
    member_id member{};
    sender_index index{};
    std::uint8_t kind = 0;  // a value of reaction_kind (stoa/client/reaction.hpp); unknown ones never arrive
};
// The session stopped trying to get back into `room` (an error event with the code precedes it,
// then `removed` with reason disconnected).
struct rejoin_failed {
    room_id room{};
    std::uint16_t code = 0;  // client_error::rejoin_timed_out, or the relay's refusal
};

}  // namespace stoa::client::event

namespace stoa::client {

using client_event = std::variant<event::room_created, event::joined, event::roster_changed, event::invited_to_stage,
                                  event::role_changed, event::removed, event::keys_changed, event::error,
                                  event::speaker_alarm, event::security_alarm, event::admission_changed,
                                  event::audience_page, event::directory, event::relay_shutdown,
                                  event::connection_lost, event::rejoined, event::rejoin_failed, event::reaction>;

}  // namespace stoa::client
