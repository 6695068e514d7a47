// Media to everyone else in the room, signatures and key announcements likewise, key bundles
// split into one package per recipient; who may send what is checked against the authority.
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
            // Accepted from any member: a speaker's last batch is signed up to 200 ms after it
            // was muted or moved down, and listeners must still be able to verify those frames.
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
        case proto::binary_type::key_package:
            ++stats_.bad_messages;
            return proto::make_error(proto::decode_error{proto::proto_error::wrong_direction, "key_package"});
    }
    return std::nullopt;
}

void binary_router::forward_to_room(const room_state& room, connection_id except, const shared_message& message) {
    for (const auto part : room.recipients.everyone_except(except)) {
        for (const connection_id to : part) sink_.send(to, message);
    }
}

}  // namespace stoa::relay
