// Splitting a full snapshot into bounded `snapshot` messages and putting it back together, so
// no control message grows with the room (a 50,000-member room is 50 parts, not one 50 MB message).
#pragma once

#include <optional>
#include <vector>

#include "stoa/common/result.hpp"
#include "stoa/proto/control_messages.hpp"
#include "stoa/proto/errors.hpp"

namespace stoa::proto {

// Parts of at most `members_per_part` (1..max_members_per_snapshot_part) members each, in order;
// an empty room is one part. Throws std::invalid_argument for a bad members_per_part.
[[nodiscard]] std::vector<snapshot_message> split_full_snapshot(const room::full_snapshot& snapshot,
                                                                std::size_t members_per_part = max_members_per_snapshot_part);

// The relay -> client messages that carry one room notice to its member, in order: welcome and
// follow_stream carry the first snapshot part and are followed by `snapshot` messages for the
// rest; own_entry maps one to one; removed becomes `banned` (reason banned) or `kicked`.
[[nodiscard]] std::vector<server_body> notice_messages(const room::any_notice& notice, const room_id& room);

// Collects the parts of one full snapshot, in order. A part that does not continue the current
// snapshot (another room or seq, wrong index or count) is an invalid_combination error and
// resets the assembler; a stage snapshot is returned whole at once.
class snapshot_assembler {
public:
    // The complete snapshot once the last part arrived, otherwise nullopt.
    [[nodiscard]] result<std::optional<std::variant<room::stage_snapshot, room::full_snapshot>>, decode_error> add(
        snapshot_message part);

    [[nodiscard]] bool in_progress() const noexcept { return pending_.has_value(); }

private:
    std::optional<room::full_snapshot> pending_;
    std::uint32_t next_part_ = 0;
    std::uint32_t parts_ = 0;
};

}  // namespace stoa::proto
