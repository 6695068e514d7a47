// One member's side of Stoa as a sans-I/O object: network messages in give events, roster and
// PCM out; microphone PCM in gives network messages out. The browser (through WebAssembly),
// the load generator and the demo all drive this same object.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>
#include <vector>

#include "stoa/audio/format.hpp"
#include "stoa/audio/level_meter.hpp"
#include "stoa/audio/mixer.hpp"
#include "stoa/audio/opus_encoder.hpp"
#include "stoa/audio/player.hpp"
#include "stoa/client/client_error.hpp"
#include "stoa/client/client_event.hpp"
#include "stoa/client/media_observer.hpp"
#include "stoa/client/reaction.hpp"
#include "stoa/client/session_stats.hpp"
#include "stoa/common/random.hpp"
#include "stoa/common/result.hpp"
#include "stoa/common/time.hpp"
#include "stoa/e2ee/frame_crypto.hpp"
#include "stoa/e2ee/identity.hpp"
#include "stoa/e2ee/key_distributor.hpp"
#include "stoa/e2ee/keyring.hpp"
#include "stoa/e2ee/profile_crypto.hpp"
#include "stoa/e2ee/security_code.hpp"
#include "stoa/e2ee/speaker_auth.hpp"
#include "stoa/proto/control_messages.hpp"
#include "stoa/proto/snapshot_parts.hpp"
#include "stoa/room/full_replica.hpp"
#include "stoa/room/stage_replica.hpp"

namespace stoa::client {

struct client_config {
    // The relay's origin as the user dialled it; bound into the auth signature.
    std::string relay_context = "stoa relay";
    std::string client_name = "stoa-core";
    std::string client_version = "0.1.0";
    // Listeners of a load test may only decrypt and authenticate; the browser decodes and plays.
    bool decode_audio = true;
    // Check every speaker's batch signatures (forgery by another key holder is then detected).
    bool verify_speakers = true;
    // Speaker signature verdicts shared with other sessions of this process (stoa-load); not
    // owned, must outlive the session. Null (the browser): every batch is verified here.
    e2ee::signature_cache* shared_verdicts = nullptr;
    std::int32_t bitrate_bps = 32'000;
    // Traffic analysis (RFC 6562): in constant-rate mode the speaker's Opus runs at constant
    // bitrate, every frame is padded to one size, and silence is sent (padded) rather than skipped,
    // so the relay sees neither frame sizes nor voice activity while the member is unmuted.
    // `automatic` turns it on in closed rooms; it costs the bitrate during silence.
    enum class constant_rate_mode : std::uint8_t { never, automatic, always };
    constant_rate_mode constant_rate = constant_rate_mode::automatic;
    audio::jitter_buffer_config jitter{};
    audio::level_meter_config levels{};
    std::size_t max_outbox = 4096;  // messages waiting for the transport; oldest media dropped past it
    std::size_t max_created_rooms = 8;  // rooms this session created (claim, invite, secret), kept to join and re-create them
    // A lost transport: after the next handshake the session rejoins its room by itself (its
    // creator re-creates it if the relay forgot it). Members other than the creator retry a
    // room_not_found with exponential backoff (first delay, doubling to the max, with jitter)
    // and give up this long after the loss.
    bool rejoin_after_loss = true;
    duration rejoin_give_up = std::chrono::seconds(60);
    duration rejoin_first_retry = std::chrono::milliseconds(250);
    duration rejoin_max_retry = std::chrono::seconds(4);
    // Told of every decrypted frame and every playout; not owned, must outlive the session.
    media_observer* observer = nullptr;
};

// A message for the transport: a WebSocket text (JSON) or binary message.
struct outbound {
    bool binary = false;
    std::string data;
    bool media = false;  // audio: dropped first (oldest first) when the outbox overflows
};

// What the member sees of one stage member.
struct stage_member_view {
    room::member_entry entry;
    std::optional<e2ee::profile> profile;  // decrypted display name, once keys allow
    bool speaking = false;                 // from the level of their decoded audio
};

class client_session {
public:
    client_session(e2ee::identity identity, client_config config, random_source& random);
    ~client_session();
    client_session(const client_session&) = delete;
    client_session& operator=(const client_session&) = delete;

    // ---- Transport ----
    // The connection is open: starts the handshake.
    void on_connected(time_point now);
    // The relay the next on_connected talks to, when a driver moves between the relays of one
    // deployment (its origin is bound into the auth signature).
    void set_relay_context(std::string context) { config_.relay_context = std::move(context); }
    void receive_text(std::string_view text, time_point now);
    void receive_binary(byte_view message, time_point now);
    // The connection is gone: the session is out of its room (connection_lost) but remembers it,
    // and rejoins after the next on_connected and handshake (see client_config::rejoin_after_loss).
    void on_disconnected(time_point now);
    // Timers: key batches, signature batches, unverified-frame deadlines, key expiry, rejoin retries.
    void tick(time_point now);
    // Messages to send, in order. The caller moves them to the transport.
    [[nodiscard]] std::vector<outbound> take_outbound();
    [[nodiscard]] std::vector<client_event> take_events();
    [[nodiscard]] bool has_outbound() const noexcept { return !outbox_.empty(); }

    // ---- Requests ----
    // A closed room gets an admission secret made here; event::room_created carries it for the link.
    void create_room(room::room_kind kind, bool stage_only, std::optional<std::string> title);
    // `name` is encrypted under the room's roster key once keys arrive; the relay never sees it.
    // `admission` is a closed room's secret from the link's fragment (for a room this session
    // created, it is remembered); `expected_host` is the host key the link names, if any: a roster
    // naming another host raises a host_key_changed alarm.
    void join_room(const room_id& room, std::optional<invite_token> invite, e2ee::profile profile,
                   std::optional<e2ee::admission_secret> admission = std::nullopt,
                   std::optional<public_key> expected_host = std::nullopt);
    // Any room action but join (use join_room).
    void act(const room::any_action& action);
    void request_audience_page(std::uint32_t offset, std::uint32_t limit);
    void request_directory(std::uint32_t offset, std::uint32_t limit);
    // An emoji reaction for everyone in the room, sealed and signed under the current epoch (any
    // member may react). Refused: not_in_room, no_sending_key, rate_limited (reaction_limits).
    [[nodiscard]] status<client_error> send_reaction(reaction_kind kind, time_point now);

    // ---- Audio ----
    // One 20 ms frame from the microphone: encoded, encrypted and queued when this member may speak.
    [[nodiscard]] status<client_error> send_audio(std::span<const std::int16_t, audio::frame_samples> pcm,
                                                  time_point now);
    // One 20 ms frame already encoded with Opus (a load generator replaying a sample encoded once):
    // encrypted and queued like send_audio's. An empty packet is refused (too_large covers > max).
    [[nodiscard]] status<client_error> send_opus(byte_view packet, time_point now);
    // For an encoder outside the session (the browser loads its encoder only when the member
    // unmutes), so that send_opus gets what send_audio's own encoder would produce: whether a frame
    // now would be refused (then it is not encoded at all), whether the room wants constant rate
    // (CBR and padding, silence sent: encode with vbr off; it flips when the room closes), the
    // bitrate, and the largest packet the current mode can carry. In VBR mode send_opus skips a
    // DTX packet (silence) as send_audio does.
    [[nodiscard]] status<client_error> can_send(time_point now) const { return check_can_send(now); }
    [[nodiscard]] bool sends_constant_rate() const { return constant_rate(); }
    [[nodiscard]] std::int32_t send_bitrate() const noexcept { return config_.bitrate_bps; }
    [[nodiscard]] std::size_t max_opus_packet() const;
    // The next 20 ms of the room's mixed audio (silence when nobody speaks).
    void pull_audio(time_point now, std::span<std::int16_t, audio::frame_samples> out);

    // ---- State ----
    [[nodiscard]] const e2ee::identity& identity() const noexcept { return identity_; }
    [[nodiscard]] member_id id() const noexcept { return identity_.id(); }
    [[nodiscard]] bool in_room() const noexcept { return room_.has_value() && joined_; }
    [[nodiscard]] std::optional<room_id> room() const noexcept { return room_; }
    // The room this session lost with its transport and is working to get back into, if any.
    [[nodiscard]] std::optional<room_id> rejoining() const noexcept {
        return rejoin_ && wanted_ ? std::optional<room_id>(wanted_->room) : std::nullopt;
    }
    [[nodiscard]] sender_index index() const noexcept { return index_; }
    [[nodiscard]] room::role role() const noexcept;
    [[nodiscard]] bool is_distributor() const noexcept { return distributor_ != nullptr; }
    [[nodiscard]] const room::member_entry* own_entry() const;
    // A member of the room as this session's replica knows it: anyone for the host and
    // moderators (they hold the whole roster), the stage and oneself for others.
    [[nodiscard]] const room::member_entry* member(member_id id) const { return find_member(id); }
    // The stage in join order. Opening profiles costs a signature check each; a caller that caches
    // names by profile bytes passes false and uses open_profile() on the ones it has not seen.
    [[nodiscard]] std::vector<stage_member_view> stage(bool open_profiles = true) const;
    // A member's display name and text, if this session holds the roster key they were sealed under.
    [[nodiscard]] std::optional<e2ee::profile> open_profile(const room::member_entry& member) const;
    [[nodiscard]] std::uint32_t audience_count() const noexcept;
    // Audience members with a hand up (invited or not), in join order. Only privileged
    // members (host, moderators) hold the audience roster; for others this is empty. O(members).
    [[nodiscard]] std::vector<room::member_entry> raised_hands() const;
    [[nodiscard]] std::optional<epoch_id> current_epoch() const;
    [[nodiscard]] std::optional<e2ee::security_code> security_code(time_point now) const;
    // The closed room's current admission secret (for invite links), if this member holds one.
    [[nodiscard]] std::optional<e2ee::admission_secret> admission_secret() const;
    // The host key this member trusts for the room (from the link, or the first it saw).
    [[nodiscard]] std::optional<public_key> trusted_host() const noexcept { return trusted_host_; }
    // This join's session nonce: every key package sealed to this member must carry it.
    [[nodiscard]] const e2ee::session_nonce& session() const noexcept { return session_; }
    [[nodiscard]] const session_stats& stats() const noexcept { return stats_; }
    // Heap bytes this session holds, roughly: the load generator's budget per member.
    [[nodiscard]] std::size_t approximate_bytes() const noexcept;

private:
    // The parts (core/client/src): roster_sync, room_keys, media_sender, media_receiver, and the
    // adapter through which they queue messages and raise events here.
    struct parts;

    void send_json(const proto::client_message& message);
    void send_binary(std::string data, bool media);
    void emit(client_event event) { events_.push_back(std::move(event)); }
    void report(std::uint16_t code, std::string_view name, std::string message);

    void handle(const proto::server_message& message, time_point now);
    void handle_challenge(const proto::challenge& challenge);
    void handle_room_created(const proto::room_created& created, std::optional<std::uint32_t> request_id);
    void handle_error(const proto::error_message& error, std::optional<std::uint32_t> request_id, time_point now);
    // Sends the join for wanted_ (the caller's, or a rejoin's).
    void send_join();
    // Drops everything of the room joined (roster, keys, audio paths); wanted_ is the caller's.
    void drop_room_state();
    // Rejoining: the next attempt, the relay's refusal of one, and the end of trying.
    void rejoin_now();
    void schedule_rejoin(time_point now);
    // True when the refusal was the rejoin's to handle (no error event for it).
    [[nodiscard]] bool rejoin_refused(std::uint16_t code, time_point now);
    void give_up_rejoin(std::uint16_t code, std::string_view name, std::string message);
    void handle_welcome(const proto::welcome& welcome, time_point now);
    void handle_snapshot_part(proto::snapshot_message part, time_point now);
    // `replaying`: held deltas after a snapshot, which ends in one roster update of its own.
    void handle_delta(const room::sequenced_delta& delta, time_point now, bool replaying = false);
    void handle_follow_stream(const proto::follow_stream& follow, time_point now);
    void handle_own_entry(const room::member_entry& entry, time_point now);
    void handle_removed(room::leave_reason reason);
    void handle_media(sender_index from, byte_view payload, time_point now);
    // After any roster change: alarms, the host pin, speakers, the distributor, the profile.
    void roster_updated(time_point now);
    [[nodiscard]] status<client_error> check_can_send(time_point now) const;
    [[nodiscard]] bool constant_rate() const;
    [[nodiscard]] const room::member_entry* find_member(member_id id) const;

    e2ee::identity identity_;
    client_config config_;
    random_source& random_;
    session_stats stats_{};

    enum class phase : std::uint8_t { idle, hello_sent, authenticated };
    phase phase_ = phase::idle;
    std::uint32_t next_request_id_ = 1;
    std::vector<proto::client_message> deferred_;  // requests made before the handshake finished
    std::optional<std::uint32_t> join_request_{};

    std::optional<room_id> room_;
    bool joined_ = false;
    sender_index index_{};
    // A room this session created: what it takes to join it, and to make it again under the same
    // id after the relay forgot it (the request with its claim and invite, the admission secret).
    struct created_room {
        room_id room{};
        proto::create_room request{};
        e2ee::admission_secret admission{};  // all zeros for open rooms
    };
    // By create request, then by room.
    std::vector<std::pair<std::uint32_t, created_room>> pending_creations_;
    std::vector<created_room> created_rooms_;
    [[nodiscard]] const created_room* created(const room_id& room) const;

    // The room the caller asked to be in, kept across lost transports so the session can rejoin.
    struct wanted_room {
        room_id room{};
        std::optional<invite_token> invite{};
        e2ee::profile profile{};
        std::optional<e2ee::admission_secret> admission{};
        std::optional<public_key> expected_host{};
    };
    std::optional<wanted_room> wanted_;
    // Present from a lost transport until the welcome that brings the session back (or giving up).
    struct rejoin_state {
        time_point lost_at{};
        duration next_delay{};
        std::optional<time_point> retry_at{};             // the next join attempt (backoff)
        std::optional<std::uint32_t> create_request{};    // the creator's re-create in flight
        bool recreated = false;
    };
    std::optional<rejoin_state> rejoin_;

    // One allocation per session for all parts; each part allocates only what its state needs.
    std::unique_ptr<parts> parts_;
    // The keys' state that the accessors above read (they predate the split).
    const e2ee::session_nonce& session_;
    const std::optional<public_key>& trusted_host_;
    const std::unique_ptr<e2ee::key_distributor>& distributor_;

    // Vectors, not deques: an empty std::deque allocates about 600 bytes, and a load generator
    // holds thousands of sessions.
    std::vector<outbound> outbox_;
    std::vector<client_event> events_;
};

}  // namespace stoa::client
