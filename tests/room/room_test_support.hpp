// Helpers shared by the room tests: ids, a simulated relay that routes outcomes to member
// clients by the fan-out rule, and invariant checks on the authority's snapshots.
#pragma once

#include <catch2/catch.hpp>

#include <cstdint>
#include <optional>
#include <sstream>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "stoa/common/time.hpp"
#include "stoa/room/authority.hpp"
#include "stoa/room/full_replica.hpp"
#include "stoa/room/stage_replica.hpp"

namespace stoa::room::test {

// Member ids are hash outputs in production; strong_hash relies on that, so mix the counter.
inline member_id make_member(std::uint64_t n) {
    std::uint64_t z = n + 0x9E3779B97F4A7C15ULL;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    z ^= z >> 31;
    member_id id{};
    for (std::size_t i = 0; i < 8; ++i) id.value[i] = static_cast<std::uint8_t>(z >> (56 - 8 * i));
    for (std::size_t i = 0; i < 8; ++i) id.value[8 + i] = static_cast<std::uint8_t>(n >> (56 - 8 * i));
    return id;
}

inline public_key key_for(member_id id) {
    public_key key{};
    for (std::size_t i = 0; i < member_id::size; ++i) key.value[i] = id.value[i];
    return key;
}

inline time_point at_ms(std::int64_t ms) { return from_micros(ms * 1000); }

inline action::join join_as(member_id id, bytes profile = {}) { return action::join{key_for(id), std::nullopt, std::move(profile)}; }

// Applies an action that must succeed.
inline outcome must(room_authority& room, member_id actor, const any_action& action, time_point now = at_ms(0)) {
    auto result = room.apply(actor, action, now);
    if (!result) FAIL_CHECK("refused: " << to_string(result.error()));
    REQUIRE(result.ok());
    return std::move(result).value();
}

// Applies an action that must be refused, and checks it changed nothing.
inline room_error refused(room_authority& room, member_id actor, const any_action& action,
                          time_point now = at_ms(0)) {
    const auto full_before = room.full_snapshot();
    const auto stage_before = room.stage_snapshot();
    auto result = room.apply(actor, action, now);
    REQUIRE_FALSE(result.ok());
    CHECK(room.full_snapshot() == full_before);
    CHECK(room.stage_snapshot() == stage_before);
    return result.error();
}

template <typename Delta>
std::vector<Delta> deltas_of(const outcome& out, stream on) {
    std::vector<Delta> found;
    for (const sequenced_delta& d : out.deltas) {
        if (d.on == on) {
            if (const auto* typed = std::get_if<Delta>(&d.change)) found.push_back(*typed);
        }
    }
    return found;
}

inline std::size_t count_on(const outcome& out, stream on) {
    std::size_t n = 0;
    for (const sequenced_delta& d : out.deltas) n += d.on == on ? 1 : 0;
    return n;
}

template <typename Notice>
std::vector<Notice> notices_to(const outcome& out, member_id to) {
    std::vector<Notice> found;
    for (const addressed_notice& n : out.notices) {
        if (n.to == to) {
            if (const auto* typed = std::get_if<Notice>(&n.body)) found.push_back(*typed);
        }
    }
    return found;
}

// One member's client: the replica of the stream it follows, loaded from welcome and
// follow_stream notices, resynced from the authority's snapshot on a gap.
struct member_client {
    member_id id{};
    stream following = stream::stage;
    stage_replica stage;
    full_replica full;
    bool lossy = false;  // drops some deltas, then must resync
    std::size_t resyncs = 0;

    explicit member_client(member_id self) : id(self), stage(self) {}

    void load(stream follow, const std::variant<stage_snapshot, full_snapshot>& snapshot, const member_entry& self) {
        following = follow;
        if (follow == stream::stage) {
            stage = stage_replica(id);
            REQUIRE(stage.load(std::get<stage_snapshot>(snapshot)).ok());
            if (self.id == id && self.member_role == role::listener) REQUIRE(stage.set_own_entry(self).ok());
        } else {
            full = full_replica();
            REQUIRE(full.load(std::get<full_snapshot>(snapshot)).ok());
        }
    }

    void resync(const room_authority& room) {
        ++resyncs;
        if (following == stream::stage) {
            REQUIRE(stage.load(room.stage_snapshot()).ok());
            // The relay's resync reply carries the member's own entry along with the snapshot.
            if (const member_entry* self = room.find(id); self && self->member_role == role::listener) {
                REQUIRE(stage.set_own_entry(*self).ok());
            }
        } else {
            REQUIRE(full.load(room.full_snapshot()).ok());
        }
    }

    void receive(const sequenced_delta& delta, const room_authority& room) {
        if (delta.on != following) return;  // privileged clients skip the stage stream
        auto applied = following == stream::stage ? stage.apply(delta) : full.apply(delta);
        if (!applied) {
            REQUIRE(applied.error() == room_error::needs_resync);
            resync(room);
        }
    }

    [[nodiscard]] delta_seq seq() const { return following == stream::stage ? stage.seq() : full.seq(); }
};

// Routes outcomes as the relay does: notices to their member, stage deltas to every member,
// full deltas to privileged members. Counts the messages that fan-out costs.
struct relay_sim {
    room_authority& room;
    std::unordered_map<member_id, member_client, strong_hash> clients{};
    std::uint64_t messages = 0;
    std::uint64_t lossy_draws = 0;  // deterministic drop pattern for lossy clients

    void deliver(const outcome& out) {
        for (const addressed_notice& n : out.notices) {
            ++messages;
            std::visit(
                [&](const auto& body) {
                    using notice_type = std::decay_t<decltype(body)>;
                    if constexpr (std::is_same_v<notice_type, notice::welcome>) {
                        auto [it, inserted] = clients.try_emplace(n.to, n.to);
                        REQUIRE(inserted);
                        it->second.load(body.follow, body.snapshot, body.self);
                    } else if constexpr (std::is_same_v<notice_type, notice::follow_stream>) {
                        REQUIRE(clients.contains(n.to));
                        clients.at(n.to).load(body.follow, body.snapshot, body.self);
                    } else if constexpr (std::is_same_v<notice_type, notice::own_entry>) {
                        REQUIRE(clients.contains(n.to));
                        member_client& client = clients.at(n.to);
                        if (client.following == stream::stage) REQUIRE(client.stage.set_own_entry(body.entry).ok());
                    }
                },
                n.body);
        }
        // Clients of members who left get nothing more.
        std::erase_if(clients, [&](const auto& item) { return room.find(item.first) == nullptr; });
        for (const sequenced_delta& delta : out.deltas) {
            for (auto& [id, client] : clients) {
                const member_entry* member = room.find(id);
                if (delta.on == stream::full && !is_privileged(member->member_role)) continue;
                ++messages;
                if (client.lossy && (++lossy_draws % 7) == 0) continue;
                client.receive(delta, room);
            }
        }
    }
};

// Invariants read from the authority's public snapshots, independent of its internals.
inline void check_invariants(const room_authority& room) {
    const auto audit = room.audit();
    INFO("audit: " << (audit ? *audit : "ok"));
    REQUIRE_FALSE(audit.has_value());
    const full_snapshot full = room.full_snapshot();
    const stage_snapshot stage = room.stage_snapshot();
    const room_limits& limits = room.config().limits;
    REQUIRE(full.members.size() <= limits.max_members);
    REQUIRE(stage.stage.size() <= limits.max_stage);
    std::size_t hosts = 0;
    std::size_t on_stage = 0;
    std::unordered_set<member_id, strong_hash> ids;
    std::unordered_set<sender_index, strong_hash> indexes;
    for (const member_entry& m : full.members) {
        hosts += m.member_role == role::host ? 1 : 0;
        on_stage += is_on_stage(m.member_role) ? 1 : 0;
        REQUIRE(ids.insert(m.id).second);
        REQUIRE(indexes.insert(m.index).second);
        REQUIRE_FALSE(room.is_banned(m.id));
        if (room.config().stage_only) REQUIRE(is_on_stage(m.member_role));
    }
    for (const member_entry& m : stage.stage) REQUIRE(is_on_stage(m.member_role));
    REQUIRE(on_stage == stage.stage.size());
    if (room.ended()) {
        REQUIRE(full.members.empty());
    } else if (!full.members.empty()) {
        REQUIRE(hosts == 1);
    }
}

}  // namespace stoa::room::test

// Readable failures: snapshots print as their rosters.
namespace Catch {
template <>
struct StringMaker<stoa::room::member_entry> {
    static std::string convert(const stoa::room::member_entry& m) {
        std::ostringstream out;
        out << "{" << stoa::to_hex(m.id.value).substr(0, 8) << " idx " << m.index.value << " role "
            << int(m.member_role) << (m.hand_raised ? " hand" : "") << (m.invited_to_stage ? " invited" : "")
            << (m.self_muted ? " self_muted" : "") << (m.moderator_muted ? " mod_muted" : "") << " order "
            << m.joined_order << " profile " << m.profile.size() << "B}";
        return out.str();
    }
};
template <>
struct StringMaker<stoa::room::stage_snapshot> {
    static std::string convert(const stoa::room::stage_snapshot& s) {
        std::ostringstream out;
        out << "stage@" << s.seq.value << " audience " << s.audience_count << (s.ended ? " ended" : "") << " [";
        for (const auto& m : s.stage) out << StringMaker<stoa::room::member_entry>::convert(m) << " ";
        out << "]";
        return out.str();
    }
};
template <>
struct StringMaker<stoa::room::full_snapshot> {
    static std::string convert(const stoa::room::full_snapshot& s) {
        std::ostringstream out;
        out << "full@" << s.seq.value << (s.ended ? " ended" : "") << " [";
        for (const auto& m : s.members) out << StringMaker<stoa::room::member_entry>::convert(m) << " ";
        out << "]";
        return out.str();
    }
};
}  // namespace Catch
