// Full snapshots in bounded parts: splitting on the relay, reassembly in the client.
#include "stoa/proto/snapshot_parts.hpp"

#include <stdexcept>

namespace stoa::proto {

std::vector<snapshot_message> split_full_snapshot(const room::full_snapshot& snapshot, std::size_t members_per_part) {
    if (members_per_part == 0 || members_per_part > max_members_per_snapshot_part)
        throw std::invalid_argument("members_per_part out of range");
    const std::size_t count = snapshot.members.size();
    const std::size_t parts = count == 0 ? 1 : (count + members_per_part - 1) / members_per_part;
    if (parts > max_snapshot_parts) throw std::invalid_argument("snapshot needs more than max_snapshot_parts parts");
    std::vector<snapshot_message> out;
    out.reserve(parts);
    for (std::size_t p = 0; p < parts; ++p) {
        room::full_snapshot piece{snapshot.room, snapshot.kind, snapshot.stage_only, snapshot.seq, {}};
        const std::size_t begin = p * members_per_part;
        const std::size_t end = std::min(count, begin + members_per_part);
        piece.members.assign(snapshot.members.begin() + static_cast<std::ptrdiff_t>(begin),
                             snapshot.members.begin() + static_cast<std::ptrdiff_t>(end));
        out.push_back(snapshot_message{std::move(piece), static_cast<std::uint32_t>(p), static_cast<std::uint32_t>(parts)});
    }
    return out;
}

result<std::optional<std::variant<room::stage_snapshot, room::full_snapshot>>, decode_error> snapshot_assembler::add(
    snapshot_message part) {
    using whole = std::variant<room::stage_snapshot, room::full_snapshot>;
    if (auto* stage = std::get_if<room::stage_snapshot>(&part.snapshot)) {
        return std::optional<whole>(std::move(*stage));
    }
    auto& full = std::get<room::full_snapshot>(part.snapshot);
    auto reject = [this](const char* detail) {
        pending_.reset();
        return fail(decode_error{proto_error::invalid_combination, detail});
    };
    if (part.parts == 0 || part.parts > max_snapshot_parts || part.part >= part.parts) return reject("part");
    if (part.part == 0) {
        // A new snapshot replaces one that was in progress (the relay restarted it).
        pending_ = std::move(full);
        next_part_ = 1;
        parts_ = part.parts;
    } else {
        if (!pending_) return reject("part");
        if (part.part != next_part_ || part.parts != parts_) return reject("part");
        if (full.room != pending_->room || full.seq != pending_->seq || full.kind != pending_->kind ||
            full.stage_only != pending_->stage_only)
            return reject("snapshot");
        pending_->members.insert(pending_->members.end(), std::make_move_iterator(full.members.begin()),
                                 std::make_move_iterator(full.members.end()));
        ++next_part_;
    }
    if (next_part_ < parts_) return std::optional<whole>();
    whole done = std::move(*pending_);
    pending_.reset();
    return std::optional<whole>(std::move(done));
}

}  // namespace stoa::proto
