// The relay engine: authentication, room authority, per-stream delta fan-out and routing of
// ciphertext by header only.
#include "stoa/relay/relay_engine.hpp"

#include <algorithm>
#include <type_traits>
#include <utility>

#include "stoa/e2ee/identity.hpp"
#include "stoa/proto/auth.hpp"
#include "stoa/proto/binary.hpp"
#include "stoa/proto/control_codec.hpp"
#include "stoa/proto/snapshot_parts.hpp"
#include "stoa/room/errors.hpp"

namespace stoa::relay {

namespace {

template <class... Ts>
struct overloaded : Ts... {
    using Ts::operator()...;
};
template <class... Ts>
overloaded(Ts...) -> overloaded<Ts...>;

[[nodiscard]] shared_message control_text(std::string text) {
    return make_message(std::move(text), payload_kind::text, traffic_class::control);
}

[[nodiscard]] proto::snapshot_message whole(room::stage_snapshot snapshot) {
    proto::snapshot_message message;
    message.snapshot = std::move(snapshot);
    return message;
}

}  // namespace

void relay_engine::follower_list::add(connection_id c) {
    if (position.contains(c)) return;
    position.emplace(c, members.size());
    members.push_back(c);
}

void relay_engine::follower_list::remove(connection_id c) {
    const auto found = position.find(c);
    if (found == position.end()) return;
    const std::size_t at = found->second;
    position.erase(found);
    if (at + 1 != members.size()) {
        members[at] = members.back();
        position[members[at]] = at;
    }
    members.pop_back();
}

relay_engine::relay_engine(relay_config config, random_source& random, relay_sink& sink)
    : config_(std::move(config)), random_(random), sink_(sink) {}

const room::room_authority* relay_engine::find_room(const room_id& id) const {
    const auto found = rooms_.find(id);
    return found == rooms_.end() ? nullptr : &found->second.authority;
}

void relay_engine::on_open(connection_id connection, time_point now, std::string_view peer_address) {
    now_ = now;
    // A transport that reuses an id must not inherit the old connection's room.
    if (connections_.contains(connection)) on_close(connection, now);
    connection_state state;
    state.opened_at = now;
    state.address = std::string(peer_address);
    state.control = token_bucket(config_.control_per_connection, now);
    state.media = token_bucket(config_.media_per_connection, now);
    state.directory = token_bucket(config_.directory_per_connection, now);
    connections_.emplace(connection, std::move(state));
    ++stats_.connections_opened;
}

void relay_engine::on_text(connection_id connection, std::string_view text, time_point now) {
    now_ = now;
    const auto found = connections_.find(connection);
    if (found == connections_.end()) return;
    auto decoded = proto::decode_client_message(text);
    if (!decoded.ok()) {
        ++stats_.bad_messages;
        const auto& error = decoded.error();
        const auto close = error.code == proto::proto_error::message_too_large ? close_code::too_large
                                                                               : close_code::protocol_error;
        send_server_message(connection, {std::nullopt, proto::make_error(error)});
        // A peer that sends what does not decode is out of step with the protocol: cut it off
        // (its room membership ends as a disconnect) rather than guess what it meant.
        sink_.close(connection, close, "malformed control message");
        on_close(connection, now);
        return;
    }
    if (!found->second.control.take(now)) {
        // Decoded first, so the refusal can name the request it refuses.
        ++stats_.rate_limited;
        send_error(connection, proto::relay_error::rate_limited, "too many control messages",
                   decoded.value().request_id);
        return;
    }
    handle_client_message(connection, found->second, std::move(decoded).value(), now);
    erase_finished_rooms();
}

void relay_engine::handle_client_message(connection_id c, connection_state& state, proto::client_message message,
                                         time_point now) {
    const auto request_id = message.request_id;
    std::visit(overloaded{
                   [&](const proto::hello& hello) { handle_hello(c, state, hello, request_id); },
                   [&](const proto::auth& auth) { handle_auth(c, state, auth, request_id); },
                   [&](const proto::create_room& create) { handle_create(c, state, create, request_id); },
                   [&](const proto::join_room& join) { handle_join(c, state, join, request_id, now); },
                   [&](const proto::room_action& action) { handle_action(c, state, action.action, request_id, now); },
                   [&](const proto::audience_page_query& query) {
                       handle_audience_page(c, state, query.page, request_id);
                   },
                   [&](const proto::resync& resync) { handle_resync(c, state, resync.on, request_id); },
                   [&](const proto::directory_query& query) { handle_directory(c, state, query, request_id, now); },
                   [&](const proto::ping& ping) {
                       send_server_message(c, {request_id, proto::pong{ping.nonce}});
                   },
                   [&](const proto::pong&) {},
               },
               message.body);
}

void relay_engine::handle_hello(connection_id c, connection_state& state, const proto::hello& hello,
                                std::optional<std::uint32_t> request_id) {
    if (state.stage != phase::awaiting_hello) {
        send_error(c, proto::relay_error::already_authenticated, "hello was already received", request_id);
        return;
    }
    if (!e2ee::sealing_key_for(hello.key).ok()) {
        reject(c, proto::relay_error::auth_failed, "the public key is not a valid Ed25519 key",
               close_code::policy_violation);
        return;
    }
    state.key = hello.key;
    random_.fill(state.challenge);
    state.stage = phase::awaiting_auth;
    send_server_message(c, {request_id, proto::challenge{state.challenge}});
}

void relay_engine::handle_auth(connection_id c, connection_state& state, const proto::auth& auth,
                               std::optional<std::uint32_t> request_id) {
    if (state.stage != phase::awaiting_auth) {
        send_error(c,
                   state.stage == phase::ready ? proto::relay_error::already_authenticated
                                               : proto::relay_error::not_authenticated,
                   "auth must follow hello exactly once", request_id);
        return;
    }
    const bytes transcript = proto::auth_transcript(config_.auth_context, state.challenge);
    e2ee::signature signature{};
    std::copy(auth.signature.begin(), auth.signature.end(), signature.begin());
    if (!e2ee::verify_signature(state.key, transcript, signature).ok()) {
        ++stats_.auth_failures;
        reject(c, proto::relay_error::auth_failed, "the signature does not prove possession of the key",
               close_code::policy_violation);
        return;
    }
    state.member = e2ee::derive_member_id(state.key);
    state.stage = phase::ready;
    ++stats_.authenticated;
}

void relay_engine::handle_create(connection_id c, connection_state& state, const proto::create_room& create,
                                 std::optional<std::uint32_t> request_id) {
    if (state.stage != phase::ready) {
        send_error(c, proto::relay_error::not_authenticated, "create_room needs hello and auth first", request_id);
        return;
    }
    if (shutting_down_) {
        send_error(c, proto::relay_error::server_shutting_down, "the relay is shutting down", request_id);
        return;
    }
    if (!may_join(state, now_)) {
        send_error(c, proto::relay_error::rate_limited, "too many joins and room creations", request_id);
        return;
    }
    const auto created = rooms_created_by_key_.find(state.key);
    const std::uint32_t created_by_key = created == rooms_created_by_key_.end() ? 0 : created->second;
    if (rooms_.size() >= config_.max_rooms || created_by_key >= config_.max_rooms_per_identity) {
        send_error(c, proto::relay_error::too_many_rooms, "room limit reached", request_id);
        return;
    }
    room::room_config room_config;
    random_.fill(room_config.id.value);
    room_config.kind = create.kind;
    room_config.stage_only = create.stage_only;
    room_config.limits = config_.room_limits;
    std::optional<invite_token> invite;
    if (create.kind == room::room_kind::closed) {
        invite_token token;
        random_.fill(token.value);
        room_config.invites.push_back(token);
        invite = token;
    }
    const room_id id = room_config.id;
    auto [it, inserted] = rooms_.try_emplace(id, std::move(room_config), config_.authority);
    if (!inserted) {  // 128 random bits collided: the random source is broken
        send_error(c, proto::relay_error::internal, "room id collision", request_id);
        return;
    }
    if (create.kind == room::room_kind::open) it->second.title = create.title;
    it->second.creator = state.key;
    it->second.created_at = now_;
    ++rooms_created_by_key_[state.key];
    ++stats_.rooms_created;
    send_server_message(c, {request_id, proto::room_created{id, create.kind, invite}});
}

void relay_engine::handle_join(connection_id c, connection_state& state, const proto::join_room& join,
                               std::optional<std::uint32_t> request_id, time_point now) {
    if (state.stage != phase::ready) {
        send_error(c, proto::relay_error::not_authenticated, "join needs hello and auth first", request_id);
        return;
    }
    if (state.room) {
        send_error(c, proto::relay_error::already_in_room, "this connection is already in a room", request_id);
        return;
    }
    if (shutting_down_) {
        send_error(c, proto::relay_error::server_shutting_down, "the relay is shutting down", request_id);
        return;
    }
    if (!may_join(state, now)) {
        send_error(c, proto::relay_error::rate_limited, "too many joins and room creations", request_id);
        return;
    }
    const auto found = rooms_.find(join.room);
    if (found == rooms_.end()) {
        send_error(c, proto::relay_error::room_not_found, "no such room", request_id);
        return;
    }
    room_state& room = found->second;
    if (!room.creator_joined && state.key != room.creator) {
        // Until its creator sits in the host seat the room is not open to anyone else.
        send_error(c, proto::relay_error::room_not_found, "no such room", request_id);
        return;
    }
    if (room.connection_of_member.contains(state.member)) {
        // The same identity on a second connection: refuse rather than split one member in two.
        send_error(c, room::room_error::already_member, "this identity is already in the room", request_id);
        return;
    }
    if (room.held.contains(state.member) && room.authority.find(state.member) == nullptr) {
        forget_held(room, state.member);  // removed (kicked, banned) while away: a plain join decides
    }
    const bool returning = room.held.contains(state.member);
    if (!returning) {
        const auto joined = rooms_joined_by_member_.find(state.member);
        if (joined != rooms_joined_by_member_.end() && joined->second >= config_.max_concurrent_rooms_per_identity) {
            send_error(c, proto::relay_error::too_many_rooms, "this identity is in too many rooms", request_id);
            return;
        }
    }
    auto applied = returning ? room.authority.reattach(state.member, now)
                             : room.authority.apply(state.member, room::action::join{state.key, join.invite, join.profile}, now);
    if (!applied.ok()) {
        ++stats_.actions_rejected;
        send_error(c, applied.error(), "join refused", request_id);
        return;
    }
    if (returning) {
        // The seat's membership carries over to this connection.
        room.held.erase(state.member);
        ++stats_.seats_reattached;
    } else {
        ++rooms_joined_by_member_[state.member];
        ++stats_.joins;
    }
    attach_member(room, c, state, join.room);
    pending_request_ = request_id;
    pending_requester_ = state.member;
    dispatch(join.room, room, applied.value());
    pending_request_.reset();
}

void relay_engine::handle_action(connection_id c, connection_state& state, const room::any_action& action,
                                 std::optional<std::uint32_t> request_id, time_point now) {
    room_state* room = room_of(state);
    if (room == nullptr) {
        send_error(c, proto::relay_error::not_in_room, "join a room first", request_id);
        return;
    }
    if (std::holds_alternative<room::action::leave>(action)) {
        leave_room(c, state, action, now);
        return;
    }
    const room_id id = *state.room;
    auto applied = room->authority.apply(state.member, action, now);
    if (!applied.ok()) {
        ++stats_.actions_rejected;
        send_error(c, applied.error(), "action refused", request_id);
        return;
    }
    ++stats_.actions_applied;
    dispatch(id, *room, applied.value());
}

void relay_engine::attach_member(room_state& room, connection_id c, connection_state& state, const room_id& id) {
    const room::member_entry* entry = room.authority.find(state.member);
    state.room = id;
    state.index = entry->index;
    room.connection_of_member.emplace(state.member, c);
    room.connection_of_index.emplace(entry->index.value, c);
    room.creator_joined = true;
}

void relay_engine::leave_room(connection_id c, connection_state& state, const room::any_action& how, time_point now) {
    room_state* room = room_of(state);
    if (room == nullptr) return;
    const room_id id = *state.room;
    auto applied = room->authority.apply(state.member, how, now);
    detach_member(*room, state.member, state.index, c);
    state.room.reset();
    if (applied.ok()) {
        ++stats_.actions_applied;
        dispatch(id, *room, applied.value());
    }
    if (room->vacant()) finished_rooms_.push_back(id);
}

void relay_engine::transport_lost(connection_id c, connection_state& state, time_point now) {
    room_state* room = room_of(state);
    if (room == nullptr) return;
    const room::member_entry* entry = room->authority.find(state.member);
    // The host's seat is never held: the host distributes the room's keys, and a room waiting for
    // it could neither admit members with keys nor rekey after a departure. It hands over now.
    const bool hold = config_.reconnect_grace > duration::zero() && !shutting_down_ && entry != nullptr &&
                      entry->member_role != room::role::host && !room->authority.ended();
    if (!hold) {
        leave_room(c, state, room::action::disconnect{}, now);
        return;
    }
    detach_member(*room, state.member, state.index, c, true);
    room->held[state.member] = now + config_.reconnect_grace;
    state.room.reset();
    ++stats_.seats_held;
}

void relay_engine::expire_held_seats(const room_id& id, room_state& room, time_point now) {
    std::vector<member_id> expired;
    for (const auto& [member, until] : room.held) {
        if (now >= until || room.authority.find(member) == nullptr) expired.push_back(member);
    }
    for (const member_id& member : expired) {
        const bool still_seated = room.authority.find(member) != nullptr;
        forget_held(room, member);
        if (!still_seated || room.authority.ended()) continue;
        ++stats_.seats_expired;
        auto applied = room.authority.apply(member, room::action::disconnect{}, now);
        if (applied.ok()) dispatch(id, room, applied.value());
    }
    if (!expired.empty() && room.vacant()) finished_rooms_.push_back(id);
}

void relay_engine::forget_held(room_state& room, const member_id& member) {
    if (room.held.erase(member) > 0) release_membership(member);
}

void relay_engine::release_membership(const member_id& member) {
    const auto found = rooms_joined_by_member_.find(member);
    if (found != rooms_joined_by_member_.end() && --found->second == 0) rooms_joined_by_member_.erase(found);
}

bool relay_engine::may_join(const connection_state& state, time_point now) {
    token_bucket& by_member =
        join_buckets_by_member_.try_emplace(state.member, config_.joins_per_identity, now).first->second;
    // Each bucket is charged only when both have a token, so a refusal by one costs the other nothing.
    token_bucket member_after = by_member;
    bool allowed = member_after.take(now);
    if (allowed && !state.address.empty()) {
        token_bucket& by_address =
            join_buckets_by_address_.try_emplace(state.address, config_.joins_per_address, now).first->second;
        token_bucket address_after = by_address;
        allowed = address_after.take(now);
        if (allowed) by_address = address_after;
    }
    if (!allowed) {
        ++stats_.rate_limited;
        return false;
    }
    by_member = member_after;
    return true;
}

void relay_engine::prune_buckets(time_point now) {
    // A full bucket is the same as no bucket: forgetting it bounds the maps by recent activity.
    std::erase_if(join_buckets_by_member_, [&](auto& item) { return item.second.full(now); });
    std::erase_if(join_buckets_by_address_, [&](auto& item) { return item.second.full(now); });
    std::erase_if(directory_buckets_by_address_, [&](auto& item) { return item.second.full(now); });
    buckets_pruned_at_ = now;
}

void relay_engine::detach_member(room_state& room, const member_id& member, sender_index index, connection_id c,
                                 bool seat_held) {
    const auto found = room.connection_of_member.find(member);
    if (found == room.connection_of_member.end() || found->second != c) return;
    room.connection_of_member.erase(found);
    room.connection_of_index.erase(index.value);
    room.stage_followers.remove(c);
    room.full_followers.remove(c);
    if (!seat_held) release_membership(member);
}

void relay_engine::close_room(const room_id& id, room_state& room) {
    for (const auto& [member, c] : room.connection_of_member) {
        const auto state = connections_.find(c);
        if (state != connections_.end()) state->second.room.reset();
        release_membership(member);
    }
    for (const auto& [member, until] : room.held) release_membership(member);
    room.held.clear();
    room.connection_of_member.clear();
    room.connection_of_index.clear();
    room.stage_followers = {};
    room.full_followers = {};
    finished_rooms_.push_back(id);
}

void relay_engine::erase_finished_rooms() {
    for (const room_id& id : std::exchange(finished_rooms_, {})) {
        const auto found = rooms_.find(id);
        // A room someone is still in or may return to (or whose creator may yet join) stays.
        if (found == rooms_.end() || !found->second.vacant()) continue;
        if (!found->second.authority.ended() && !found->second.creator_joined) continue;
        const auto created = rooms_created_by_key_.find(found->second.creator);
        if (created != rooms_created_by_key_.end() && --created->second == 0) rooms_created_by_key_.erase(created);
        rooms_.erase(found);
    }
}

void relay_engine::handle_audience_page(connection_id c, connection_state& state,
                                        const room::audience_page_request& request,
                                        std::optional<std::uint32_t> request_id) {
    room_state* room = room_of(state);
    if (room == nullptr) {
        send_error(c, proto::relay_error::not_in_room, "join a room first", request_id);
        return;
    }
    send_server_message(c, {request_id, proto::audience_page_message{room->authority.audience_page(request)}});
}

void relay_engine::handle_resync(connection_id c, connection_state& state, room::stream on,
                                 std::optional<std::uint32_t> request_id) {
    room_state* room = room_of(state);
    if (room == nullptr) {
        send_error(c, proto::relay_error::not_in_room, "join a room first", request_id);
        return;
    }
    const room::member_entry* entry = room->authority.find(state.member);
    if (on == room::stream::full && (entry == nullptr || !room::is_privileged(entry->member_role))) {
        send_error(c, room::room_error::not_permitted, "only moderators follow the full stream", request_id);
        return;
    }
    if (on == room::stream::stage) {
        send_server_message(c, {request_id, whole(room->authority.stage_snapshot())});
        return;
    }
    for (auto& part : proto::split_full_snapshot(room->authority.full_snapshot())) {
        send_server_message(c, {request_id, std::move(part)});
    }
}

void relay_engine::handle_directory(connection_id c, connection_state& state, const proto::directory_query& query,
                                    std::optional<std::uint32_t> request_id, time_point now) {
    bool allowed = state.directory.take(now);
    if (allowed && !state.address.empty()) {
        allowed = directory_buckets_by_address_.try_emplace(state.address, config_.directory_per_address, now)
                      .first->second.take(now);
    }
    if (!allowed) {
        ++stats_.rate_limited;
        send_error(c, proto::relay_error::rate_limited, "too many directory reads", request_id);
        return;
    }
    proto::directory_listing listing;
    listing.offset = query.offset;
    const std::uint32_t limit = std::min<std::uint32_t>(query.limit, proto::max_directory_rooms);
    std::vector<proto::directory_entry> open_rooms;
    for (const auto& [id, room] : rooms_) {
        if (room.authority.config().kind != room::room_kind::open || room.authority.ended() ||
            room.connection_of_member.empty()) {
            continue;
        }
        open_rooms.push_back({id, room.title.value_or(""), room.authority.listener_count()});
    }
    // Busiest first; ties by id so pages are stable.
    std::sort(open_rooms.begin(), open_rooms.end(), [](const auto& a, const auto& b) {
        return a.listeners != b.listeners ? a.listeners > b.listeners : a.room < b.room;
    });
    listing.total = static_cast<std::uint32_t>(open_rooms.size());
    for (std::size_t i = query.offset; i < open_rooms.size() && listing.rooms.size() < limit; ++i) {
        listing.rooms.push_back(std::move(open_rooms[i]));
    }
    send_server_message(c, {request_id, std::move(listing)});
}

void relay_engine::dispatch(const room_id& id, room_state& room, const room::outcome& out) {
    for (const auto& delta : out.deltas) {
        // One buffer per delta, shared by every follower of its stream.
        const shared_message message = control_text(proto::encode(proto::server_message{std::nullopt, proto::delta_message{delta}}));
        const auto& followers = delta.on == room::stream::stage ? room.stage_followers : room.full_followers;
        for (const connection_id to : followers.members) sink_.send(to, message);
        stats_.deltas_sent += followers.members.size();
    }
    for (const auto& notice : out.notices) deliver_notice(id, room, notice);
    if (room.authority.ended()) close_room(id, room);
}

void relay_engine::deliver_notice(const room_id& id, room_state& room, const room::addressed_notice& notice) {
    const auto found = room.connection_of_member.find(notice.to);
    if (found == room.connection_of_member.end()) return;
    const connection_id to = found->second;
    // The reply to the request that caused the notice (a join) echoes its id.
    bool first = true;
    for (auto& body : proto::notice_messages(notice.body, id)) {
        const bool reply = first && notice.to == pending_requester_;
        send_server_message(to, {reply ? pending_request_ : std::nullopt, std::move(body)});
        first = false;
    }
    std::visit(overloaded{
                   [&](const room::notice::welcome& welcome) {
                       (welcome.follow == room::stream::full ? room.full_followers : room.stage_followers).add(to);
                   },
                   [&](const room::notice::own_entry&) {},
                   [&](const room::notice::follow_stream& follow) {
                       room.stage_followers.remove(to);
                       room.full_followers.remove(to);
                       (follow.follow == room::stream::full ? room.full_followers : room.stage_followers).add(to);
                   },
                   [&](const room::notice::removed&) {
                       // The connection stays open (it may join elsewhere) but hears nothing more here.
                       const auto state = connections_.find(to);
                       if (state != connections_.end()) {
                           state->second.room.reset();
                           detach_member(room, notice.to, state->second.index, to);
                       }
                   },
               },
               notice.body);
}

void relay_engine::on_binary(connection_id connection, const shared_message& message, time_point now) {
    now_ = now;
    const auto found = connections_.find(connection);
    if (found == connections_.end()) return;
    connection_state& state = found->second;
    room_state* room = room_of(state);
    if (room == nullptr) {
        send_error(connection, proto::relay_error::not_in_room, "binary messages need a room", std::nullopt);
        return;
    }
    const auto header = proto::peek_binary_header(message->bytes());
    if (!header.ok()) {
        ++stats_.bad_messages;
        send_server_message(connection, {std::nullopt, proto::make_error(header.error())});
        return;
    }
    if (header->sender != state.index) {
        ++stats_.media_dropped_sender_mismatch;
        send_error(connection, proto::relay_error::sender_mismatch, "sender_index is not this connection's",
                   std::nullopt);
        return;
    }
    switch (header->type) {
        case proto::binary_type::media: {
            ++stats_.media_frames_in;
            if (!may_send_media(*room, state)) {
                ++stats_.media_dropped_not_on_stage;
                return;
            }
            if (!state.media.take(now)) {
                ++stats_.media_dropped_rate_limited;
                return;
            }
            // The payload is ciphertext; only the header was read. Forward this very buffer.
            auto forwarded = message;
            if (forwarded->priority != traffic_class::media || forwarded->kind != payload_kind::binary) {
                forwarded = make_message(message->data, payload_kind::binary, traffic_class::media);
            }
            forward_to_room(*room, connection, forwarded);
            stats_.media_deliveries += room->connection_of_member.size() - 1;
            return;
        }
        case proto::binary_type::speaker_signature: {
            // Accepted from any member: a speaker's last batch is signed up to 200 ms after it
            // was muted or moved down, and listeners must still be able to verify those frames.
            auto forwarded = message->priority == traffic_class::control
                                 ? message
                                 : make_message(message->data, payload_kind::binary, traffic_class::control);
            forward_to_room(*room, connection, forwarded);
            return;
        }
        case proto::binary_type::key_announcement: {
            if (!is_distributor(*room, state)) {
                ++stats_.key_messages_refused;
                send_error(connection, room::room_error::not_permitted, "only the host distributes keys",
                           std::nullopt);
                return;
            }
            auto forwarded = message->priority == traffic_class::control
                                 ? message
                                 : make_message(message->data, payload_kind::binary, traffic_class::control);
            forward_to_room(*room, connection, forwarded);
            return;
        }
        case proto::binary_type::key_bundle: {
            if (!is_distributor(*room, state)) {
                ++stats_.key_messages_refused;
                send_error(connection, room::room_error::not_permitted, "only the host distributes keys",
                           std::nullopt);
                return;
            }
            auto bundle = proto::key_bundle_view::parse(message->bytes());
            if (!bundle.ok()) {
                ++stats_.bad_messages;
                send_server_message(connection, {std::nullopt, proto::make_error(bundle.error())});
                return;
            }
            for (const auto entry : *bundle) {
                const auto recipient = room->connection_of_index.find(entry.recipient.value);
                if (recipient == room->connection_of_index.end()) {
                    ++stats_.key_packages_unroutable;
                    continue;
                }
                bytes package;
                proto::encode_key_package(package, state.index, entry.blob);
                sink_.send(recipient->second,
                           make_message(std::string(package.begin(), package.end()), payload_kind::binary,
                                        traffic_class::control));
                ++stats_.key_packages_delivered;
            }
            return;
        }
        case proto::binary_type::key_package:
            ++stats_.bad_messages;
            send_server_message(connection, {std::nullopt, proto::make_error(proto::decode_error{
                                                               proto::proto_error::wrong_direction, "key_package"})});
            return;
    }
}

void relay_engine::forward_to_room(const room_state& room, connection_id except, const shared_message& message) {
    // The two follower lists together are every member, in contiguous memory.
    for (const auto* followers : {&room.stage_followers, &room.full_followers}) {
        for (const connection_id to : followers->members) {
            if (to != except) sink_.send(to, message);
        }
    }
}

bool relay_engine::may_send_media(const room_state& room, const connection_state& state) const {
    const room::member_entry* entry = room.authority.find(state.member);
    return entry != nullptr && room::is_on_stage(entry->member_role) && !entry->moderator_muted && !entry->self_muted;
}

bool relay_engine::is_distributor(const room_state& room, const connection_state& state) const {
    const auto host = room.authority.host();
    return host && *host == state.member;
}

void relay_engine::on_close(connection_id connection, time_point now) {
    now_ = now;
    const auto found = connections_.find(connection);
    if (found == connections_.end()) return;
    transport_lost(connection, found->second, now);
    connections_.erase(connection);
    erase_finished_rooms();
}

void relay_engine::shutdown(std::uint32_t reconnect_after_ms, time_point now) {
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

role_counts relay_engine::members_by_role() const {
    role_counts counts;
    for (const auto& [id, room] : rooms_) {
        counts.listeners += room.authority.listener_count();
        counts.held_seats += room.held.size();
        if (room.authority.stage_count() == 0) continue;
        for (const auto& member : room.authority.stage_snapshot().stage) {
            switch (member.member_role) {
                case room::role::host: ++counts.hosts; break;
                case room::role::moderator: ++counts.moderators; break;
                case room::role::speaker: ++counts.speakers; break;
                case room::role::listener: break;
            }
        }
    }
    return counts;
}

void relay_engine::tick(time_point now) {
    now_ = now;
    std::vector<connection_id> timed_out;
    for (const auto& [c, state] : connections_) {
        if (state.stage != phase::ready && now - state.opened_at > config_.handshake_timeout) timed_out.push_back(c);
    }
    for (const connection_id c : timed_out) {
        reject(c, proto::relay_error::handshake_timeout, "hello and auth did not complete in time",
               close_code::policy_violation);
    }
    for (auto& [id, room] : rooms_) {
        if (!room.creator_joined && now - room.created_at > config_.unjoined_room_timeout) {
            room.creator_joined = true;  // lets erase_finished_rooms take it
            finished_rooms_.push_back(id);
            continue;
        }
        if (!room.held.empty()) expire_held_seats(id, room, now);
        const room::outcome out = room.authority.tick(now);
        if (!out.empty()) dispatch(id, room, out);
    }
    if (now - buckets_pruned_at_ > std::chrono::seconds(10)) prune_buckets(now);
    erase_finished_rooms();
}

relay_engine::room_state* relay_engine::room_of(const connection_state& state) {
    if (!state.room) return nullptr;
    const auto found = rooms_.find(*state.room);
    return found == rooms_.end() ? nullptr : &found->second;
}

void relay_engine::send_server_message(connection_id to, const proto::server_message& message) {
    if (const auto* error = std::get_if<proto::error_message>(&message.body); error && error->code < error_code_slots) {
        ++stats_.errors_sent[error->code];
    }
    sink_.send(to, control_text(proto::encode(message)));
}

void relay_engine::send_error(connection_id to, std::uint16_t code, std::string_view name, std::string message,
                              std::optional<std::uint32_t> request_id) {
    proto::error_message error{code, std::string(name), std::move(message)};
    send_server_message(to, {request_id, std::move(error)});
}

void relay_engine::send_error(connection_id to, proto::relay_error code, std::string message,
                              std::optional<std::uint32_t> request_id) {
    send_server_message(to, {request_id, proto::make_error(code, std::move(message))});
}

void relay_engine::send_error(connection_id to, room::room_error code, std::string message,
                              std::optional<std::uint32_t> request_id) {
    send_error(to, static_cast<std::uint16_t>(code), room::to_string(code), std::move(message), request_id);
}

void relay_engine::reject(connection_id to, proto::relay_error code, std::string message, close_code close) {
    send_error(to, code, std::move(message), std::nullopt);
    sink_.close(to, close, proto::to_string(code));
    const auto found = connections_.find(to);
    if (found != connections_.end()) {
        leave_room(to, found->second, room::action::disconnect{}, now_);
        connections_.erase(found);
    }
}

}  // namespace stoa::relay
