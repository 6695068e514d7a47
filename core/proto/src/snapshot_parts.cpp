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
    // Every field but the member list is repeated in each part; copying the whole struct keeps
    // fields added to full_snapshot later from being dropped here.
    room::full_snapshot header = snapshot;
    header.members.clear();
    std::vector<snapshot_message> out;
    out.reserve(parts);
    for (std::size_t p = 0; p < parts; ++p) {
        room::full_snapshot piece = header;
        const std::size_t begin = p * members_per_part;
        const std::size_t end = std::min(count, begin + members_per_part);
        piece.members.assign(snapshot.members.begin() + static_cast<std::ptrdiff_t>(begin),
                             snapshot.members.begin() + static_cast<std::ptrdiff_t>(end));
        out.push_back(snapshot_message{std::move(piece), static_cast<std::uint32_t>(p), static_cast<std::uint32_t>(parts)});
    }
    return out;
}

namespace {

template <typename Message, typename Notice>
void follow_messages(std::vector<server_body>& out, const Notice& n) {
    std::vector<snapshot_message> parts;
    if (const auto* full = std::get_if<room::full_snapshot>(&n.snapshot)) {
        parts = split_full_snapshot(*full);
    } else {
        parts.push_back(snapshot_message{std::get<room::stage_snapshot>(n.snapshot), 0, 1});
    }
    out.push_back(Message{n.self, n.follow, std::move(parts.front())});
    for (std::size_t i = 1; i < parts.size(); ++i) out.push_back(std::move(parts[i]));
}

}  // namespace

std::vector<server_body> notice_messages(const room::any_notice& notice, const room_id& room) {
    std::vector<server_body> out;
    std::visit(
        [&](const auto& n) {
            using T = std::decay_t<decltype(n)>;
            if constexpr (std::is_same_v<T, room::notice::welcome>) {
                follow_messages<welcome>(out, n);
            } else if constexpr (std::is_same_v<T, room::notice::follow_stream>) {
                follow_messages<follow_stream>(out, n);
            } else if constexpr (std::is_same_v<T, room::notice::own_entry>) {
                out.push_back(own_entry{n.entry});
            } else if constexpr (std::is_same_v<T, room::notice::removed>) {
                if (n.reason == room::leave_reason::banned) out.push_back(banned{room, n.by});
                else out.push_back(kicked{room, n.by});
            }
        },
        notice);
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
        // Every part repeats the same header: compare all fields but the members.
        std::vector<room::member_entry> members = std::move(full.members);
        std::vector<room::member_entry> collected = std::move(pending_->members);
        full.members.clear();
        pending_->members.clear();
        const bool same = full == *pending_;
        pending_->members = std::move(collected);
        if (!same) return reject("snapshot");
        pending_->members.insert(pending_->members.end(), std::make_move_iterator(members.begin()),
                                 std::make_move_iterator(members.end()));
        ++next_part_;
    }
    if (next_part_ < parts_) return std::optional<whole>();
    whole done = std::move(*pending_);
    pending_.reset();
    return std::optional<whole>(std::move(done));
}

}  // namespace stoa::proto
