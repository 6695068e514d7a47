// The relay's rooms: each room's authority, which connection holds which seat, who hears its
// broadcasts, the seats held for members who lost their transport, and per-identity counts.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "stoa/common/ids.hpp"
#include "stoa/common/time.hpp"
#include "stoa/proto/control_messages.hpp"
#include "stoa/relay/fanout_list.hpp"
#include "stoa/relay/token_bucket.hpp"
#include "stoa/relay/wire_message.hpp"
#include "stoa/room/authority.hpp"

namespace stoa::relay {

struct room_state {
    room_state(room::room_config config, room::authority_options options) : authority(std::move(config), options) {}

    room::room_authority authority;
    std::optional<std::string> title;  // open rooms only: shown in the directory
    public_key creator{};              // joins first, so nobody else can take the host seat
    time_point created_at{};
    bool creator_joined = false;
    std::unordered_map<member_id, connection_id, strong_hash> connection_of_member;
    std::unordered_map<std::uint32_t, connection_id> connection_of_index;
    // Filled by welcome and follow_stream notices, so a member hears deltas only once welcomed.
    fanout_list recipients;
    // Members whose transport was lost, with the end of their grace window.
    std::unordered_map<member_id, time_point, strong_hash> held;
    // The room's reaction budget (relay_config::reactions_per_room), made at the first reaction.
    // Mutable: routing reads the room as const, and spending the budget changes no room state.
    mutable std::optional<token_bucket> reactions;

    [[nodiscard]] bool vacant() const noexcept { return connection_of_member.empty() && held.empty(); }
};

class room_table {
public:
    using rooms_by_id = std::unordered_map<room_id, room_state, strong_hash>;

    [[nodiscard]] room_state* find(const room_id& id);
    [[nodiscard]] const room_state* find(const room_id& id) const;
    [[nodiscard]] std::size_t size() const noexcept { return rooms_.size(); }
    [[nodiscard]] rooms_by_id::iterator begin() noexcept { return rooms_.begin(); }
    [[nodiscard]] rooms_by_id::iterator end() noexcept { return rooms_.end(); }
    [[nodiscard]] rooms_by_id::const_iterator begin() const noexcept { return rooms_.begin(); }
    [[nodiscard]] rooms_by_id::const_iterator end() const noexcept { return rooms_.end(); }

    // A new room, counted against its creator's key until it is erased; null when the id is taken.
    [[nodiscard]] room_state* create(room::room_config config, const room::authority_options& options,
                                     const public_key& creator, time_point now);
    // Rooms `key` created that still exist.
    [[nodiscard]] std::uint32_t rooms_created_by(const public_key& key) const;
    // Rooms `member` is in, connected or held.
    [[nodiscard]] std::uint32_t rooms_joined_by(const member_id& member) const;

    // Links `c` to the seat the authority just gave `member` and returns its sender index. A member
    // back in its held seat keeps the membership it had; anyone else starts one.
    [[nodiscard]] sender_index attach(room_state& room, connection_id c, const member_id& member);
    // Unlinks `c` (if it still holds the seat). Unless the seat is being held, the membership ends.
    void detach(room_state& room, const member_id& member, sender_index index, connection_id c, bool seat_held = false);
    // Unlinks `c` but keeps the member's seat and membership until `until`.
    void hold(room_state& room, const member_id& member, sender_index index, connection_id c, time_point until);
    // Drops a held seat and the membership that came with it.
    void forget_held(room_state& room, const member_id& member);
    // Held seats whose window ran out, or whose member the authority no longer seats.
    [[nodiscard]] std::vector<member_id> expired_seats(const room_state& room, time_point now) const;

    // Unlinks everyone from an ended room and returns the connections that were in it. The room
    // itself goes at the next erase_finished().
    [[nodiscard]] std::vector<connection_id> close(const room_id& id, room_state& room);
    // Asks erase_finished() to erase the room if nobody is in it, holds a seat or may yet create it.
    void mark_finished(const room_id& id) { finished_.push_back(id); }
    // Runs last in every entry point, when no room_state& is held.
    void erase_finished();

    // Open, live, occupied rooms, with `elsewhere` (rooms other nodes of a cluster hold): busiest
    // first, ties by id so pages are stable.
    [[nodiscard]] proto::directory_listing directory(const proto::directory_query& query,
                                                     std::vector<proto::directory_entry> elsewhere = {}) const;

private:
    void release_membership(const member_id& member);

    rooms_by_id rooms_;
    std::vector<room_id> finished_;
    std::unordered_map<public_key, std::uint32_t, strong_hash> rooms_created_by_key_;
    std::unordered_map<member_id, std::uint32_t, strong_hash> rooms_joined_by_member_;
};

}  // namespace stoa::relay
