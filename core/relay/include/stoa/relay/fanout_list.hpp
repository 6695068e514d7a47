// The recipients of one room's broadcasts, split by the delta stream each follows: the data
// structure behind every media frame and delta the relay fans out, tested on its own.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <span>
#include <unordered_map>
#include <vector>

#include "stoa/common/strong_type.hpp"
#include "stoa/relay/wire_message.hpp"
#include "stoa/room/types.hpp"

namespace stoa::relay {

// Every recipient sits in one array, the stage stream's followers first, then the full stream's,
// so a delta reads one contiguous span and a media frame reads the whole array (two spans around
// its sender). Add, move and remove are O(1): a slot is filled by swapping, so the order within a
// stream is not kept. Reading never allocates.
class fanout_list {
public:
    // Puts `c` on stream `on`. False, and nothing changes, when `c` is already in the list.
    bool add(connection_id c, room::stream on);
    // Moves `c` to stream `to` (nothing to do when it is there already). False when `c` is absent.
    bool move(connection_id c, room::stream to);
    // False when `c` was not in the list.
    bool remove(connection_id c);
    void clear() noexcept;

    [[nodiscard]] bool contains(connection_id c) const { return position_.contains(c); }
    [[nodiscard]] std::optional<room::stream> stream_of(connection_id c) const;

    // The followers of one stream. Valid until the list changes.
    [[nodiscard]] std::span<const connection_id> followers(room::stream on) const noexcept;
    // Everyone but `except` (everyone when it is absent), as the parts before and after its slot.
    [[nodiscard]] std::array<std::span<const connection_id>, 2> everyone_except(connection_id except) const;
    [[nodiscard]] std::span<const connection_id> everyone() const noexcept { return members_; }

    [[nodiscard]] std::size_t size() const noexcept { return members_.size(); }
    [[nodiscard]] std::size_t size(room::stream on) const noexcept { return followers(on).size(); }
    [[nodiscard]] bool empty() const noexcept { return members_.empty(); }

private:
    void swap_slots(std::size_t a, std::size_t b);
    void place(std::size_t at, connection_id c);

    // [0, stage_end_) follow the stage stream, [stage_end_, size) the full stream.
    std::vector<connection_id> members_;
    std::size_t stage_end_ = 0;
    std::unordered_map<connection_id, std::size_t, strong_hash> position_;
};

}  // namespace stoa::relay
