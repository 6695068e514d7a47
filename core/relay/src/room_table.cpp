// Rooms by id, their seats and recipients, and the per-identity counts the quotas read.
#include "room_table.hpp"

#include <algorithm>
#include <utility>

#include "stoa/proto/limits.hpp"

namespace stoa::relay {

room_state* room_table::find(const room_id& id) {
    const auto found = rooms_.find(id);
    return found == rooms_.end() ? nullptr : &found->second;
}

const room_state* room_table::find(const room_id& id) const {
    const auto found = rooms_.find(id);
    return found == rooms_.end() ? nullptr : &found->second;
}

room_state* room_table::create(room::room_config config, const room::authority_options& options,
                               const public_key& creator, time_point now) {
    const room_id id = config.id;
    auto [it, inserted] = rooms_.try_emplace(id, std::move(config), options);
    if (!inserted) return nullptr;
    it->second.creator = creator;
    it->second.created_at = now;
    ++rooms_created_by_key_[creator];
    return &it->second;
}

std::uint32_t room_table::rooms_created_by(const public_key& key) const {
    const auto found = rooms_created_by_key_.find(key);
    return found == rooms_created_by_key_.end() ? 0 : found->second;
}

std::uint32_t room_table::rooms_joined_by(const member_id& member) const {
    const auto found = rooms_joined_by_member_.find(member);
    return found == rooms_joined_by_member_.end() ? 0 : found->second;
}

sender_index room_table::attach(room_state& room, connection_id c, const member_id& member) {
    if (room.held.erase(member) == 0) ++rooms_joined_by_member_[member];
    const room::member_entry* entry = room.authority.find(member);
    room.connection_of_member.emplace(member, c);
    room.connection_of_index.emplace(entry->index.value, c);
    room.creator_joined = true;
    return entry->index;
}

void room_table::detach(room_state& room, const member_id& member, sender_index index, connection_id c,
                        bool seat_held) {
    const auto found = room.connection_of_member.find(member);
    if (found == room.connection_of_member.end() || found->second != c) return;
    room.connection_of_member.erase(found);
    room.connection_of_index.erase(index.value);
    room.recipients.remove(c);
    if (!seat_held) release_membership(member);
}

void room_table::hold(room_state& room, const member_id& member, sender_index index, connection_id c,
                      time_point until) {
    detach(room, member, index, c, true);
    room.held[member] = until;
}

void room_table::forget_held(room_state& room, const member_id& member) {
    if (room.held.erase(member) > 0) release_membership(member);
}

std::vector<member_id> room_table::expired_seats(const room_state& room, time_point now) const {
    std::vector<member_id> expired;
    for (const auto& [member, until] : room.held) {
        if (now >= until || room.authority.find(member) == nullptr) expired.push_back(member);
    }
    return expired;
}

std::vector<connection_id> room_table::close(const room_id& id, room_state& room) {
    std::vector<connection_id> connections;
    connections.reserve(room.connection_of_member.size());
    for (const auto& [member, c] : room.connection_of_member) {
        connections.push_back(c);
        release_membership(member);
    }
    for (const auto& [member, until] : room.held) release_membership(member);
    room.held.clear();
    room.connection_of_member.clear();
    room.connection_of_index.clear();
    room.recipients.clear();
    finished_.push_back(id);
    return connections;
}

void room_table::erase_finished() {
    for (const room_id& id : std::exchange(finished_, {})) {
        const auto found = rooms_.find(id);
        // A room someone is still in or may return to (or whose creator may yet join) stays.
        if (found == rooms_.end() || !found->second.vacant()) continue;
        if (!found->second.authority.ended() && !found->second.creator_joined) continue;
        const auto created = rooms_created_by_key_.find(found->second.creator);
        if (created != rooms_created_by_key_.end() && --created->second == 0) rooms_created_by_key_.erase(created);
        rooms_.erase(found);
    }
}

proto::directory_listing room_table::directory(const proto::directory_query& query,
                                               std::vector<proto::directory_entry> elsewhere) const {
    proto::directory_listing listing;
    listing.offset = query.offset;
    const std::uint32_t limit = std::min<std::uint32_t>(query.limit, proto::max_directory_rooms);
    std::vector<proto::directory_entry> open_rooms = std::move(elsewhere);
    for (const auto& [id, room] : rooms_) {
        if (room.authority.config().kind != room::room_kind::open || room.authority.ended() ||
            room.connection_of_member.empty()) {
            continue;
        }
        open_rooms.push_back({id, room.title.value_or(""), room.authority.listener_count()});
    }
    std::sort(open_rooms.begin(), open_rooms.end(), [](const auto& a, const auto& b) {
        return a.listeners != b.listeners ? a.listeners > b.listeners : a.room < b.room;
    });
    listing.total = static_cast<std::uint32_t>(open_rooms.size());
    for (std::size_t i = query.offset; i < open_rooms.size() && listing.rooms.size() < limit; ++i) {
        listing.rooms.push_back(std::move(open_rooms[i]));
    }
    return listing;
}

void room_table::release_membership(const member_id& member) {
    const auto found = rooms_joined_by_member_.find(member);
    if (found != rooms_joined_by_member_.end() && --found->second == 0) rooms_joined_by_member_.erase(found);
}

}  // namespace stoa::relay
