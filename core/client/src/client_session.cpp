// The client session's front: the handshake, requests, the outbox and events. The roster, the
// keys and the two audio paths are parts of their own (roster_sync, room_keys, media_sender,
// media_receiver); this file hands each message to its part and wires their outcomes together.
#include "stoa/client/client_session.hpp"

#include <algorithm>
#include <utility>

#include "media_receiver.hpp"
#include "media_sender.hpp"
#include "reactions.hpp"
#include "room_keys.hpp"
#include "roster_sync.hpp"
#include "session_io.hpp"
#include "stoa/common/overloaded.hpp"
#include "stoa/e2ee/admission.hpp"
#include "stoa/proto/auth.hpp"
#include "stoa/proto/binary.hpp"
#include "stoa/proto/control_codec.hpp"
#include "stoa/room/errors.hpp"

namespace stoa::client {

namespace {

}  // namespace

// The parts, and the session_io they share: it forwards to the front's outbox and events.
struct client_session::parts final : session_io {
    explicit parts(client_session& session)
        : front(session),
          roster(session.identity_.id(), *this, session.stats_),
          keys(session.identity_, session.random_, *this, session.stats_, roster),
          sender(session.config_.bitrate_bps, *this, session.stats_, scratch_plain),
          receiver(session.config_, *this, session.stats_, scratch_plain),
          reacting(session.identity_, session.random_, *this, session.stats_, roster) {}

    void send_json(const proto::client_message& message) override { front.send_json(message); }
    void send_binary(std::string data, bool media) override { front.send_binary(std::move(data), media); }
    void emit(client_event event) override { front.emit(std::move(event)); }
    [[nodiscard]] std::uint32_t next_request_id() override { return front.next_request_id_++; }

    client_session& front;
    bytes scratch_plain;  // plaintext of the frame being sent or received, reused
    roster_sync roster;
    room_keys keys;
    media_sender sender;
    media_receiver receiver;
    reactions reacting;
};

client_session::client_session(e2ee::identity identity, client_config config, random_source& random)
    : identity_(std::move(identity)),
      config_(std::move(config)),
      random_(random),
      parts_(std::make_unique<parts>(*this)),
      session_(parts_->keys.session()),
      trusted_host_(parts_->keys.trusted_host()),
      distributor_(parts_->keys.distributor()) {}

client_session::~client_session() = default;

// ---------------------------------------------------------------- transport

void client_session::on_connected(time_point) {
    phase_ = phase::hello_sent;
    proto::hello hello{identity_.key(), config_.client_name, config_.client_version};
    outbox_.push_back({false, proto::encode(proto::client_message{std::nullopt, hello})});
}

void client_session::on_disconnected(time_point now) {
    phase_ = phase::idle;
    deferred_.clear();
    // Whatever was queued belonged to the dead connection (its handshake, its room's media): a
    // new connection starts with its own hello.
    outbox_.clear();
    if (!wanted_ || !config_.rejoin_after_loss) {
        if (room_) handle_removed(room::leave_reason::disconnected);
        return;
    }
    // Keep the host this member trusted: a relay that comes back with another host for the room
    // raises host_key_changed, as it would within one connection.
    if (!wanted_->expected_host && parts_->keys.trusted_host()) wanted_->expected_host = parts_->keys.trusted_host();
    drop_room_state();
    if (rejoin_) {
        // Lost again before getting back in: the give-up clock keeps running from the first loss.
        rejoin_->retry_at.reset();
        rejoin_->create_request.reset();
        return;
    }
    rejoin_ = rejoin_state{now, config_.rejoin_first_retry, std::nullopt, std::nullopt, false};
    emit(event::connection_lost{wanted_->room});
}

std::vector<outbound> client_session::take_outbound() {
    std::vector<outbound> out = std::exchange(outbox_, {});
    return out;
}

std::vector<client_event> client_session::take_events() { return std::exchange(events_, {}); }

void client_session::send_json(const proto::client_message& message) {
    if (phase_ != phase::authenticated) {
        // Requests made before the handshake finished go out right after it.
        deferred_.push_back(message);
        return;
    }
    outbox_.push_back({false, proto::encode(message)});
}

void client_session::send_binary(std::string data, bool media) {
    if (media && outbox_.size() >= config_.max_outbox) {
        // The transport is not keeping up: old audio is worthless, control must survive.
        const auto oldest_media = std::find_if(outbox_.begin(), outbox_.end(), [](const outbound& o) { return o.media; });
        if (oldest_media != outbox_.end()) {
            outbox_.erase(oldest_media);
            ++stats_.outbox_media_dropped;
        } else {
            ++stats_.outbox_media_dropped;
            return;
        }
    }
    outbox_.push_back({true, std::move(data), media});
}

void client_session::report(std::uint16_t code, std::string_view name, std::string message) {
    emit(event::error{code, std::string(name), std::move(message)});
}

void client_session::receive_text(std::string_view text, time_point now) {
    auto decoded = proto::decode_server_message(text);
    if (!decoded.ok()) {
        const auto& error = decoded.error();
        report(static_cast<std::uint16_t>(error.code), proto::to_string(error.code),
               "relay message did not decode: " + error.detail);
        return;
    }
    handle(decoded.value(), now);
}

void client_session::handle(const proto::server_message& message, time_point now) {
    std::visit(overloaded{
                   [&](const proto::challenge& challenge) { handle_challenge(challenge); },
                   [&](const proto::welcome& welcome) { handle_welcome(welcome, now); },
                   [&](const proto::room_created& created) { handle_room_created(created, message.request_id); },
                   [&](const proto::delta_message& delta) { handle_delta(delta.delta, now); },
                   [&](const proto::snapshot_message& part) { handle_snapshot_part(part, now); },
                   [&](const proto::audience_page_message& page) { emit(event::audience_page{page.page}); },
                   [&](const proto::directory_listing& listing) {
                       event::directory directory;
                       directory.total = listing.total;
                       for (const auto& room : listing.rooms) {
                           directory.rooms.emplace_back(room.room, room.title);
                           directory.listeners.push_back(room.listeners);
                       }
                       emit(std::move(directory));
                   },
                   [&](const proto::own_entry& own) { handle_own_entry(own.entry, now); },
                   [&](const proto::follow_stream& follow) { handle_follow_stream(follow, now); },
                   [&](const proto::invited&) { emit(event::invited_to_stage{}); },
                   [&](const proto::kicked&) { handle_removed(room::leave_reason::kicked); },
                   [&](const proto::banned&) { handle_removed(room::leave_reason::banned); },
                   [&](const proto::room_ended&) { handle_removed(room::leave_reason::room_ended); },
                   [&](const proto::error_message& error) { handle_error(error, message.request_id, now); },
                   [&](const proto::ping& ping) {
                       outbox_.push_back(
                           {false, proto::encode(proto::client_message{std::nullopt, proto::pong{ping.nonce}})});
                   },
                   [&](const proto::pong&) {},
                   [&](const proto::shutdown& shutdown) {
                       emit(event::relay_shutdown{std::chrono::milliseconds(shutdown.reconnect_after_ms)});
                   },
               },
               message.body);
}

void client_session::handle_error(const proto::error_message& error, std::optional<std::uint32_t> request_id,
                                  time_point now) {
    parts_->roster.on_refused(request_id);
    const bool join_refused = join_request_ && request_id == join_request_ && !joined_;
    if (join_refused) {
        room_.reset();
        join_request_.reset();
    }
    const bool create_refused = rejoin_ && rejoin_->create_request && request_id == rejoin_->create_request;
    if (create_refused) rejoin_->create_request.reset();
    if ((join_refused || create_refused) && rejoin_ && rejoin_refused(error.code, now)) return;
    emit(event::error{error.code, error.name, error.message});
    if ((join_refused || create_refused) && rejoin_) {
        give_up_rejoin(error.code, error.name, error.message);
    } else if (join_refused) {
        wanted_.reset();
    }
}

void client_session::handle_challenge(const proto::challenge& challenge) {
    if (phase_ != phase::hello_sent) {
        report(static_cast<std::uint16_t>(client_error::wrong_state), to_string(client_error::wrong_state),
               "unexpected challenge");
        return;
    }
    const bytes transcript = proto::auth_transcript(config_.relay_context, challenge.nonce);
    const e2ee::signature signature = identity_.sign(transcript);
    proto::auth auth;
    std::copy(signature.begin(), signature.end(), auth.signature.begin());
    outbox_.push_back({false, proto::encode(proto::client_message{std::nullopt, auth})});
    phase_ = phase::authenticated;
    for (auto& message : std::exchange(deferred_, {})) send_json(message);
    // Back on a relay after a loss: go straight back in (a refusal schedules the retries).
    if (rejoin_ && !room_ && !rejoin_->create_request) {
        rejoin_->retry_at.reset();
        rejoin_now();
    }
}

void client_session::handle_room_created(const proto::room_created& created,
                                         std::optional<std::uint32_t> request_id) {
    if (rejoin_ && rejoin_->create_request && request_id == rejoin_->create_request) {
        rejoin_->create_request.reset();
        if (!wanted_ || created.room != wanted_->room) {
            // The id binds this key and the claim; another id means a relay that ignored the claim,
            // and a room no link points to.
            give_up_rejoin(static_cast<std::uint16_t>(client_error::wrong_state), to_string(client_error::wrong_state),
                           "the relay re-created the room under another id");
            return;
        }
        rejoin_->recreated = true;
        rejoin_now();
        return;
    }
    event::room_created out{created.room, created.invite, {}};
    const auto pending = std::find_if(pending_creations_.begin(), pending_creations_.end(),
                                      [&](const auto& item) { return request_id == item.first; });
    if (pending != pending_creations_.end()) {
        created_room made = std::move(pending->second);
        pending_creations_.erase(pending);
        made.room = created.room;
        // What the relay used, so the same request makes the same room again.
        made.request.claim = created.claim;
        made.request.invite = created.invite;
        if (created.kind == room::room_kind::closed) out.admission = made.admission;
        std::erase_if(created_rooms_, [&](const created_room& item) { return item.room == created.room; });
        if (created_rooms_.size() >= config_.max_created_rooms) created_rooms_.erase(created_rooms_.begin());
        created_rooms_.push_back(std::move(made));
    }
    emit(std::move(out));
}

const client_session::created_room* client_session::created(const room_id& room) const {
    const auto found = std::find_if(created_rooms_.begin(), created_rooms_.end(),
                                    [&](const created_room& item) { return item.room == room; });
    return found == created_rooms_.end() ? nullptr : &*found;
}

// ---------------------------------------------------------------- rejoining

void client_session::rejoin_now() {
    if (!wanted_ || !rejoin_ || room_) return;
    send_join();
}

void client_session::schedule_rejoin(time_point now) {
    // Equal jitter: half the delay fixed, half random, so members of one room that lost the same
    // relay do not all come back in the same instant.
    const auto delay = std::chrono::duration_cast<std::chrono::microseconds>(rejoin_->next_delay);
    const auto half = delay.count() / 2;
    const auto jitter = half > 0 ? static_cast<std::int64_t>(random_.uniform(static_cast<std::uint64_t>(half) + 1)) : 0;
    rejoin_->retry_at = now + std::chrono::microseconds(half + jitter);
    rejoin_->next_delay = std::min<duration>(rejoin_->next_delay * 2, config_.rejoin_max_retry);
}

bool client_session::rejoin_refused(std::uint16_t code, time_point now) {
    using proto::relay_error;
    const auto is = [code](relay_error e) { return code == static_cast<std::uint16_t>(e); };
    if (is(relay_error::room_not_found)) {
        // The relay forgot the room (a restart). Its creator makes it again under the same id;
        // everyone else waits for that.
        if (const created_room* mine = created(wanted_->room); mine != nullptr && mine->request.claim) {
            const std::uint32_t request = next_request_id_++;
            rejoin_->create_request = request;
            send_json({request, mine->request});
            return true;
        }
        schedule_rejoin(now);
        return true;
    }
    if (is(relay_error::room_exists)) {
        // Made again already (by this key, from a request that crossed a lost transport): join it.
        rejoin_now();
        return true;
    }
    if (is(relay_error::rate_limited) || is(relay_error::server_shutting_down) || is(relay_error::internal) ||
        is(relay_error::room_full) || is(relay_error::too_many_rooms)) {
        schedule_rejoin(now);
        return true;
    }
    if (code == static_cast<std::uint16_t>(room::room_error::already_member)) {
        // Our old connection still holds the seat: the relay (or, in a cluster, the room's home
        // node, when the node we were on died) has not yet seen it go. It will, and then the seat
        // is held for us.
        schedule_rejoin(now);
        return true;
    }
    return false;  // a refusal that waiting does not change (banned, invite required...)
}

void client_session::give_up_rejoin(std::uint16_t code, std::string_view name, std::string message) {
    const room_id room = wanted_ ? wanted_->room : room_id{};
    if (code == static_cast<std::uint16_t>(client_error::rejoin_timed_out)) report(code, name, std::move(message));
    rejoin_.reset();
    wanted_.reset();
    if (room_) {
        // A join in flight is abandoned: whatever the relay answers later is ignored.
        drop_room_state();
    }
    emit(event::rejoin_failed{room, code});
    emit(event::removed{room::leave_reason::disconnected});
}

// ---------------------------------------------------------------- requests

void client_session::create_room(room::room_kind kind, bool stage_only, std::optional<std::string> title) {
    const std::uint32_t request = next_request_id_++;
    created_room made;
    // The claim is this session's, so it can make the room again under the same id (the id is
    // derived from this key and the claim) after its relay forgot it.
    room_claim claim;
    random_.fill(claim.value);
    made.request = proto::create_room{kind, stage_only, std::move(title), claim, std::nullopt};
    if (kind == room::room_kind::closed) {
        // Made on this device; the relay never sees it. It reaches joiners through the link only.
        random_.fill(made.admission.mutable_view());
    }
    if (pending_creations_.size() >= config_.max_created_rooms) pending_creations_.erase(pending_creations_.begin());
    const proto::create_room sent = made.request;
    pending_creations_.emplace_back(request, std::move(made));
    send_json({request, sent});
}

void client_session::join_room(const room_id& room, std::optional<invite_token> invite, e2ee::profile profile,
                               std::optional<e2ee::admission_secret> admission,
                               std::optional<public_key> expected_host) {
    if (room_ && rejoin_ && wanted_ && wanted_->room == room && !joined_) {
        // The driver asks for the room this session is already rejoining: one join is enough.
        wanted_->profile = std::move(profile);
        if (invite) wanted_->invite = invite;
        if (admission) wanted_->admission = admission;
        if (expected_host) wanted_->expected_host = expected_host;
        return;
    }
    if (room_) {
        report(static_cast<std::uint16_t>(client_error::wrong_state), to_string(client_error::wrong_state),
               "already in a room");
        return;
    }
    // An explicit join replaces any rejoin in progress.
    rejoin_.reset();
    wanted_ = wanted_room{room, invite, std::move(profile), admission, expected_host};
    send_join();
}

void client_session::send_join() {
    const wanted_room& want = *wanted_;
    std::optional<e2ee::admission_secret> admission = want.admission;
    if (!admission) {
        if (const created_room* mine = created(want.room); mine != nullptr && e2ee::is_set(mine->admission)) {
            admission = mine->admission;
        }
    }
    if (const auto remembered = parts_->keys.remembered_admission(want.room); remembered && admission) {
        admission = remembered;  // learnt after the link: a rotation may have revoked the link's
    }
    std::optional<invite_token> invite = want.invite;
    if (!invite) {
        if (const created_room* mine = created(want.room); mine != nullptr) invite = mine->request.invite;
    }
    room_ = want.room;
    join_request_ = next_request_id_++;
    // A fresh session nonce every time: key packages sealed for an earlier join are refused.
    parts_->keys.begin_join(want.room, admission, want.expected_host, want.profile);
    proto::join_room join{want.room, invite, {}, {}};
    join.admission =
        e2ee::encode_admission(parts_->keys.session(), want.room, identity_.key(), parts_->keys.current_admission());
    // The profile goes out encrypted once the first keys arrive; the join carries none.
    send_json({join_request_, std::move(join)});
}

void client_session::act(const room::any_action& action) {
    if (!in_room()) {
        report(static_cast<std::uint16_t>(client_error::not_in_room), to_string(client_error::not_in_room),
               "no room to act in");
        return;
    }
    // Leaving the stage (stepping down, muting, leaving): sign the last frames first, while the
    // relay still forwards this member's signatures.
    const auto* down = std::get_if<room::action::move_to_audience>(&action);
    const auto* mute = std::get_if<room::action::set_self_muted>(&action);
    if ((down != nullptr && down->target == id()) || (mute != nullptr && mute->muted) ||
        std::holds_alternative<room::action::leave>(action)) {
        parts_->sender.flush_signatures();
    }
    send_json({next_request_id_++, proto::room_action{action}});
    if (std::holds_alternative<room::action::leave>(action)) {
        const bool quietly = std::get<room::action::leave>(action).quietly;
        handle_removed(quietly ? room::leave_reason::left_quietly : room::leave_reason::left);
    }
}

void client_session::request_audience_page(std::uint32_t offset, std::uint32_t limit) {
    send_json({next_request_id_++, proto::audience_page_query{{offset, limit}}});
}

void client_session::request_directory(std::uint32_t offset, std::uint32_t limit) {
    send_json({next_request_id_++, proto::directory_query{offset, limit}});
}

// ---------------------------------------------------------------- roster

void client_session::handle_welcome(const proto::welcome& welcome, time_point now) {
    if (!room_ || joined_) {
        report(static_cast<std::uint16_t>(client_error::wrong_state), to_string(client_error::wrong_state),
               "welcome without a pending join");
        return;
    }
    joined_ = true;
    join_request_.reset();
    index_ = welcome.self.index;
    const bool closed = std::visit([](const auto& snapshot) { return snapshot.kind == room::room_kind::closed; },
                                   welcome.snapshot.snapshot);
    if (closed && parts_->keys.current_admission() == nullptr) {
        report(static_cast<std::uint16_t>(client_error::missing_admission_secret),
               to_string(client_error::missing_admission_secret),
               "this closed room's link lacks its secret: the host will not give keys");
    }
    parts_->keys.start(index_);
    parts_->sender.start(identity_, index_, *room_);
    parts_->receiver.start(*room_);
    parts_->reacting.start(*room_, index_, now);
    parts_->roster.start(welcome.follow, welcome.self);
    emit(event::joined{*room_, index_, welcome.self.member_role});
    if (rejoin_) {
        emit(event::rejoined{*room_, index_, welcome.self.member_role, rejoin_->recreated});
        rejoin_.reset();
    }
    handle_snapshot_part(welcome.snapshot, now);
}

void client_session::handle_snapshot_part(proto::snapshot_message part, time_point now) {
    if (!joined_) return;
    if (!parts_->roster.add_snapshot_part(std::move(part))) return;
    // Replay what arrived meanwhile; anything already in the snapshot is a duplicate.
    for (const auto& delta : parts_->roster.take_held_deltas()) handle_delta(delta, now, true);
    if (!joined_) return;  // a replayed delta removed us
    parts_->keys.reconcile_distributor(now);
    roster_updated(now);
}

void client_session::handle_delta(const room::sequenced_delta& delta, time_point now, bool replaying) {
    if (!joined_) return;
    const auto applied = parts_->roster.apply(delta);
    if (!applied) return;
    parts_->keys.distributor_delta(delta.change, applied->departing, now);
    if (const auto* left = std::get_if<room::delta::member_left>(&delta.change); left && left->id == id()) {
        handle_removed(left->reason);
        return;
    }
    if (std::holds_alternative<room::delta::room_ended>(delta.change)) {
        handle_removed(room::leave_reason::room_ended);
        return;
    }
    if (!replaying) roster_updated(now);
}

void client_session::handle_own_entry(const room::member_entry& entry, time_point now) {
    const auto change = parts_->roster.set_own_entry(entry);
    if (change == roster_sync::own_entry_change::ignored) return;
    if (change == roster_sync::own_entry_change::newly_invited) emit(event::invited_to_stage{});
    roster_updated(now);
}

void client_session::handle_follow_stream(const proto::follow_stream& follow, time_point now) {
    if (!joined_) return;
    parts_->roster.start(follow.follow, follow.self);
    emit(event::role_changed{follow.self.member_role});
    handle_snapshot_part(follow.snapshot, now);
}

void client_session::handle_removed(room::leave_reason reason) {
    const bool was_in_room = room_.has_value();
    wanted_.reset();
    rejoin_.reset();
    drop_room_state();
    if (was_in_room) emit(event::removed{reason});
}

void client_session::drop_room_state() {
    room_.reset();
    joined_ = false;
    join_request_.reset();
    parts_->roster.reset();
    // Keys of a room one has left are dropped at once: nothing more of it should be readable here.
    // A rejoin starts from an empty keyring too (and a fresh session nonce).
    parts_->keys.stop();
    parts_->sender.stop();
    parts_->receiver.stop();
    parts_->reacting.stop();
}

void client_session::roster_updated(time_point now) {
    // The index -> key map that speaker verification and playback follow.
    const auto stage_keys = parts_->keys.genuine_stage_keys();
    parts_->keys.check_host_key();
    parts_->receiver.update_speakers(stage_keys, now);
    parts_->keys.follow_role(role() == room::role::host, now);
    parts_->keys.publish_profile();
    emit(event::roster_changed{});
}

// ---------------------------------------------------------------- binary messages and audio

void client_session::receive_binary(byte_view message, time_point now) {
    const auto header = proto::peek_binary_header(message);
    if (!header.ok()) {
        report(static_cast<std::uint16_t>(header.error().code), proto::to_string(header.error().code),
               "binary message did not decode");
        return;
    }
    const byte_view payload = message.subspan(proto::binary_header_size);
    const sender_index from = header->sender;
    switch (header->type) {
        case proto::binary_type::media: handle_media(from, payload, now); return;
        case proto::binary_type::speaker_signature: parts_->receiver.receive_signature(from, payload, now); return;
        case proto::binary_type::key_announcement: parts_->keys.handle_key_announcement(from, payload, now); return;
        case proto::binary_type::key_package: parts_->keys.handle_key_package(from, payload, now); return;
        case proto::binary_type::key_request: parts_->keys.handle_key_request(from, now); return;
        case proto::binary_type::reaction: parts_->reacting.receive(from, payload, parts_->keys.keyring(), now); return;
        case proto::binary_type::key_bundle:
            report(static_cast<std::uint16_t>(proto::proto_error::wrong_direction), "wrong_direction",
                   "key_bundle from the relay");
            return;
    }
}

void client_session::handle_media(sender_index from, byte_view frame, time_point now) {
    const e2ee::keyring* keys = parts_->keys.keyring();
    if (keys == nullptr || from == index_) return;
    if (parts_->receiver.receive_frame(from, frame, *keys, now) == media_receiver::frame_outcome::keys_missing) {
        parts_->keys.request_keys(now);
    }
}

status<client_error> client_session::check_can_send(time_point now) const {
    const room::member_entry* self = own_entry();
    if (!in_room() || self == nullptr) return fail(client_error::not_in_room);
    if (!room::is_on_stage(self->member_role)) return fail(client_error::not_on_stage);
    if (self->self_muted || self->moderator_muted) return fail(client_error::muted);
    const e2ee::keyring* keys = parts_->keys.keyring();
    if (keys == nullptr || !keys->sending_epoch(now)) return fail(client_error::no_sending_key);
    return {};
}

status<client_error> client_session::send_audio(std::span<const std::int16_t, audio::frame_samples> pcm,
                                                time_point now) {
    if (auto can = check_can_send(now); !can.ok()) return can;
    return parts_->sender.send_audio(pcm, constant_rate(), *parts_->keys.keyring(), now);
}

status<client_error> client_session::send_reaction(reaction_kind kind, time_point now) {
    if (!in_room()) return fail(client_error::not_in_room);
    return parts_->reacting.send(kind, parts_->keys.keyring(), now);
}

status<client_error> client_session::send_opus(byte_view packet, time_point now) {
    const bool constant = constant_rate();
    if (auto sized = media_sender::check_opus(packet, constant); !sized.ok()) return sized;
    if (auto can = check_can_send(now); !can.ok()) return can;
    return parts_->sender.send_opus(packet, constant, *parts_->keys.keyring(), now);
}

std::size_t client_session::max_opus_packet() const {
    return constant_rate() ? media_sender::max_padded_opus_packet : media_sender::max_opus_packet;
}

bool client_session::constant_rate() const {
    switch (config_.constant_rate) {
        case client_config::constant_rate_mode::never: return false;
        case client_config::constant_rate_mode::always: return true;
        case client_config::constant_rate_mode::automatic: return parts_->keys.room_is_closed();
    }
    return false;
}

void client_session::pull_audio(time_point now, std::span<std::int16_t, audio::frame_samples> out) {
    parts_->receiver.pull_audio(now, out);
}

void client_session::tick(time_point now) {
    if (rejoin_ && !joined_) {
        if (now - rejoin_->lost_at >= config_.rejoin_give_up) {
            give_up_rejoin(static_cast<std::uint16_t>(client_error::rejoin_timed_out),
                           to_string(client_error::rejoin_timed_out), "could not get back into the room");
        } else if (rejoin_->retry_at && now >= *rejoin_->retry_at && phase_ == phase::authenticated && !room_) {
            rejoin_->retry_at.reset();
            rejoin_now();
        }
    }
    parts_->keys.flush_distributor(now);
    parts_->sender.tick(now);
    parts_->receiver.tick(now);
    parts_->keys.expire(now);
}

// ---------------------------------------------------------------- state

const room::member_entry* client_session::find_member(member_id member) const {
    return parts_->roster.find_member(member);
}

const room::member_entry* client_session::own_entry() const { return find_member(id()); }

room::role client_session::role() const noexcept {
    const room::member_entry* self = own_entry();
    return self == nullptr ? room::role::listener : self->member_role;
}

std::uint32_t client_session::audience_count() const noexcept { return parts_->roster.audience_count(); }

std::vector<room::member_entry> client_session::raised_hands() const { return parts_->roster.raised_hands(); }

std::optional<epoch_id> client_session::current_epoch() const {
    const e2ee::keyring* keys = parts_->keys.keyring();
    return keys != nullptr ? keys->newest_epoch() : std::nullopt;
}

std::optional<e2ee::profile> client_session::open_profile(const room::member_entry& member) const {
    return parts_->keys.open_profile(member);
}

std::vector<stage_member_view> client_session::stage(bool open_profiles) const {
    std::vector<stage_member_view> views;
    parts_->roster.for_each_stage_member([&](const room::member_entry& member) {
        stage_member_view view{member, std::nullopt, false};
        if (open_profiles) view.profile = open_profile(member);
        view.speaking = parts_->receiver.speaking(member.index);
        views.push_back(std::move(view));
    });
    std::sort(views.begin(), views.end(),
              [](const auto& a, const auto& b) { return a.entry.joined_order < b.entry.joined_order; });
    return views;
}

std::optional<e2ee::security_code> client_session::security_code(time_point now) const {
    return parts_->keys.security_code(now);
}

std::optional<e2ee::admission_secret> client_session::admission_secret() const {
    const e2ee::admission_secret* current = parts_->keys.current_admission();
    if (current == nullptr) return std::nullopt;
    return *current;
}

std::size_t client_session::approximate_bytes() const noexcept {
    std::size_t total = sizeof(*this) + sizeof(parts);
    total += parts_->roster.approximate_bytes();
    total += parts_->keys.approximate_bytes();
    total += parts_->sender.approximate_bytes();
    total += parts_->receiver.approximate_bytes();
    total += parts_->scratch_plain.capacity();
    for (const auto& o : outbox_) total += sizeof(o) + o.data.capacity();
    return total;
}

}  // namespace stoa::client
