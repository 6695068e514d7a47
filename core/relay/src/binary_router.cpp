// Media to everyone else in the room, signatures and key announcements likewise, key bundles
// split into one package per recipient; who may send what is checked against the authority, and
// signatures (never-dropped control traffic in every recipient's queue) are rate-limited too.
#include "binary_router.hpp"

#include <string>

#include "control_sender.hpp"
#include "stoa/proto/binary.hpp"

namespace stoa::relay {

namespace {

[[nodiscard]] bool may_send_media(const room_state& room, const connection_state& sender) {
    const room::member_entry* entry = room.authority.find(sender.member());
    return entry != nullptr && room::is_on_stage(entry->member_role) && !entry->moderator_muted && !entry->self_muted;
}

void note_may_send_media(connection_state& sender, time_point now) {
    if (sender.room) sender.may_send_media_seen = media_permission_seen{*sender.room, now};
}

[[nodiscard]] bool is_distributor(const room_state& room, const connection_state& sender) {
    const auto host = room.authority.host();
    return host && *host == sender.member();
}

// The received buffer itself unless the transport classed it otherwise (then one copy).
[[nodiscard]] shared_message as_media(const shared_message& message) {
    if (message->priority == traffic_class::media && message->kind == payload_kind::binary) return message;
    return make_message(message->data, payload_kind::binary, traffic_class::media);
}

[[nodiscard]] shared_message as_control(const shared_message& message) {
    if (message->priority == traffic_class::control) return message;
    return make_message(message->data, payload_kind::binary, traffic_class::control);
}

}  // namespace

std::optional<proto::error_message> binary_router::route(const room_state& room, connection_id from,
                                                         connection_state& sender, const shared_message& message,
                                                         time_point now) {
    const auto header = proto::peek_binary_header(message->bytes());
    if (!header.ok()) {
        ++stats_.bad_messages;
        return proto::make_error(header.error());
    }
    if (header->sender != sender.index) {
        ++stats_.media_dropped_sender_mismatch;
        return proto::make_error(proto::relay_error::sender_mismatch, "sender_index is not this connection's");
    }
    switch (header->type) {
        case proto::binary_type::media: {
            ++stats_.media_frames_in;
            if (!may_send_media(room, sender)) {
                ++stats_.media_dropped_not_on_stage;
                return std::nullopt;
            }
            note_may_send_media(sender, now);
            if (!sender.limits.media.take(now)) {
                ++stats_.media_dropped_rate_limited;
                return std::nullopt;
            }
            // The payload is ciphertext; only the header was read. Forward this very buffer.
            forward_to_room(room, from, as_media(message));
            stats_.media_deliveries += room.connection_of_member.size() - 1;
            return std::nullopt;
        }
        case proto::binary_type::speaker_signature:
            // Every recipient queues these as control, which is never dropped and whose overflow
            // disconnects the recipient: a flood from one member must not reach the room. Refusals
            // get no reply, which would be a flood of its own.
            ++stats_.speaker_signatures_in;
            if (!may_send_signature(room, sender, now)) {
                ++stats_.speaker_signatures_dropped_not_on_stage;
                return std::nullopt;
            }
            if (!sender.limits.speaker_signatures.take(now)) {
                ++stats_.speaker_signatures_dropped_rate_limited;
                return std::nullopt;
            }
            forward_to_room(room, from, as_control(message));
            return std::nullopt;
        case proto::binary_type::key_announcement:
            if (!is_distributor(room, sender)) {
                ++stats_.key_messages_refused;
                return room_error_message(room::room_error::not_permitted, "only the host distributes keys");
            }
            forward_to_room(room, from, as_control(message));
            return std::nullopt;
        case proto::binary_type::key_bundle: {
            if (!is_distributor(room, sender)) {
                ++stats_.key_messages_refused;
                return room_error_message(room::room_error::not_permitted, "only the host distributes keys");
            }
            auto bundle = proto::key_bundle_view::parse(message->bytes());
            if (!bundle.ok()) {
                ++stats_.bad_messages;
                return proto::make_error(bundle.error());
            }
            for (const auto entry : *bundle) {
                const auto recipient = room.connection_of_index.find(entry.recipient.value);
                if (recipient == room.connection_of_index.end()) {
                    ++stats_.key_packages_unroutable;
                    continue;
                }
                bytes package;
                proto::encode_key_package(package, sender.index, entry.blob);
                sink_.send(recipient->second, make_message(std::string(package.begin(), package.end()),
                                                           payload_kind::binary, traffic_class::control));
                ++stats_.key_packages_delivered;
            }
            return std::nullopt;
        }
        case proto::binary_type::key_request: {
            // Only the host can answer, so only the host hears it: a listener asking cannot reach
            // (or flood) the rest of the room.
            const auto host = room.authority.host();
            const auto host_connection = host ? room.connection_of_member.find(*host) : room.connection_of_member.end();
            if (host_connection == room.connection_of_member.end() || host_connection->second == from ||
                !sender.limits.key_requests.take(now)) {
                ++stats_.key_requests_dropped;
                return std::nullopt;
            }
            sink_.send(host_connection->second, as_control(message));
            ++stats_.key_requests_forwarded;
            return std::nullopt;
        }
        case proto::binary_type::reaction: {
            // Any member may react; the payload is sealed under the epoch key, so the relay only
            // counts. Reactions are expendable: queued as media (dropped first under backpressure).
            if (room.authority.find(sender.member()) == nullptr) {
                ++stats_.reactions_dropped_not_in_room;
                return std::nullopt;
            }
            if (!room.reactions) room.reactions.emplace(config_.reactions_per_room, now);
            if (!sender.limits.reactions.take(now) || !room.reactions->take(now)) {
                ++stats_.reactions_dropped_rate_limited;
                return std::nullopt;
            }
            forward_to_room(room, from, as_media(message));
            ++stats_.reactions_forwarded;
            return std::nullopt;
        }
        case proto::binary_type::key_package:
            ++stats_.bad_messages;
            return proto::make_error(proto::decode_error{proto::proto_error::wrong_direction, "key_package"});
    }
    return std::nullopt;
}

bool binary_router::may_send_signature(const room_state& room, connection_state& sender, time_point now) const {
    if (may_send_media(room, sender)) {
        note_may_send_media(sender, now);
        return true;
    }
    // Muted or moved down: its last batch is still signed and on its way, so listeners can verify
    // the frames they already played.
    const auto& seen = sender.may_send_media_seen;
    return seen && sender.room && seen->room == *sender.room && now - seen->at <= config_.speaker_signature_tail;
}

void binary_router::forward_to_room(const room_state& room, connection_id except, const shared_message& message) {
    for (const auto part : room.recipients.everyone_except(except)) {
        for (const connection_id to : part) sink_.send(to, message);
    }
}

}  // namespace stoa::relay
