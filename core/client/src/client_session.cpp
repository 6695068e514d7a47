// The client session: handshake, roster replica, keys, and the audio send and receive paths.
#include "stoa/client/client_session.hpp"

#include <algorithm>
#include <utility>

#include "stoa/client/media_payload.hpp"
#include "stoa/e2ee/admission.hpp"
#include "stoa/e2ee/e2ee_error.hpp"
#include "stoa/e2ee/sframe.hpp"
#include "stoa/proto/auth.hpp"
#include "stoa/proto/binary.hpp"
#include "stoa/proto/control_codec.hpp"
#include "stoa/proto/limits.hpp"
#include "stoa/room/errors.hpp"

namespace stoa::client {

namespace {

template <class... Ts>
struct overloaded : Ts... {
    using Ts::operator()...;
};
template <class... Ts>
overloaded(Ts...) -> overloaded<Ts...>;

// Deltas that arrive while a snapshot is being fetched are replayed after it; past this many the
// session drops them and fetches again, so a flood cannot grow memory.
constexpr std::size_t max_held_deltas = 4096;

// A new distributor numbers its first epoch this far past the newest it holds, so that even if
// it missed a few of its predecessor's last epochs, members do not refuse its keys as stale.
// Epochs have 40 bits in the SFrame KID, so a room survives a billion handovers.
constexpr std::uint64_t handover_epoch_jump = 1024;

// Samples of the latency sum must be plausible: a remote clock value far from ours is ignored.
constexpr std::int64_t max_plausible_latency_us = 60'000'000;

// The largest Opus packet whose media message stays within the relay's limit:
// payload header + SFrame header (at most 17 bytes) + AEAD tag (16 bytes).
constexpr std::size_t max_opus_packet =
    proto::max_media_payload - media_payload_header_size - e2ee::frame_encryptor::max_protected_size(0);
static_assert(max_opus_packet >= 400, "Opus needs room for a 20 ms frame at high bitrates");
// The same when the payload is padded (constant-rate mode).
constexpr std::size_t max_padded_opus_packet =
    (proto::max_media_payload - e2ee::frame_encryptor::max_protected_size(0)) / padded_payload_block *
        padded_payload_block -
    media_payload_header_size - 2;
static_assert(max_padded_opus_packet >= 400, "Opus needs room for a 20 ms frame at high bitrates");

}  // namespace

// Per stage member: playback and the speaking indicator. Created only when audio is decoded.
struct client_session::speaker_state {
    explicit speaker_state(audio::player p, const audio::level_meter_config& levels)
        : player(std::move(p)), meter(levels) {}
    audio::player player;
    audio::level_meter meter;
    audio::pcm_frame pcm{};
};

client_session::client_session(e2ee::identity identity, client_config config, random_source& random)
    : identity_(std::move(identity)), config_(std::move(config)), random_(random) {}

client_session::~client_session() = default;

// ---------------------------------------------------------------- transport

void client_session::on_connected(time_point) {
    phase_ = phase::hello_sent;
    proto::hello hello{identity_.key(), config_.client_name, config_.client_version};
    outbox_.push_back({false, proto::encode(proto::client_message{std::nullopt, hello})});
}

void client_session::on_disconnected(time_point) {
    phase_ = phase::idle;
    deferred_.clear();
    if (room_) handle_removed(room::leave_reason::disconnected);
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
                   [&](const proto::room_created& created) {
                       event::room_created out{created.room, created.invite, {}};
                       const auto pending = std::find_if(
                           pending_creations_.begin(), pending_creations_.end(),
                           [&](const auto& item) { return message.request_id == item.first; });
                       if (pending != pending_creations_.end()) {
                           if (created.kind == room::room_kind::closed) {
                               out.admission = pending->second;
                               if (created_rooms_.size() >= config_.max_created_rooms) {
                                   created_rooms_.erase(created_rooms_.begin());
                               }
                               created_rooms_.emplace_back(created.room, pending->second);
                           }
                           pending_creations_.erase(pending);
                       }
                       emit(std::move(out));
                   },
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
                   [&](const proto::error_message& error) {
                       if (resync_request_ && message.request_id == resync_request_) {
                           resyncing_ = false;  // refused: the next gap asks again
                           resync_request_.reset();
                       }
                       if (join_request_ && message.request_id == join_request_ && !joined_) {
                           room_.reset();  // the join was refused
                           join_request_.reset();
                       }
                       emit(event::error{error.code, error.name, error.message});
                   },
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
}

// ---------------------------------------------------------------- requests

void client_session::create_room(room::room_kind kind, bool stage_only, std::optional<std::string> title) {
    const std::uint32_t request = next_request_id_++;
    if (kind == room::room_kind::closed) {
        // Made on this device; the relay never sees it. It reaches joiners through the link only.
        e2ee::admission_secret secret;
        random_.fill(secret.mutable_view());
        if (pending_creations_.size() >= config_.max_created_rooms) pending_creations_.erase(pending_creations_.begin());
        pending_creations_.emplace_back(request, secret);
    }
    send_json({request, proto::create_room{kind, stage_only, std::move(title)}});
}

void client_session::join_room(const room_id& room, std::optional<invite_token> invite, e2ee::profile profile,
                               std::optional<e2ee::admission_secret> admission,
                               std::optional<public_key> expected_host) {
    if (room_) {
        report(static_cast<std::uint16_t>(client_error::wrong_state), to_string(client_error::wrong_state),
               "already in a room");
        return;
    }
    if (!admission) {
        const auto created = std::find_if(created_rooms_.begin(), created_rooms_.end(),
                                          [&](const auto& item) { return item.first == room; });
        if (created != created_rooms_.end()) admission = created->second;
    }
    if (last_admission_ && last_admission_->first == room && admission) {
        admission = last_admission_->second;  // learnt after the link: a rotation may have revoked the link's
    }
    room_ = room;
    own_profile_ = std::move(profile);
    join_request_ = next_request_id_++;
    // Every join is a new session: key packages sealed for an earlier one will be refused.
    session_ = e2ee::fresh_session_nonce(random_);
    admission_secrets_.clear();
    alarmed_.clear();
    if (admission && e2ee::is_set(*admission)) remember_admission(*admission);
    trusted_host_ = expected_host;
    proto::join_room join{room, invite, {}, {}};
    join.admission = e2ee::encode_admission(session_, room, identity_.key(),
                                            admission_secrets_.empty() ? nullptr : &admission_secrets_.back());
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
    if (signer_ && ((down != nullptr && down->target == id()) || (mute != nullptr && mute->muted) ||
                    std::holds_alternative<room::action::leave>(action))) {
        if (auto signature = signer_->flush()) send_signature(*signature);
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
    keyring_ = std::make_unique<e2ee::keyring>(e2ee::keyring_config{*room_});
    encryptor_ = std::make_unique<e2ee::frame_encryptor>(index_);
    decryptor_ = e2ee::frame_decryptor{};
    signer_ = std::make_unique<e2ee::speaker_signer>(identity_, index_, e2ee::speaker_signer_config{*room_});
    if (config_.verify_speakers) {
        e2ee::speaker_verifier_config verifier_config{*room_};
        verifier_config.shared_verdicts = config_.shared_verdicts;
        verifier_ = std::make_unique<e2ee::speaker_verifier>(verifier_config);
    }
    replica_ = std::monostate{};
    followed_ = welcome.follow;
    pending_self_ = welcome.self;
    assembler_ = proto::snapshot_assembler{};
    emit(event::joined{*room_, index_, welcome.self.member_role});
    handle_snapshot_part(welcome.snapshot, now);
}

void client_session::handle_snapshot_part(proto::snapshot_message part, time_point now) {
    if (!joined_) return;
    auto assembled = assembler_.add(std::move(part));
    if (!assembled.ok()) {
        report(static_cast<std::uint16_t>(assembled.error().code), proto::to_string(assembled.error().code),
               "snapshot parts out of order: " + assembled.error().detail);
        resyncing_ = false;
        request_resync();
        return;
    }
    if (!assembled.value()) return;  // more parts to come
    load_snapshot(*assembled.value(), now);
}

void client_session::load_snapshot(const std::variant<room::stage_snapshot, room::full_snapshot>& snapshot,
                                   time_point now) {
    const room::stream stream_of_snapshot =
        std::holds_alternative<room::full_snapshot>(snapshot) ? room::stream::full : room::stream::stage;
    if (stream_of_snapshot != followed_) return;  // a stale answer from before a role change
    status<room::room_error> loaded;
    if (const auto* stage = std::get_if<room::stage_snapshot>(&snapshot)) {
        room::stage_replica replica(id());
        const room::member_entry* own = pending_self_ ? &*pending_self_ : nullptr;
        if (const auto* previous = std::get_if<room::stage_replica>(&replica_); own == nullptr && previous != nullptr) {
            own = previous->own_entry();
        }
        loaded = replica.load(*stage);
        // A listener's own entry is not on the stage stream; the welcome or notice carried it.
        if (loaded.ok() && own != nullptr && !room::is_on_stage(own->member_role)) {
            (void)replica.set_own_entry(*own);
        }
        if (loaded.ok()) replica_ = std::move(replica);
    } else {
        room::full_replica replica;
        loaded = replica.load(std::get<room::full_snapshot>(snapshot));
        if (loaded.ok()) replica_ = std::move(replica);
    }
    resyncing_ = false;
    resync_request_.reset();
    if (!loaded.ok()) {
        report(static_cast<std::uint16_t>(loaded.error()), room::to_string(loaded.error()), "snapshot refused");
        request_resync();
        return;
    }
    pending_self_.reset();
    // Replay what arrived meanwhile; anything already in the snapshot is a duplicate.
    replaying_ = true;
    auto held = std::exchange(held_deltas_, {});
    for (const auto& delta : held) handle_delta(delta, now);
    replaying_ = false;
    if (!joined_) return;  // a replayed delta removed us
    if (distributor_) reconcile_distributor(now);
    roster_updated(now);
}

void client_session::handle_delta(const room::sequenced_delta& delta, time_point now) {
    if (!joined_) return;
    if (resyncing_ || assembler_.in_progress() || std::holds_alternative<std::monostate>(replica_)) {
        if (held_deltas_.size() >= max_held_deltas) {
            // Too far behind to catch up by replay: start over from a fresh snapshot.
            held_deltas_.clear();
            resyncing_ = false;
            request_resync();
            return;
        }
        held_deltas_.push_back(delta);
        return;
    }
    // A departing member's index is gone from the replica once the delta applies.
    std::optional<sender_index> departing;
    if (const auto* left = std::get_if<room::delta::member_left>(&delta.change)) {
        if (const auto* member = find_member(left->id)) departing = member->index;
    }
    result<room::apply_effect, room::room_error> applied = room::apply_effect::duplicate;
    if (auto* stage = std::get_if<room::stage_replica>(&replica_)) {
        if (delta.on != room::stream::stage) return;
        applied = stage->apply(delta);
    } else if (auto* full = std::get_if<room::full_replica>(&replica_)) {
        if (delta.on != room::stream::full) return;
        applied = full->apply(delta);
    }
    if (!applied.ok()) {
        if (applied.error() == room::room_error::needs_resync) {
            held_deltas_.push_back(delta);
            request_resync();
        } else {
            report(static_cast<std::uint16_t>(applied.error()), room::to_string(applied.error()), "delta refused");
            request_resync();
        }
        return;
    }
    if (applied.value() != room::apply_effect::applied) return;
    if (distributor_) feed_distributor_delta(delta.change, departing, now);
    if (const auto* left = std::get_if<room::delta::member_left>(&delta.change); left && left->id == id()) {
        handle_removed(left->reason);
        return;
    }
    if (std::holds_alternative<room::delta::room_ended>(delta.change)) {
        handle_removed(room::leave_reason::room_ended);
        return;
    }
    if (!replaying_) roster_updated(now);
}

void client_session::handle_own_entry(const room::member_entry& entry, time_point now) {
    auto* stage = std::get_if<room::stage_replica>(&replica_);
    if (stage == nullptr) return;
    const bool was_invited = stage->own_entry() != nullptr && stage->own_entry()->invited_to_stage;
    if (!stage->set_own_entry(entry).ok()) return;
    if (entry.invited_to_stage && !was_invited) emit(event::invited_to_stage{});
    roster_updated(now);
}

void client_session::handle_follow_stream(const proto::follow_stream& follow, time_point now) {
    if (!joined_) return;
    // The old replica is of the wrong stream now: replace it whole.
    replica_ = std::monostate{};
    held_deltas_.clear();
    resyncing_ = false;
    resync_request_.reset();
    followed_ = follow.follow;
    pending_self_ = follow.self;
    assembler_ = proto::snapshot_assembler{};
    emit(event::role_changed{follow.self.member_role});
    handle_snapshot_part(follow.snapshot, now);
}

void client_session::request_resync() {
    if (resyncing_) return;
    resyncing_ = true;
    ++stats_.resyncs;
    resync_request_ = next_request_id_++;
    send_json({resync_request_, proto::resync{followed_}});
}

void client_session::handle_removed(room::leave_reason reason) {
    const bool was_in_room = room_.has_value();
    room_.reset();
    joined_ = false;
    join_request_.reset();
    replica_ = std::monostate{};
    held_deltas_.clear();
    resyncing_ = false;
    assembler_ = proto::snapshot_assembler{};
    // Keys of a room one has left are dropped at once: nothing more of it should be readable here.
    distributor_.reset();
    distributed_to_.clear();
    last_resend_.clear();
    pending_self_.reset();
    resync_request_.reset();
    keyring_.reset();
    encryptor_.reset();
    signer_.reset();
    verifier_.reset();
    speakers_.clear();
    verified_speakers_.clear();
    held_signatures_.clear();
    published_generation_.reset();
    admission_secrets_.clear();
    trusted_host_.reset();
    last_key_request_.reset();
    if (was_in_room) emit(event::removed{reason});
}

void client_session::roster_updated(time_point now) {
    // One pass over the stage (O(stage), whatever the audience size) gives the index -> key map
    // that speaker verification and playback follow.
    std::unordered_map<std::uint32_t, public_key> stage_keys;
    std::vector<room::member_entry> forged_entries;
    for_each_stage_member([&](const room::member_entry& member) {
        if (member.id == id()) return;
        // An entry whose id is not its key's is the relay's invention: its frames stay unverified.
        if (e2ee::derive_member_id(member.key) != member.id) {
            forged_entries.push_back(member);
            return;
        }
        stage_keys.emplace(member.index.value, member.key);
    });
    for (const auto& member : forged_entries) alarm_once(event::alarm_kind::member_id_mismatch, member.id, member.index);
    check_host_key();
    if (verifier_) {
        for (auto it = verified_speakers_.begin(); it != verified_speakers_.end();) {
            const auto current = stage_keys.find(it->first);
            if (current == stage_keys.end() || current->second != it->second) {
                verifier_->remove_speaker(sender_index(it->first));
                it = verified_speakers_.erase(it);
            } else {
                ++it;
            }
        }
        for (const auto& [index, key] : stage_keys) {
            if (verified_speakers_.emplace(index, key).second) verifier_->set_speaker_key(sender_index(index), key);
        }
    }
    std::erase_if(speakers_, [&](const auto& item) { return !stage_keys.contains(item.first); });
    retry_held_signatures(now);

    const bool host = role() == room::role::host;
    if (host && !distributor_) {
        sync_distributor(now);
    } else if (!host && distributor_) {
        distributor_.reset();
        distributed_to_.clear();
    last_resend_.clear();
    }
    publish_profile();
    emit(event::roster_changed{});
}

template <typename F>
void client_session::for_each_stage_member(F&& visit) const {
    if (const auto* stage = std::get_if<room::stage_replica>(&replica_)) {
        stage->for_each_stage_member(visit);
    } else if (const auto* full = std::get_if<room::full_replica>(&replica_)) {
        full->for_each_member([&](const room::member_entry& member) {
            if (room::is_on_stage(member.member_role)) visit(member);
        });
    }
}

// ---------------------------------------------------------------- keys

void client_session::sync_distributor(time_point now) {
    const auto* full = std::get_if<room::full_replica>(&replica_);
    if (full == nullptr || !keyring_) return;  // the follow_stream snapshot is still on its way
    // A new distributor starts well past every epoch it has seen, so members accept its keys.
    const epoch_id first = keyring_->newest_epoch() ? epoch_id{keyring_->newest_epoch()->value + handover_epoch_jump}
                                                    : epoch_id{1};
    e2ee::distributor_config config{*room_};
    if (room_is_closed()) config.admission = admission_secrets_.back();
    distributor_ = std::make_unique<e2ee::key_distributor>(identity_, index_, config, random_, first);
    distributed_to_.clear();
    last_resend_.clear();
    reconcile_distributor(now);
    flush_distributor(now);
}

void client_session::reconcile_distributor(time_point now) {
    // After a snapshot the replica may have skipped deltas: whoever left in the gap must still be
    // rekeyed away, and whoever joined must still get keys.
    const auto* full = std::get_if<room::full_replica>(&replica_);
    if (full == nullptr || !distributor_) return;
    std::unordered_map<std::uint32_t, public_key> current;
    full->for_each_member([&](const room::member_entry& member) {
        if (member.id != id()) current.emplace(member.index.value, member.key);
    });
    for (auto it = distributed_to_.begin(); it != distributed_to_.end();) {
        if (current.contains(it->first)) {
            ++it;
            continue;
        }
        (void)distributor_->member_removed(sender_index(it->first), now);
        it = distributed_to_.erase(it);
    }
    full->for_each_member([&](const room::member_entry& member) {
        if (member.id != id() && !distributed_to_.contains(member.index.value)) {
            (void)admit_to_distributor(member, now, true);
        }
    });
}

bool client_session::admit_to_distributor(const room::member_entry& member, time_point now, bool any_known_secret) {
    if (!entry_genuine(member)) return false;
    auto proof = e2ee::parse_admission(member.admission);
    if (room_is_closed()) {
        // The relay lets anyone it likes into the roster; keys go only to holders of the link's secret.
        const auto first = any_known_secret ? admission_secrets_.begin() : std::prev(admission_secrets_.end());
        const bool admitted = proof.ok() && std::any_of(first, admission_secrets_.end(), [&](const auto& secret) {
                                  return e2ee::admission_valid(*proof, secret, *room_, member.key);
                              });
        if (!admitted) {
            alarm_once(event::alarm_kind::unadmitted_member, member.id, member.index);
            return false;
        }
    }
    // Without a proof (an older client) the package carries a zero nonce, which that client expects.
    const e2ee::session_nonce nonce = proof.ok() ? proof->nonce : e2ee::session_nonce{};
    if (!distributor_->member_added(member.index, member.key, now, nonce).ok()) {
        report(static_cast<std::uint16_t>(e2ee::e2ee_error::invalid_public_key), "invalid_public_key",
               "a member's key cannot receive epoch secrets");
        return false;
    }
    distributed_to_.emplace(member.index.value, member.key);
    return true;
}

bool client_session::entry_genuine(const room::member_entry& member) {
    if (e2ee::derive_member_id(member.key) == member.id) return true;
    alarm_once(event::alarm_kind::member_id_mismatch, member.id, member.index);
    return false;
}

void client_session::check_host_key() {
    const auto ref = distributor_ref();
    if (!ref) return;
    if (ref->key == identity_.key() || !trusted_host_) {
        trusted_host_ = ref->key;
        return;
    }
    if (*trusted_host_ == ref->key) return;
    // Handovers are not signed by the previous host yet (docs/security.md), so every change is
    // shown: the user compares security codes with the people they know.
    const room::member_entry* host = find_stage_member_by_index(ref->index);
    alarm_once(event::alarm_kind::host_key_changed, host != nullptr ? host->id : member_id{}, ref->index);
    trusted_host_ = ref->key;
}

void client_session::alarm_once(event::alarm_kind kind, member_id member, sender_index index) {
    const std::pair<event::alarm_kind, std::uint32_t> key{kind, index.value};
    if (std::find(alarmed_.begin(), alarmed_.end(), key) != alarmed_.end()) return;
    constexpr std::size_t max_alarmed = 256;  // a relay inventing members cannot grow this
    if (alarmed_.size() >= max_alarmed) alarmed_.erase(alarmed_.begin());
    alarmed_.push_back(key);
    ++stats_.security_alarms;
    emit(event::security_alarm{kind, member, index});
}

void client_session::remember_admission(const e2ee::admission_secret& secret) {
    // Newest last: a secret seen again (keys carrying it) becomes the current one again.
    std::erase(admission_secrets_, secret);
    if (admission_secrets_.size() >= max_admission_secrets) admission_secrets_.erase(admission_secrets_.begin());
    admission_secrets_.push_back(secret);
    if (room_) last_admission_.emplace(*room_, secret);
}

bool client_session::room_is_closed() const { return !admission_secrets_.empty(); }

std::optional<e2ee::admission_secret> client_session::admission_secret() const {
    if (admission_secrets_.empty()) return std::nullopt;
    return admission_secrets_.back();
}

void client_session::feed_distributor_delta(const room::any_delta& change, std::optional<sender_index> departing,
                                            time_point now) {
    if (const auto* joined = std::get_if<room::delta::member_joined>(&change)) {
        if (joined->member.id != id()) (void)admit_to_distributor(joined->member, now, false);
    } else if (const auto* left = std::get_if<room::delta::member_left>(&change); left != nullptr && departing) {
        if (distributed_to_.erase(departing->value) > 0) (void)distributor_->member_removed(*departing, now);
        last_resend_.erase(departing->value);
        const bool removed_by_moderation =
            left->reason == room::leave_reason::kicked || left->reason == room::leave_reason::banned;
        if (removed_by_moderation && room_is_closed()) {
            // The removed member knows the link's secret and could come back under a fresh identity:
            // a new secret, sealed only to those who stay, closes that door. Old links stop working.
            e2ee::admission_secret rotated;
            random_.fill(rotated.mutable_view());
            remember_admission(rotated);
            distributor_->rotate_admission(rotated, now);
            emit(event::admission_changed{});
        }
    }
}

void client_session::flush_distributor(time_point now) {
    if (!distributor_) return;
    e2ee::distributor_output out = distributor_->tick(now);
    if (out.empty()) return;
    const auto before = keyring_->newest_epoch();
    if (out.own_epoch) {
        if (auto installed = keyring_->install(*out.own_epoch, now); !installed.ok()) {
            report(static_cast<std::uint16_t>(installed.error()), e2ee::to_string(installed.error()),
                   "own epoch refused");
        }
    }
    if (out.announcement) {
        const bytes message = proto::encode_binary(proto::key_announcement_message{index_, std::move(*out.announcement)});
        send_binary(std::string(message.begin(), message.end()), false);
    }
    if (!out.packages.empty()) {
        std::vector<proto::key_bundle_entry> entries;
        entries.reserve(out.packages.size());
        for (auto& package : out.packages) entries.push_back({package.recipient, std::move(package.blob)});
        for (auto& part : proto::split_key_bundle(index_, entries)) {
            send_binary(std::string(part.begin(), part.end()), false);
        }
    }
    after_new_keys(before, now);
}

std::optional<e2ee::distributor_ref> client_session::distributor_ref() const {
    const auto host_id = [&]() -> std::optional<member_id> {
        if (const auto* stage = std::get_if<room::stage_replica>(&replica_)) return stage->host();
        if (const auto* full = std::get_if<room::full_replica>(&replica_)) return full->host();
        return std::nullopt;
    }();
    if (!host_id) return std::nullopt;
    const room::member_entry* host = find_member(*host_id);
    if (host == nullptr) return std::nullopt;
    // A host entry whose id is not its key's is forged: no key material is accepted under it.
    if (e2ee::derive_member_id(host->key) != host->id) return std::nullopt;
    return e2ee::distributor_ref{host->index, host->key};
}

void client_session::handle_key_package(sender_index from, byte_view blob, time_point now) {
    if (!keyring_) return;
    const auto ref = distributor_ref();
    if (!ref) return;
    const auto before = keyring_->newest_epoch();
    auto handled = keyring_->handle_package(from, blob, *ref, identity_, now, session_);
    if (!handled.ok()) {
        if (handled.error() == e2ee::e2ee_error::wrong_session) {
            // Genuine, but sealed for an earlier join: the relay is replaying it.
            const room::member_entry* host = find_stage_member_by_index(ref->index);
            alarm_once(event::alarm_kind::replayed_key_package, host != nullptr ? host->id : member_id{}, from);
            return;
        }
        if (handled.error() != e2ee::e2ee_error::stale_epoch) {
            report(static_cast<std::uint16_t>(handled.error()), e2ee::to_string(handled.error()),
                   "key package refused");
        }
        return;
    }
    after_new_keys(before, now);
}

void client_session::handle_key_announcement(sender_index from, byte_view payload, time_point now) {
    if (!keyring_) return;
    const auto ref = distributor_ref();
    if (!ref) return;
    const auto before = keyring_->newest_epoch();
    auto handled = keyring_->handle_announcement(from, payload, *ref, now);
    if (!handled.ok()) {
        // A joiner hears the ratchet announcement for the epoch it is about to be sent sealed;
        // it lacks the previous epoch by design. Anything else is worth reporting.
        const auto e = handled.error();
        if (e != e2ee::e2ee_error::unknown_epoch && e != e2ee::e2ee_error::stale_epoch) {
            report(static_cast<std::uint16_t>(e), e2ee::to_string(e), "key announcement refused");
        }
        // A member that holds keys and still cannot follow missed one: the relay dropped it.
        if (e == e2ee::e2ee_error::unknown_epoch && before) request_keys(now);
        return;
    }
    after_new_keys(before, now);
}

void client_session::request_keys(time_point now) {
    if (!keyring_ || !joined_) return;
    if (last_key_request_ && now < *last_key_request_ + key_request_interval) return;
    last_key_request_ = now;
    ++stats_.key_requests;
    bytes payload;
    byte_writer(payload).write_u64(keyring_->newest_epoch() ? keyring_->newest_epoch()->value : 0);
    const bytes message = proto::encode_binary(proto::key_request_message{index_, std::move(payload)});
    send_binary(std::string(message.begin(), message.end()), false);
}

void client_session::handle_key_request(sender_index from, byte_view, time_point now) {
    // Only the distributor answers, only members it already seals to, once a second each: a
    // request cannot make the host seal to anyone new or seal without bound.
    if (!distributor_ || !distributed_to_.contains(from.value)) return;
    const auto last = last_resend_.find(from.value);
    if (last != last_resend_.end() && now < last->second + key_request_interval) return;
    last_resend_[from.value] = now;
    auto package = distributor_->resend(from);
    if (!package.ok()) return;  // a joiner still waiting for its batch gets it with the batch
    const std::vector<proto::key_bundle_entry> entries{{package->recipient, std::move(package->blob)}};
    for (auto& part : proto::split_key_bundle(index_, entries)) send_binary(std::string(part.begin(), part.end()), false);
}

void client_session::after_new_keys(std::optional<epoch_id> before, time_point) {
    if (!keyring_) return;
    const auto newest = keyring_->newest_epoch();
    if (!newest || newest == before) return;
    ++stats_.rekeys;
    emit(event::keys_changed{*newest});
    if (const e2ee::epoch_keys* keys = keyring_->newest_keys(); keys != nullptr && e2ee::is_set(keys->admission)) {
        const bool known = admission_secret() == keys->admission;
        remember_admission(keys->admission);
        if (!known) emit(event::admission_changed{});
    }
    publish_profile();
}

void client_session::publish_profile() {
    if (!keyring_ || !joined_ || !room_) return;
    const e2ee::epoch_keys* keys = keyring_->newest_keys();
    if (keys == nullptr || published_generation_ == keys->generation) return;
    if (own_profile_.display_name.empty() && own_profile_.text.empty()) return;
    auto sealed = e2ee::seal_profile(own_profile_, identity_, index_, *room_, keys->generation, keys->roster_secret,
                                     random_);
    if (!sealed.ok()) {
        report(static_cast<std::uint16_t>(sealed.error()), e2ee::to_string(sealed.error()), "profile not sealed");
        return;
    }
    published_generation_ = keys->generation;
    send_json({next_request_id_++, proto::room_action{room::action::set_profile{std::move(sealed).value()}}});
}

// ---------------------------------------------------------------- media

void client_session::receive_binary(byte_view message, time_point now) {
    const auto header = proto::peek_binary_header(message);
    if (!header.ok()) {
        report(static_cast<std::uint16_t>(header.error().code), proto::to_string(header.error().code),
               "binary message did not decode");
        return;
    }
    const byte_view payload = message.subspan(proto::binary_header_size);
    switch (header->type) {
        case proto::binary_type::media: handle_media(header->sender, payload, now); return;
        case proto::binary_type::speaker_signature: handle_speaker_signature(header->sender, payload, now); return;
        case proto::binary_type::key_announcement: handle_key_announcement(header->sender, payload, now); return;
        case proto::binary_type::key_package: handle_key_package(header->sender, payload, now); return;
        case proto::binary_type::key_request: handle_key_request(header->sender, payload, now); return;
        case proto::binary_type::key_bundle:
            report(static_cast<std::uint16_t>(proto::proto_error::wrong_direction), "wrong_direction",
                   "key_bundle from the relay");
            return;
    }
}

void client_session::handle_media(sender_index from, byte_view frame, time_point now) {
    if (!keyring_ || from == index_) return;
    scratch_plain_.resize(frame.size());
    auto opened = decryptor_.unprotect(*keyring_, from, frame, scratch_plain_, now);
    if (!opened.ok()) {
        switch (opened.error()) {
            case e2ee::e2ee_error::replay:
            case e2ee::e2ee_error::too_old: ++stats_.replays_rejected; break;
            case e2ee::e2ee_error::unknown_epoch: {
                ++stats_.no_key_failures;
                // A frame of an epoch newer than any held: key material for it never arrived.
                const auto header = e2ee::parse_header(frame);
                const auto newest = keyring_->newest_epoch();
                if (header.ok() && newest && (header->header.kid >> e2ee::kid_sender_bits) > newest->value) {
                    request_keys(now);
                }
                break;
            }
            default: ++stats_.decrypt_failures; break;
        }
        return;
    }
    const e2ee::frame_info info = opened.value();
    auto payload = read_media_payload(byte_view(scratch_plain_).first(info.size));
    if (!payload.ok()) {
        ++stats_.bad_payloads;
        return;
    }
    ++stats_.frames_received;
    // The send time is the remote's word: use it only when it is plausible on our clock.
    const std::int64_t sent = to_micros(payload->sent_at);
    const std::int64_t arrived = to_micros(now);
    if (sent >= 0 && sent <= arrived && arrived - sent < max_plausible_latency_us) {
        stats_.latency_sum_us += arrived - sent;
        ++stats_.latency_samples;
    }
    if (verifier_) {
        for (const auto& alarm : verifier_->on_frame_accepted(from, info.kid, info.counter, frame, now)) {
            raise_alarm(alarm);
        }
    }
    if (config_.observer != nullptr) config_.observer->on_frame(from, payload->seq, payload->sent_at, now);
    if (!config_.decode_audio) return;
    auto speaker = speakers_.find(from.value);
    if (speaker == speakers_.end()) {
        auto player = audio::player::create(config_.jitter);
        if (!player.ok()) return;
        speaker = speakers_
                      .emplace(from.value, std::make_unique<speaker_state>(std::move(player).value(), config_.levels))
                      .first;
    }
    (void)speaker->second->player.push(payload->seq, payload->opus, now);
}

void client_session::handle_speaker_signature(sender_index from, byte_view payload, time_point now) {
    if (!verifier_) return;
    auto outcome = verifier_->on_signature(from, payload, now);
    if (!outcome.ok() && outcome.error() == e2ee::e2ee_error::unknown_sender) {
        // A new speaker's first signatures can overtake the roster change that puts it on stage
        // (the relay queues media and control apart): hold them until the roster catches up.
        if (held_signatures_.size() >= max_held_signatures) held_signatures_.erase(held_signatures_.begin());
        held_signatures_.push_back({from, bytes(payload.begin(), payload.end()), now + held_signature_life});
        return;
    }
    if (!outcome.ok()) {
        report(static_cast<std::uint16_t>(outcome.error()), e2ee::to_string(outcome.error()),
               "speaker signature refused");
        return;
    }
    stats_.signatures_verified += outcome->verified;
    for (const auto& alarm : outcome->forged) raise_alarm(alarm);
}

void client_session::retry_held_signatures(time_point now) {
    if (held_signatures_.empty() || !verifier_) return;
    std::vector<held_signature> held;
    held.swap(held_signatures_);
    for (auto& signature : held) {
        if (now > signature.until) continue;  // the roster never named this speaker: dropped
        if (!verified_speakers_.contains(signature.from.value)) {
            held_signatures_.push_back(std::move(signature));
            continue;
        }
        handle_speaker_signature(signature.from, signature.payload, now);
    }
}

void client_session::raise_alarm(const e2ee::speaker_event& alarm) {
    const bool forged = alarm.verdict == e2ee::frame_verdict::forged;
    if (forged) {
        ++stats_.forged_frames;
    } else {
        ++stats_.unverified_frames;
    }
    emit(event::speaker_alarm{alarm.sender, forged});
}

status<client_error> client_session::check_can_send(time_point now) const {
    const room::member_entry* self = own_entry();
    if (!in_room() || self == nullptr) return fail(client_error::not_in_room);
    if (!room::is_on_stage(self->member_role)) return fail(client_error::not_on_stage);
    if (self->self_muted || self->moderator_muted) return fail(client_error::muted);
    if (!keyring_ || !keyring_->sending_epoch(now)) return fail(client_error::no_sending_key);
    return {};
}

status<client_error> client_session::send_audio(std::span<const std::int16_t, audio::frame_samples> pcm,
                                                time_point now) {
    if (auto can = check_can_send(now); !can.ok()) return can;
    const bool constant = constant_rate();
    if (encoder_ && encoder_->config().vbr == constant) encoder_.reset();  // the mode changed with the room
    if (!encoder_) {
        audio::encoder_config encoder_config;
        encoder_config.vbr = !constant;
        auto created = audio::opus_encoder::create(encoder_config);
        if (!created.ok()) return fail(client_error::wrong_state);
        if (!created->set_bitrate(config_.bitrate_bps).ok()) return fail(client_error::wrong_state);
        encoder_.emplace(std::move(created).value());
    }
    std::array<std::uint8_t, max_opus_packet> packet{};
    auto encoded = encoder_->encode(pcm, std::span(packet).first(constant ? max_padded_opus_packet : max_opus_packet));
    if (!encoded.ok()) return fail(client_error::too_large);
    const audio::frame_seq seq = next_frame_seq_;
    next_frame_seq_ = next_frame_seq_.next();
    if (encoded.value() <= audio::max_dtx_packet_bytes && !constant) {
        ++stats_.frames_skipped_dtx;  // silence: receivers conceal, nothing to send
        return {};
    }
    return protect_and_send(seq, byte_view(packet).first(encoded.value()), now);
}

status<client_error> client_session::send_opus(byte_view packet, time_point now) {
    if (packet.empty() || packet.size() > audio::max_packet_bytes) return fail(client_error::too_large);
    if (constant_rate() && packet.size() > max_padded_opus_packet) return fail(client_error::too_large);
    if (auto can = check_can_send(now); !can.ok()) return can;
    const audio::frame_seq seq = next_frame_seq_;
    next_frame_seq_ = next_frame_seq_.next();
    return protect_and_send(seq, packet, now);
}

status<client_error> client_session::protect_and_send(audio::frame_seq seq, byte_view opus, time_point now) {
    scratch_plain_.resize(max_media_payload_size);
    auto written = write_media_payload({seq, now, opus}, scratch_plain_, constant_rate());
    if (!written.ok()) return fail(written.error());
    scratch_frame_.resize(e2ee::frame_encryptor::max_protected_size(written.value()));
    auto protected_frame =
        encryptor_->protect(*keyring_, byte_view(scratch_plain_).first(written.value()), scratch_frame_, now);
    if (!protected_frame.ok()) return fail(client_error::no_sending_key);
    const byte_view frame = byte_view(scratch_frame_).first(protected_frame->size);
    bytes message;
    proto::encode_media(message, index_, frame);
    send_binary(std::string(message.begin(), message.end()), true);
    ++stats_.frames_sent;
    for (auto& signature : signer_->on_frame_sent(protected_frame->kid, protected_frame->counter, frame, now)) {
        send_signature(signature);
    }
    return {};
}

bool client_session::constant_rate() const {
    switch (config_.constant_rate) {
        case client_config::constant_rate_mode::never: return false;
        case client_config::constant_rate_mode::always: return true;
        case client_config::constant_rate_mode::automatic: return room_is_closed();
    }
    return false;
}

void client_session::send_signature(const bytes& signature) {
    const bytes message = proto::encode_binary(proto::speaker_signature_message{index_, signature});
    send_binary(std::string(message.begin(), message.end()), false);
}

void client_session::pull_audio(time_point now, std::span<std::int16_t, audio::frame_samples> out) {
    if (!mixer_) mixer_ = std::make_unique<audio::mixer>();  // 3.8 KB only for members that play audio
    mixer_->clear();
    for (auto& [index, speaker] : speakers_) {
        const audio::player_output played = speaker->player.pull(now, speaker->pcm);
        if (config_.observer != nullptr) config_.observer->on_playout(sender_index(index), played, now);
        speaker->meter.update(speaker->pcm);
        if (played.audible) mixer_->add(std::span<const std::int16_t, audio::frame_samples>(speaker->pcm));
    }
    mixer_->output(out);
}

void client_session::tick(time_point now) {
    if (distributor_) flush_distributor(now);
    if (signer_) {
        for (auto& signature : signer_->tick(now)) send_signature(signature);
    }
    if (verifier_) {
        for (const auto& alarm : verifier_->tick(now)) raise_alarm(alarm);
    }
    if (keyring_) keyring_->expire(now);
}

// ---------------------------------------------------------------- state

const room::member_entry* client_session::find_member(member_id member) const {
    if (const auto* stage = std::get_if<room::stage_replica>(&replica_)) {
        if (member == id()) return stage->own_entry();
        return stage->find(member);
    }
    if (const auto* full = std::get_if<room::full_replica>(&replica_)) return full->find(member);
    return nullptr;
}

const room::member_entry* client_session::find_stage_member_by_index(sender_index index) const {
    const room::member_entry* found = nullptr;
    for_each_stage_member([&](const room::member_entry& member) {
        if (member.index == index) found = &member;
    });
    return found;
}

const room::member_entry* client_session::own_entry() const { return find_member(id()); }

room::role client_session::role() const noexcept {
    const room::member_entry* self = own_entry();
    return self == nullptr ? room::role::listener : self->member_role;
}

std::uint32_t client_session::audience_count() const noexcept {
    if (const auto* stage = std::get_if<room::stage_replica>(&replica_)) return stage->audience_count();
    if (const auto* full = std::get_if<room::full_replica>(&replica_)) return full->listener_count();
    return 0;
}

std::vector<room::member_entry> client_session::raised_hands() const {
    std::vector<room::member_entry> hands;
    if (const auto* full = std::get_if<room::full_replica>(&replica_)) {
        full->for_each_member([&](const room::member_entry& member) {
            if (member.member_role == room::role::listener && member.hand_raised) {
                hands.push_back(member);
            }
        });
    }
    std::sort(hands.begin(), hands.end(), [](const auto& a, const auto& b) { return a.joined_order < b.joined_order; });
    return hands;
}

std::optional<epoch_id> client_session::current_epoch() const {
    return keyring_ ? keyring_->newest_epoch() : std::nullopt;
}

std::optional<e2ee::profile> client_session::open_profile(const room::member_entry& member) const {
    if (member.profile.empty() || !keyring_ || !room_) return std::nullopt;
    const auto generation = e2ee::profile_generation(member.profile);
    if (!generation.ok()) return std::nullopt;
    const auto* secret = keyring_->roster_secret(generation.value());
    if (secret == nullptr) return std::nullopt;
    auto opened = e2ee::open_profile(member.profile, member.index, member.key, *room_, *secret);
    if (!opened.ok()) return std::nullopt;
    return std::move(opened).value();
}

std::vector<stage_member_view> client_session::stage(bool open_profiles) const {
    std::vector<stage_member_view> views;
    for_each_stage_member([&](const room::member_entry& member) {
        stage_member_view view{member, std::nullopt, false};
        if (open_profiles) view.profile = open_profile(member);
        if (const auto speaker = speakers_.find(member.index.value); speaker != speakers_.end()) {
            view.speaking = speaker->second->meter.speaking();
        }
        views.push_back(std::move(view));
    });
    std::sort(views.begin(), views.end(),
              [](const auto& a, const auto& b) { return a.entry.joined_order < b.entry.joined_order; });
    return views;
}

std::optional<e2ee::security_code> client_session::security_code(time_point now) const {
    if (!keyring_ || !room_) return std::nullopt;
    const auto epoch = keyring_->newest_epoch();
    const auto ref = distributor_ref();
    if (!epoch || !ref) return std::nullopt;
    const auto* secret = keyring_->epoch_secret(*epoch, now);
    if (secret == nullptr) return std::nullopt;
    std::vector<public_key> stage_keys;
    for_each_stage_member([&](const room::member_entry& member) { stage_keys.push_back(member.key); });
    return e2ee::compute_security_code(*secret, *epoch, *room_, ref->key, stage_keys);
}

std::size_t client_session::approximate_bytes() const noexcept {
    std::size_t total = sizeof(*this);
    if (const auto* stage = std::get_if<room::stage_replica>(&replica_)) total += stage->approximate_bytes();
    if (keyring_) total += sizeof(e2ee::keyring) + keyring_->retained_epochs() * sizeof(e2ee::epoch_keys);
    if (encryptor_) total += sizeof(e2ee::frame_encryptor);
    if (signer_) total += sizeof(e2ee::speaker_signer);
    if (verifier_) total += sizeof(e2ee::speaker_verifier);
    total += speakers_.size() * (sizeof(speaker_state) + 64);
    total += scratch_plain_.capacity() + scratch_frame_.capacity();
    for (const auto& o : outbox_) total += sizeof(o) + o.data.capacity();
    return total;
}

}  // namespace stoa::client
