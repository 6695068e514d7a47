// The JSON control messages as typed values: what a client sends the relay and what the relay
// sends a client. Room data reuses the room vocabulary; the codec is in control_codec.hpp.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "stoa/common/bytes.hpp"
#include "stoa/common/ids.hpp"
#include "stoa/proto/errors.hpp"
#include "stoa/proto/limits.hpp"
#include "stoa/room/types.hpp"

namespace stoa::proto {

using auth_challenge = std::array<std::uint8_t, auth_challenge_size>;
using auth_signature = std::array<std::uint8_t, auth_signature_size>;

// ---- Either direction ----
struct ping {
    std::uint32_t nonce = 0;
    friend bool operator==(const ping&, const ping&) = default;
};
struct pong {
    std::uint32_t nonce = 0;  // the ping's nonce
    friend bool operator==(const pong&, const pong&) = default;
};

// ---- Client -> relay ----
struct hello {
    public_key key{};
    std::string client_name{};
    std::string client_version{};
    friend bool operator==(const hello&, const hello&) = default;
};
struct auth {
    auth_signature signature{};  // Ed25519 over auth_transcript(context, challenge)
    friend bool operator==(const auth&, const auth&) = default;
};
struct create_room {
    room::room_kind kind = room::room_kind::open;
    bool stage_only = false;
    std::optional<std::string> title{};  // required for open rooms, absent for closed ones
    // The room id is derived from the creator's key and this claim (e2ee/room_claim.hpp); absent,
    // the relay picks one. A creator that sends the claim of a room it made before gets the same
    // id back: that is how a room comes back after a relay restart.
    std::optional<room_claim> claim{};
    // Closed rooms only: the invite token the room should keep (a re-created room's, so the
    // links already shared stay valid); absent, the relay makes one.
    std::optional<invite_token> invite{};
    friend bool operator==(const create_room&, const create_room&) = default;
};
// The key comes from hello (it was authenticated); the relay builds room::action::join from both.
struct join_room {
    room_id room{};
    std::optional<invite_token> invite{};
    bytes profile{};
    bytes admission{};  // the joiner's proof for the key distributor (e2ee/admission.hpp); opaque here
    friend bool operator==(const join_room&, const join_room&) = default;
};
// Any room action except join (sent as join_room) and disconnect (issued by the relay only).
struct room_action {
    room::any_action action{room::action::raise_hand{}};
};
struct audience_page_query {
    room::audience_page_request page{};
};
struct resync {
    room::stream on = room::stream::stage;
    friend bool operator==(const resync&, const resync&) = default;
};
struct directory_query {
    std::uint32_t offset = 0;
    std::uint32_t limit = 20;
    friend bool operator==(const directory_query&, const directory_query&) = default;
};

using client_body = std::variant<hello, auth, create_room, join_room, room_action, audience_page_query, resync,
                                 directory_query, ping, pong>;

struct client_message {
    std::optional<std::uint32_t> request_id{};  // echoed by the response, if any
    client_body body{};
};

// ---- Relay -> client ----
struct challenge {
    auth_challenge nonce{};
    friend bool operator==(const challenge&, const challenge&) = default;
};

// A snapshot of one stream. A full snapshot may be split into parts of at most
// max_members_per_snapshot_part members (see snapshot_parts.hpp); a stage snapshot is one part.
struct snapshot_message {
    std::variant<room::stage_snapshot, room::full_snapshot> snapshot{};
    std::uint32_t part = 0;
    std::uint32_t parts = 1;
};
// The join reply (room::notice::welcome): the member's own entry, the stream it follows and the
// first part of that stream's snapshot (further parts of a full snapshot follow as `snapshot`).
struct welcome {
    room::member_entry self{};
    room::stream follow = room::stream::stage;
    snapshot_message snapshot{};
};
// room::notice::follow_stream: the role crossed the privileged line; reload and follow `follow`.
struct follow_stream {
    room::member_entry self{};
    room::stream follow = room::stream::stage;
    snapshot_message snapshot{};
};
// room::notice::own_entry: a listener's own entry changed where the stage stream cannot say so.
struct own_entry {
    room::member_entry entry{};
};
struct room_created {
    room_id room{};
    room::room_kind kind = room::room_kind::open;
    std::optional<invite_token> invite{};  // present exactly for closed rooms
    room_claim claim{};                    // what the room id was derived from, to re-create it
    friend bool operator==(const room_created&, const room_created&) = default;
};
struct delta_message {
    room::sequenced_delta delta{};
};
struct audience_page_message {
    room::audience_page page{};
};
struct directory_entry {
    room_id room{};
    std::string title{};
    std::uint32_t listeners = 0;
    friend bool operator==(const directory_entry&, const directory_entry&) = default;
};
struct directory_listing {
    std::uint32_t offset = 0;
    std::uint32_t total = 0;
    std::vector<directory_entry> rooms{};
    friend bool operator==(const directory_listing&, const directory_listing&) = default;
};
struct invited {
    member_id by{};
    friend bool operator==(const invited&, const invited&) = default;
};
// kicked and banned carry room::notice::removed (reason kicked or banned, and who did it).
struct kicked {
    room_id room{};
    member_id by{};
    friend bool operator==(const kicked&, const kicked&) = default;
};
struct banned {
    room_id room{};
    member_id by{};
    friend bool operator==(const banned&, const banned&) = default;
};
struct room_ended {
    room_id room{};
    friend bool operator==(const room_ended&, const room_ended&) = default;
};
// code is any wire code (proto 100-199, room 200-299, e2ee 300-399, audio 400-499, relay 500-599).
struct error_message {
    std::uint16_t code = 0;
    std::string name{};
    std::string message{};
    friend bool operator==(const error_message&, const error_message&) = default;
};
struct shutdown {
    std::uint32_t reconnect_after_ms = 0;
    friend bool operator==(const shutdown&, const shutdown&) = default;
};

using server_body = std::variant<challenge, welcome, follow_stream, own_entry, room_created, delta_message,
                                 snapshot_message, audience_page_message, directory_listing, invited, kicked, banned, room_ended,
                                 error_message, ping, pong, shutdown>;

struct server_message {
    std::optional<std::uint32_t> request_id{};
    server_body body{};
};

// Builds an error message with the code's own name; `message` is cut to its limit.
[[nodiscard]] error_message make_error(proto_error code, std::string message);
[[nodiscard]] error_message make_error(relay_error code, std::string message);
[[nodiscard]] error_message make_error(const decode_error& error);

}  // namespace stoa::proto
