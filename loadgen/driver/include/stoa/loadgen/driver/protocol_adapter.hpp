// The one seam between stoa-load's driver and the protocol it speaks. The driver owns sockets,
// time, schedules and metrics; a member_protocol is one simulated member's sans-I/O client:
// messages in, messages and notes out. Stoa's adapter wraps client::client_session; another
// room server's protocol is one more adapter (a class implementing these two interfaces).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "stoa/common/bytes.hpp"
#include "stoa/common/time.hpp"
#include "stoa/loadgen/scenario/member_index.hpp"

namespace stoa::loadgen {

// A room as the protocol names it (Stoa: the room id and, for a closed room, the invite token,
// both hex). Opaque to the driver, which only passes it from a room's host to its members.
struct room_ref {
    std::string id;
    std::string invite;  // empty for an open room
    // A closed room's admission secret (hex), the invite link's fragment: the host's client gives
    // keys only to joiners who prove it (docs/security.md, 12.1). Empty for an open room.
    std::string admission{};

    friend bool operator==(const room_ref&, const room_ref&) = default;
};

// Who a simulated member is, fixed by the scenario (member_layout) and its seed.
struct member_profile {
    member_index index;
    room_index room;
    bool host = false;
    bool decrypts = true;  // authenticates and decrypts every frame
    bool decodes = false;  // also decodes Opus and plays out (playout gaps)
    // Reads as soon as data arrives and times every frame; otherwise a bulk listener, drained in
    // batches (docs/loadgen.md, "Probe and bulk listeners"). Decoding members are always probes.
    bool probe = false;
    std::uint64_t identity_seed = 0;  // the member's key pair is derived from it, the same on every shard
};

// A message for the transport.
struct wire_message {
    bool binary = false;
    std::string data;
};

// What happened to a member, in order, for the driver's metrics and plan.
namespace note {
struct room_opened {  // the host's room exists
    room_ref room;
};
struct joined {};  // in the room, its state loaded
struct keys {      // a new epoch key usable for decrypting
    std::uint64_t epoch = 0;
};
struct invited {};  // asked onto the stage
struct on_stage {}; // now a speaker (may send audio)
struct off_stage {};
struct removed {  // kicked, banned, the room ended, or left
    bool planned = false;
};
struct relay_shutdown {};
// Back in its room after a lost connection by the protocol's own rejoin (after note::joined),
// under the room's same id; `recreated`: this member (the room's creator) made the room again
// because the relay had forgotten it (a restart).
struct rejoined {
    bool recreated = false;
};
// The protocol stopped trying to get back into its room (timed out or refused for good).
struct rejoin_failed {
    std::uint16_t code = 0;
};
// The answer to look_up_room: the room, or nullopt when the relay lists no room of that title.
struct room_lookup {
    std::optional<room_ref> room;
};
struct error {
    std::uint16_t code = 0;
    std::string name;
    // The relay knows no room by that id: not yet, or no longer (it restarted and the room's host
    // has not made it again). A join refused so is worth asking again after a while.
    bool room_missing = false;
};
struct alarm {
    bool forged = false;
};
}  // namespace note
using member_note = std::variant<note::room_opened, note::joined, note::keys, note::invited, note::on_stage,
                                 note::off_stage, note::removed, note::relay_shutdown, note::error, note::alarm,
                                 note::room_lookup, note::rejoined, note::rejoin_failed>;

// A frame's `sent_at` when its protocol carries no send time (the peers fixture's frames): count
// the frame, record no latency for it.
inline constexpr time_point no_send_time{};

// Where a member's audio observations go, synchronously, as they happen (per frame, so no
// allocation). `sender` is the protocol's own number for a speaker in the room.
class media_sink {
public:
    virtual ~media_sink() = default;
    // Decrypted and authenticated; `sent_at` from inside the encrypted payload, or no_send_time.
    virtual void on_frame(std::uint32_t sender, std::uint32_t seq, time_point sent_at, time_point now) = 0;
    // A media message received but, by the plan, not decrypted.
    virtual void on_opaque_frame(time_point now) = 0;
    // A decoder's output for one speaker on one 20 ms tick: real audio or not.
    virtual void on_playout(std::uint32_t sender, std::uint32_t seq, bool audio, time_point now) = 0;
};

struct member_counters {
    std::uint64_t decrypt_failures = 0;
    std::uint64_t no_key_failures = 0;
    std::uint64_t forged = 0;
    std::uint64_t unverified = 0;
    std::uint64_t rekeys = 0;
};

class member_protocol {
public:
    virtual ~member_protocol() = default;

    // ---- Transport ----
    virtual void on_open(time_point now) = 0;
    virtual void on_text(std::string_view text, time_point now) = 0;
    virtual void on_binary(byte_view message, time_point now) = 0;
    virtual void on_closed(time_point now) = 0;
    virtual void tick(time_point now) = 0;
    // True when, after a lost connection, the member gets back into its room by itself once a new
    // connection opens (its creator re-creating it under the same id if the relay forgot it):
    // the driver then sends no join and waits for note::joined or note::rejoin_failed. Protocols
    // without such a rejoin answer false and the driver joins again from the room registry.
    [[nodiscard]] virtual bool rejoins_by_itself() const { return false; }
    // Appends what to send, in order.
    virtual void take_outbound(std::vector<wire_message>& out) = 0;
    // Appends what happened since the last call.
    virtual void take_notes(std::vector<member_note>& out) = 0;

    // ---- Plan ----
    virtual void open_room(std::string_view title, bool closed) = 0;
    // Finds an open room by its exact title in the relay's directory (a host on another
    // generator host opened it); answers with note::room_lookup.
    virtual void look_up_room(std::string_view title) = 0;
    virtual void join(const room_ref& room, std::string_view display_name) = 0;
    virtual void leave() = 0;
    virtual void raise_hand() = 0;
    // As the room's host: invite the member with this profile's identity seed onto the stage.
    // False, sending nothing, while that member is not yet in the room (the caller retries).
    [[nodiscard]] virtual bool invite(std::uint64_t identity_seed) = 0;
    virtual void accept_invite() = 0;
    virtual void step_down() = 0;

    // ---- Audio ----
    // Sends one encoded 20 ms frame stamped with `at` (the frame's scheduled time). False when
    // this member may not speak now (not on stage, no key yet).
    [[nodiscard]] virtual bool send_frame(byte_view opus, time_point at) = 0;
    // One 20 ms playout tick (decoding members only).
    virtual void playout(time_point now) = 0;

    [[nodiscard]] virtual member_counters counters() const = 0;
    [[nodiscard]] virtual std::size_t approximate_bytes() const = 0;
};

// What an adapter counts for the whole process rather than per member.
struct adapter_counters {
    std::uint64_t signatures_verified = 0;  // signature checks done (Ed25519 verifications)
    std::uint64_t signatures_shared = 0;    // checks answered from a verdict another member had reached
};

class protocol_adapter {
public:
    virtual ~protocol_adapter() = default;
    // Thread-safe; read once the run has ended.
    [[nodiscard]] virtual adapter_counters process_counters() const { return {}; }
    [[nodiscard]] virtual std::string_view name() const = 0;
    // `sink` outlives the member.
    [[nodiscard]] virtual std::unique_ptr<member_protocol> make_member(const member_profile& profile,
                                                                       media_sink& sink) = 0;
    // The error names this protocol can report, for the metrics catalog ("errors.<name>").
    [[nodiscard]] virtual std::vector<std::string_view> error_names() const = 0;
};

}  // namespace stoa::loadgen
