// The relay engine's front: it owns the connections and hands each message to its part (the
// handshake, admission, the room table, binary routing), then fans the room's outcome out.
#include "stoa/relay/relay_engine.hpp"

#include <optional>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

#include "admission.hpp"
#include "binary_router.hpp"
#include "connection_state.hpp"
#include "control_sender.hpp"
#include "handshake.hpp"
#include "room_table.hpp"
#include "stoa/common/overloaded.hpp"
#include "stoa/common/vector_queue.hpp"
#include "stoa/e2ee/room_claim.hpp"
#include "stoa/proto/control_codec.hpp"
#include "stoa/proto/snapshot_parts.hpp"

namespace stoa::relay {

namespace {

[[nodiscard]] proto::snapshot_message whole(room::stage_snapshot snapshot) {
    proto::snapshot_message message;
    message.snapshot = std::move(snapshot);
    return message;
}

}  // namespace

class relay_engine::impl {
public:
    impl(relay_config config, random_source& random, relay_sink& sink)
        : config_(std::move(config)), random_(random), sink_(sink), admission_(config_) {}

    void on_open(connection_id connection, time_point now, std::string_view peer_address);
    void on_open_vouched(connection_id connection, const public_key& key, time_point now,
                         std::string_view peer_address);
    void set_cluster_hooks(cluster_hooks* hooks) noexcept { hooks_ = hooks; }
    void on_text(connection_id connection, std::string_view text, time_point now);
    void on_binary(connection_id connection, const shared_message& message, time_point now);
    void on_close(connection_id connection, time_point now);
    void tick(time_point now);
    void shutdown(std::uint32_t reconnect_after_ms, time_point now);

    [[nodiscard]] const relay_stats& stats() const noexcept { return stats_; }
    [[nodiscard]] std::size_t connection_count() const noexcept { return connections_.size(); }
    [[nodiscard]] const room_table& rooms() const noexcept { return rooms_; }
    [[nodiscard]] bool shutting_down() const noexcept { return shutting_down_; }
    // Taken here or, in a cluster, homed on another node.
    [[nodiscard]] bool room_id_taken(const room_id& id) const {
        return rooms_.find(id) != nullptr || (hooks_ != nullptr && hooks_->room_lives_elsewhere(id));
    }

private:
    void handle_client_message(connection_id c, connection_state& state, proto::client_message message, time_point now);
    void handle_hello(connection_id c, connection_state& state, const proto::hello& hello,
                      std::optional<std::uint32_t> request_id);
    void handle_auth(connection_id c, connection_state& state, const proto::auth& auth,
                     std::optional<std::uint32_t> request_id);
    void handle_create(connection_id c, connection_state& state, const proto::create_room& create,
                       std::optional<std::uint32_t> request_id);
    void handle_join(connection_id c, connection_state& state, const proto::join_room& join,
                     std::optional<std::uint32_t> request_id, time_point now);
    void handle_action(connection_id c, connection_state& state, const room::any_action& action,
                       std::optional<std::uint32_t> request_id, time_point now);
    void handle_audience_page(connection_id c, connection_state& state, const room::audience_page_request& request,
                              std::optional<std::uint32_t> request_id);
    void handle_resync(connection_id c, connection_state& state, room::stream on,
                       std::optional<std::uint32_t> request_id);
    void handle_directory(connection_id c, connection_state& state, const proto::directory_query& query,
                          std::optional<std::uint32_t> request_id, time_point now);

    // Sends every delta once per stream, delivers notices, then updates who follows what.
    void dispatch(const room_id& id, room_state& room, const room::outcome& out);
    void deliver_notice(const room_id& id, room_state& room, const room::addressed_notice& notice);
    // The transport is gone: hold the seat for the grace window, or leave as disconnected.
    void transport_lost(connection_id c, connection_state& state, time_point now);
    void expire_held_seats(const room_id& id, room_state& room, time_point now);
    // Detaches everyone from an ended room; the room itself is erased at the end of the entry point.
    void close_room(const room_id& id, room_state& room);
    void leave_room(connection_id c, connection_state& state, const room::any_action& how, time_point now);
    void reject(connection_id to, proto::relay_error code, std::string message, close_code close);

    [[nodiscard]] room_state* room_of(const connection_state& state) {
        return state.room ? rooms_.find(*state.room) : nullptr;
    }

    relay_config config_;
    random_source& random_;
    relay_sink& sink_;
    relay_stats stats_{};
    control_sender control_{sink_, stats_};
    binary_router router_{sink_, stats_, config_};
    admission admission_;
    room_table rooms_;
    std::unordered_map<connection_id, connection_state, strong_hash> connections_;
    // Connections in the order they opened, for handshake timeouts: a tick looks only at those
    // whose time is up (an entry for a connection that authenticated or left is skipped), not at
    // every connection.
    vector_queue<std::pair<time_point, connection_id>> handshake_deadlines_;
    // The time of the entry point being handled; the engine never reads a clock.
    time_point now_{};
    // The join whose handling is producing notices, so the joiner's welcome can echo its id.
    std::optional<std::uint32_t> pending_request_{};
    member_id pending_requester_{};
    bool shutting_down_ = false;
    cluster_hooks* hooks_ = nullptr;
};

void relay_engine::impl::on_open(connection_id connection, time_point now, std::string_view peer_address) {
    now_ = now;
    // A transport that reuses an id must not inherit the old connection's room.
    if (connections_.contains(connection)) on_close(connection, now);
    connection_state state;
    state.opened_at = now;
    state.address = std::string(peer_address);
    state.limits = connection_limits(config_, now);
    connections_.emplace(connection, std::move(state));
    handshake_deadlines_.emplace_back(now, connection);
    ++stats_.connections_opened;
}

void relay_engine::impl::on_open_vouched(connection_id connection, const public_key& key, time_point now,
                                         std::string_view peer_address) {
    now_ = now;
    if (connections_.contains(connection)) on_close(connection, now);
    connection_state state;
    state.identity = handshake::vouched(key);
    state.opened_at = now;
    state.address = std::string(peer_address);
    state.limits = connection_limits(config_, now);
    connections_.emplace(connection, std::move(state));
    ++stats_.connections_opened;
}

void relay_engine::impl::on_text(connection_id connection, std::string_view text, time_point now) {
    now_ = now;
    const auto found = connections_.find(connection);
    if (found == connections_.end()) return;
    auto decoded = proto::decode_client_message(text);
    if (!decoded.ok()) {
        ++stats_.bad_messages;
        const auto& error = decoded.error();
        const auto close =
            error.code == proto::proto_error::message_too_large ? close_code::too_large : close_code::protocol_error;
        control_.send(connection, {std::nullopt, proto::make_error(error)});
        // A peer that sends what does not decode is out of step with the protocol: cut it off
        // (its room membership ends as a disconnect) rather than guess what it meant.
        sink_.close(connection, close, "malformed control message");
        on_close(connection, now);
        return;
    }
    if (!found->second.limits.control.take(now)) {
        // Decoded first, so the refusal can name the request it refuses.
        ++stats_.rate_limited;
        control_.send_error(connection, proto::relay_error::rate_limited, "too many control messages",
                            decoded.value().request_id);
        return;
    }
    handle_client_message(connection, found->second, std::move(decoded).value(), now);
    rooms_.erase_finished();
}

void relay_engine::impl::handle_client_message(connection_id c, connection_state& state, proto::client_message message,
                                               time_point now) {
    const auto request_id = message.request_id;
    std::visit(
        overloaded{
            [&](const proto::hello& hello) { handle_hello(c, state, hello, request_id); },
            [&](const proto::auth& auth) { handle_auth(c, state, auth, request_id); },
            [&](const proto::create_room& create) { handle_create(c, state, create, request_id); },
            [&](const proto::join_room& join) { handle_join(c, state, join, request_id, now); },
            [&](const proto::room_action& action) { handle_action(c, state, action.action, request_id, now); },
            [&](const proto::audience_page_query& query) { handle_audience_page(c, state, query.page, request_id); },
            [&](const proto::resync& resync) { handle_resync(c, state, resync.on, request_id); },
            [&](const proto::directory_query& query) { handle_directory(c, state, query, request_id, now); },
            [&](const proto::ping& ping) {
                control_.send(c, {request_id, proto::pong{ping.nonce}});
            },
            [&](const proto::pong&) {},
        },
        message.body);
}

void relay_engine::impl::handle_hello(connection_id c, connection_state& state, const proto::hello& hello,
                                      std::optional<std::uint32_t> request_id) {
    auto challenge = state.identity.on_hello(hello, random_);
    if (challenge.ok()) {
        control_.send(c, {request_id, challenge.value()});
    } else if (challenge.error() == handshake_refusal::invalid_key) {
        reject(c, proto::relay_error::auth_failed, "the public key is not a valid Ed25519 key",
               close_code::policy_violation);
    } else {
        control_.send_error(c, proto::relay_error::already_authenticated, "hello was already received", request_id);
    }
}

void relay_engine::impl::handle_auth(connection_id c, connection_state& state, const proto::auth& auth,
                                     std::optional<std::uint32_t> request_id) {
    const auto proven = state.identity.on_auth(auth, config_.auth_context);
    if (proven.ok()) {
        ++stats_.authenticated;
        return;
    }
    if (proven.error() == handshake_refusal::bad_signature) {
        ++stats_.auth_failures;
        reject(c, proto::relay_error::auth_failed, "the signature does not prove possession of the key",
               close_code::policy_violation);
        return;
    }
    // Out of order: before hello, or after the handshake completed. The connection stays open.
    control_.send_error(c,
                        proven.error() == handshake_refusal::already_authenticated
                            ? proto::relay_error::already_authenticated
                            : proto::relay_error::not_authenticated,
                        "auth must follow hello exactly once", request_id);
}

void relay_engine::impl::handle_create(connection_id c, connection_state& state, const proto::create_room& create,
                                       std::optional<std::uint32_t> request_id) {
    if (!state.identity.complete()) {
        control_.send_error(c, proto::relay_error::not_authenticated, "create_room needs hello and auth first",
                            request_id);
        return;
    }
    if (shutting_down_) {
        control_.send_error(c, proto::relay_error::server_shutting_down, "the relay is shutting down", request_id);
        return;
    }
    if (!admission_.may_join(state.member(), state.address, now_)) {
        ++stats_.rate_limited;
        control_.send_error(c, proto::relay_error::rate_limited, "too many joins and room creations", request_id);
        return;
    }
    if (rooms_.size() >= config_.max_rooms || rooms_.rooms_created_by(state.key()) >= config_.max_rooms_per_identity) {
        control_.send_error(c, proto::relay_error::too_many_rooms, "room limit reached", request_id);
        return;
    }
    // The id is bound to the creator's key: a creator that brings back its claim (after a relay
    // restart) gets its old id, and nobody else can produce that id.
    room_claim claim;
    if (create.claim) {
        claim = *create.claim;
    } else {
        random_.fill(claim.value);
    }
    room::room_config room_config;
    room_config.id = e2ee::derive_room_id(state.key(), claim);
    if (room_id_taken(room_config.id)) {
        // Only this key can have made it: a second create after a lost room_created, or a race
        // with its own other device. The room is there to join.
        control_.send_error(c, proto::relay_error::room_exists, "a room with this id is live", request_id);
        return;
    }
    room_config.kind = create.kind;
    room_config.stage_only = create.stage_only;
    room_config.limits = config_.room_limits;
    std::optional<invite_token> invite;
    if (create.kind == room::room_kind::closed) {
        // A re-created room keeps the token its links carry; the relay holds no memory of it.
        invite_token token;
        if (create.invite) {
            token = *create.invite;
        } else {
            random_.fill(token.value);
        }
        room_config.invites.push_back(token);
        invite = token;
    }
    const room_id id = room_config.id;
    room_state* room = rooms_.create(std::move(room_config), config_.authority, state.key(), now_);
    if (room == nullptr) {  // checked just above; only a broken room table gets here
        control_.send_error(c, proto::relay_error::internal, "room id collision", request_id);
        return;
    }
    if (create.kind == room::room_kind::open) room->title = create.title;
    ++stats_.rooms_created;
    control_.send(c, {request_id, proto::room_created{id, create.kind, invite, claim}});
}

void relay_engine::impl::handle_join(connection_id c, connection_state& state, const proto::join_room& join,
                                     std::optional<std::uint32_t> request_id, time_point now) {
    if (!state.identity.complete()) {
        control_.send_error(c, proto::relay_error::not_authenticated, "join needs hello and auth first", request_id);
        return;
    }
    if (state.room) {
        control_.send_error(c, proto::relay_error::already_in_room, "this connection is already in a room", request_id);
        return;
    }
    if (shutting_down_) {
        control_.send_error(c, proto::relay_error::server_shutting_down, "the relay is shutting down", request_id);
        return;
    }
    if (!admission_.may_join(state.member(), state.address, now)) {
        ++stats_.rate_limited;
        control_.send_error(c, proto::relay_error::rate_limited, "too many joins and room creations", request_id);
        return;
    }
    room_state* found = rooms_.find(join.room);
    if (found == nullptr && hooks_ != nullptr && hooks_->take_join(c, state.key(), join, request_id)) {
        return;  // the room's home node answers, through the node that took the connection
    }
    if (found == nullptr) {
        control_.send_error(c, proto::relay_error::room_not_found, "no such room", request_id);
        return;
    }
    room_state& room = *found;
    const member_id& member = state.member();
    if (!room.creator_joined && state.key() != room.creator) {
        // Until its creator sits in the host seat the room is not open to anyone else.
        control_.send_error(c, proto::relay_error::room_not_found, "no such room", request_id);
        return;
    }
    if (room.connection_of_member.contains(member)) {
        // The same identity on a second connection: refuse rather than split one member in two.
        control_.send_error(c, room::room_error::already_member, "this identity is already in the room", request_id);
        return;
    }
    if (room.held.contains(member) && room.authority.find(member) == nullptr) {
        rooms_.forget_held(room, member);  // removed (kicked, banned) while away: a plain join decides
    }
    const bool returning = room.held.contains(member);
    if (!returning && rooms_.rooms_joined_by(member) >= config_.max_concurrent_rooms_per_identity) {
        control_.send_error(c, proto::relay_error::too_many_rooms, "this identity is in too many rooms", request_id);
        return;
    }
    auto applied = returning
                       ? room.authority.reattach(member, join.admission, now)
                       : room.authority.apply(
                             member, room::action::join{state.key(), join.invite, join.profile, join.admission}, now);
    if (!applied.ok()) {
        ++stats_.actions_rejected;
        control_.send_error(c, applied.error(), "join refused", request_id);
        return;
    }
    if (returning) {
        ++stats_.seats_reattached;  // the seat's membership carries over to this connection
    } else {
        ++stats_.joins;
    }
    state.index = rooms_.attach(room, c, member);
    state.room = join.room;
    pending_request_ = request_id;
    pending_requester_ = member;
    dispatch(join.room, room, applied.value());
    pending_request_.reset();
}

void relay_engine::impl::handle_action(connection_id c, connection_state& state, const room::any_action& action,
                                       std::optional<std::uint32_t> request_id, time_point now) {
    room_state* room = room_of(state);
    if (room == nullptr) {
        control_.send_error(c, proto::relay_error::not_in_room, "join a room first", request_id);
        return;
    }
    if (std::holds_alternative<room::action::leave>(action)) {
        leave_room(c, state, action, now);
        return;
    }
    const room_id id = *state.room;
    auto applied = room->authority.apply(state.member(), action, now);
    if (!applied.ok()) {
        ++stats_.actions_rejected;
        control_.send_error(c, applied.error(), "action refused", request_id);
        return;
    }
    ++stats_.actions_applied;
    dispatch(id, *room, applied.value());
}

void relay_engine::impl::handle_audience_page(connection_id c, connection_state& state,
                                              const room::audience_page_request& request,
                                              std::optional<std::uint32_t> request_id) {
    room_state* room = room_of(state);
    if (room == nullptr) {
        control_.send_error(c, proto::relay_error::not_in_room, "join a room first", request_id);
        return;
    }
    control_.send(c, {request_id, proto::audience_page_message{room->authority.audience_page(request)}});
}

void relay_engine::impl::handle_resync(connection_id c, connection_state& state, room::stream on,
                                       std::optional<std::uint32_t> request_id) {
    room_state* room = room_of(state);
    if (room == nullptr) {
        control_.send_error(c, proto::relay_error::not_in_room, "join a room first", request_id);
        return;
    }
    const room::member_entry* entry = room->authority.find(state.member());
    if (on == room::stream::full && (entry == nullptr || !room::is_privileged(entry->member_role))) {
        control_.send_error(c, room::room_error::not_permitted, "only moderators follow the full stream", request_id);
        return;
    }
    if (on == room::stream::stage) {
        control_.send(c, {request_id, whole(room->authority.stage_snapshot())});
        return;
    }
    for (auto& part : proto::split_full_snapshot(room->authority.full_snapshot())) {
        control_.send(c, {request_id, std::move(part)});
    }
}

void relay_engine::impl::handle_directory(connection_id c, connection_state& state, const proto::directory_query& query,
                                          std::optional<std::uint32_t> request_id, time_point now) {
    if (!admission_.may_read_directory(state.limits, state.address, now)) {
        ++stats_.rate_limited;
        control_.send_error(c, proto::relay_error::rate_limited, "too many directory reads", request_id);
        return;
    }
    control_.send(c, {request_id, rooms_.directory(query, hooks_ != nullptr ? hooks_->remote_directory()
                                                                            : std::vector<proto::directory_entry>{})});
}

void relay_engine::impl::dispatch(const room_id& id, room_state& room, const room::outcome& out) {
    for (const auto& delta : out.deltas) {
        // One buffer per delta, shared by every follower of its stream.
        const shared_message message =
            control_text(proto::encode(proto::server_message{std::nullopt, proto::delta_message{delta}}));
        const auto followers = room.recipients.followers(delta.on);
        for (const connection_id to : followers) sink_.send(to, message);
        stats_.deltas_sent += followers.size();
    }
    for (const auto& notice : out.notices) deliver_notice(id, room, notice);
    if (room.authority.ended()) close_room(id, room);
}

void relay_engine::impl::deliver_notice(const room_id& id, room_state& room, const room::addressed_notice& notice) {
    const auto found = room.connection_of_member.find(notice.to);
    if (found == room.connection_of_member.end()) return;
    const connection_id to = found->second;
    // The reply to the request that caused the notice (a join) echoes its id.
    bool first = true;
    for (auto& body : proto::notice_messages(notice.body, id)) {
        const bool reply = first && notice.to == pending_requester_;
        control_.send(to, {reply ? pending_request_ : std::nullopt, std::move(body)});
        first = false;
    }
    std::visit(overloaded{
                   [&](const room::notice::welcome& welcome) { room.recipients.add(to, welcome.follow); },
                   [&](const room::notice::own_entry&) {},
                   [&](const room::notice::follow_stream& follow) {
                       if (!room.recipients.move(to, follow.follow)) room.recipients.add(to, follow.follow);
                   },
                   [&](const room::notice::removed&) {
                       // The connection stays open (it may join elsewhere) but hears nothing more here.
                       const auto state = connections_.find(to);
                       if (state != connections_.end()) {
                           state->second.room.reset();
                           rooms_.detach(room, notice.to, state->second.index, to);
                       }
                   },
               },
               notice.body);
}

void relay_engine::impl::on_binary(connection_id connection, const shared_message& message, time_point now) {
    now_ = now;
    const auto found = connections_.find(connection);
    if (found == connections_.end()) return;
    connection_state& state = found->second;
    const room_state* room = room_of(state);
    if (room == nullptr) {
        control_.send_error(connection, proto::relay_error::not_in_room, "binary messages need a room", std::nullopt);
        return;
    }
    if (auto error = router_.route(*room, connection, state, message, now)) {
        control_.send(connection, {std::nullopt, std::move(*error)});
    }
}

void relay_engine::impl::leave_room(connection_id c, connection_state& state, const room::any_action& how,
                                    time_point now) {
    room_state* room = room_of(state);
    if (room == nullptr) return;
    const room_id id = *state.room;
    auto applied = room->authority.apply(state.member(), how, now);
    rooms_.detach(*room, state.member(), state.index, c);
    state.room.reset();
    if (applied.ok()) {
        ++stats_.actions_applied;
        dispatch(id, *room, applied.value());
    }
    if (room->vacant()) rooms_.mark_finished(id);
}

void relay_engine::impl::transport_lost(connection_id c, connection_state& state, time_point now) {
    room_state* room = room_of(state);
    if (room == nullptr) return;
    const room::member_entry* entry = room->authority.find(state.member());
    // The host's seat is never held: the host distributes the room's keys, and a room waiting for
    // it could neither admit members with keys nor rekey after a departure. It hands over now.
    const bool hold = config_.reconnect_grace > duration::zero() && !shutting_down_ && entry != nullptr &&
                      entry->member_role != room::role::host && !room->authority.ended();
    if (!hold) {
        leave_room(c, state, room::action::disconnect{}, now);
        return;
    }
    rooms_.hold(*room, state.member(), state.index, c, now + config_.reconnect_grace);
    state.room.reset();
    ++stats_.seats_held;
}

void relay_engine::impl::expire_held_seats(const room_id& id, room_state& room, time_point now) {
    const std::vector<member_id> expired = rooms_.expired_seats(room, now);
    for (const member_id& member : expired) {
        const bool still_seated = room.authority.find(member) != nullptr;
        rooms_.forget_held(room, member);
        if (!still_seated || room.authority.ended()) continue;
        ++stats_.seats_expired;
        auto applied = room.authority.apply(member, room::action::disconnect{}, now);
        if (applied.ok()) dispatch(id, room, applied.value());
    }
    if (!expired.empty() && room.vacant()) rooms_.mark_finished(id);
}

void relay_engine::impl::close_room(const room_id& id, room_state& room) {
    for (const connection_id c : rooms_.close(id, room)) {
        const auto state = connections_.find(c);
        if (state != connections_.end()) state->second.room.reset();
    }
}

void relay_engine::impl::on_close(connection_id connection, time_point now) {
    now_ = now;
    const auto found = connections_.find(connection);
    if (found == connections_.end()) return;
    transport_lost(connection, found->second, now);
    connections_.erase(connection);
    rooms_.erase_finished();
}

void relay_engine::impl::shutdown(std::uint32_t reconnect_after_ms, time_point now) {
    now_ = now;
    shutting_down_ = true;
    // One buffer for everyone; closing is the transport's job once each queue has drained.
    const shared_message notice =
        control_text(proto::encode(proto::server_message{std::nullopt, proto::shutdown{reconnect_after_ms}}));
    std::vector<connection_id> everyone;
    everyone.reserve(connections_.size());
    for (const auto& [c, state] : connections_) everyone.push_back(c);
    for (const connection_id c : everyone) {
        sink_.send(c, notice);
        sink_.close(c, close_code::going_away, "server shutting down");
    }
}

void relay_engine::impl::tick(time_point now) {
    now_ = now;
    std::vector<connection_id> timed_out;
    while (!handshake_deadlines_.empty() && now - handshake_deadlines_.front().first > config_.handshake_timeout) {
        const auto [opened_at, c] = handshake_deadlines_.front();
        handshake_deadlines_.pop_front();
        const auto found = connections_.find(c);
        // The same id may have been reopened since: only its latest opening counts.
        if (found != connections_.end() && found->second.opened_at == opened_at && !found->second.identity.complete()) {
            timed_out.push_back(c);
        }
    }
    for (const connection_id c : timed_out) {
        reject(c, proto::relay_error::handshake_timeout, "hello and auth did not complete in time",
               close_code::policy_violation);
    }
    for (auto& [id, room] : rooms_) {
        if (!room.creator_joined && now - room.created_at > config_.unjoined_room_timeout) {
            room.creator_joined = true;  // lets erase_finished take it
            rooms_.mark_finished(id);
            continue;
        }
        if (!room.held.empty()) expire_held_seats(id, room, now);
        const room::outcome out = room.authority.tick(now);
        if (!out.empty()) dispatch(id, room, out);
    }
    admission_.tick(now);
    rooms_.erase_finished();
}

void relay_engine::impl::reject(connection_id to, proto::relay_error code, std::string message, close_code close) {
    control_.send_error(to, code, std::move(message), std::nullopt);
    sink_.close(to, close, proto::to_string(code));
    const auto found = connections_.find(to);
    if (found != connections_.end()) {
        leave_room(to, found->second, room::action::disconnect{}, now_);
        connections_.erase(found);
    }
}

relay_engine::relay_engine(relay_config config, random_source& random, relay_sink& sink)
    : impl_(std::make_unique<impl>(std::move(config), random, sink)) {}

relay_engine::~relay_engine() = default;

void relay_engine::on_open(connection_id connection, time_point now, std::string_view peer_address) {
    impl_->on_open(connection, now, peer_address);
}
void relay_engine::on_text(connection_id connection, std::string_view text, time_point now) {
    impl_->on_text(connection, text, now);
}
void relay_engine::on_binary(connection_id connection, const shared_message& message, time_point now) {
    impl_->on_binary(connection, message, now);
}
void relay_engine::on_open_vouched(connection_id connection, const public_key& key, time_point now,
                                   std::string_view peer_address) {
    impl_->on_open_vouched(connection, key, now, peer_address);
}
void relay_engine::set_cluster_hooks(cluster_hooks* hooks) noexcept {
    impl_->set_cluster_hooks(hooks);
}
void relay_engine::on_close(connection_id connection, time_point now) {
    impl_->on_close(connection, now);
}
void relay_engine::tick(time_point now) {
    impl_->tick(now);
}
void relay_engine::shutdown(std::uint32_t reconnect_after_ms, time_point now) {
    impl_->shutdown(reconnect_after_ms, now);
}

const relay_stats& relay_engine::stats() const noexcept {
    return impl_->stats();
}
std::size_t relay_engine::connection_count() const noexcept {
    return impl_->connection_count();
}
std::size_t relay_engine::room_count() const noexcept {
    return impl_->rooms().size();
}
bool relay_engine::shutting_down() const noexcept {
    return impl_->shutting_down();
}

const room::room_authority* relay_engine::find_room(const room_id& id) const {
    const room_state* room = impl_->rooms().find(id);
    return room == nullptr ? nullptr : &room->authority;
}

std::vector<room_summary> relay_engine::room_summaries() const {
    std::vector<room_summary> rooms;
    rooms.reserve(impl_->rooms().size());
    for (const auto& [id, room] : impl_->rooms()) {
        if (room.authority.ended()) continue;
        room_summary summary;
        summary.id = id;
        summary.open = room.authority.config().kind == room::room_kind::open;
        if (summary.open) summary.title = room.title.value_or("");
        summary.listeners = room.authority.listener_count();
        summary.members = static_cast<std::uint32_t>(room.connection_of_member.size());
        rooms.push_back(std::move(summary));
    }
    return rooms;
}

role_counts relay_engine::members_by_role() const {
    role_counts counts;
    for (const auto& [id, room] : impl_->rooms()) {
        counts.listeners += room.authority.listener_count();
        counts.held_seats += room.held.size();
        if (room.authority.stage_count() == 0) continue;
        for (const auto& member : room.authority.stage_snapshot().stage) {
            switch (member.member_role) {
                case room::role::host:
                    ++counts.hosts;
                    break;
                case room::role::moderator:
                    ++counts.moderators;
                    break;
                case room::role::speaker:
                    ++counts.speakers;
                    break;
                case room::role::listener:
                    break;
            }
        }
    }
    return counts;
}

}  // namespace stoa::relay
