// The emoji reactions a member can send on stage, like Spaces: a small fixed set, so a hostile
// member cannot put arbitrary text in front of the room, and the limits that keep them cheap.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace stoa::client {

// Values are sealed inside reactions and shown by the web client: never renumber.
enum class reaction_kind : std::uint8_t {
    thumbs_up = 1,
    heart = 2,
    laugh = 3,
    clap = 4,
    party = 5,
    raised_hand = 6,
};

struct reaction_info {
    reaction_kind kind;
    std::string_view name;   // what the web client and stoa-bot call it
    std::string_view emoji;  // UTF-8
};

inline constexpr std::array<reaction_info, 6> reaction_kinds = {{
    {reaction_kind::thumbs_up, "thumbs_up", "\xF0\x9F\x91\x8D"},    // 👍
    {reaction_kind::heart, "heart", "\xE2\x9D\xA4\xEF\xB8\x8F"},      // ❤️
    {reaction_kind::laugh, "laugh", "\xF0\x9F\x98\x82"},              // 😂
    {reaction_kind::clap, "clap", "\xF0\x9F\x91\x8F"},                // 👏
    {reaction_kind::party, "party", "\xF0\x9F\x8E\x89"},              // 🎉
    {reaction_kind::raised_hand, "raised_hand", "\xE2\x9C\x8B"},      // ✋
}};

// The kind a raw byte names, if it is one of ours: anything else is ignored on receipt.
[[nodiscard]] constexpr std::optional<reaction_kind> reaction_from_byte(std::uint8_t raw) noexcept {
    for (const auto& info : reaction_kinds) {
        if (static_cast<std::uint8_t>(info.kind) == raw) return info.kind;
    }
    return std::nullopt;
}

[[nodiscard]] constexpr std::string_view to_string(reaction_kind kind) noexcept {
    for (const auto& info : reaction_kinds) {
        if (info.kind == kind) return info.name;
    }
    return "unknown";
}

// Limits, each a token bucket (`burst` at once, then `per_second`).
struct reaction_limits {
    // What this member may send; over it, send_reaction answers rate_limited and sends nothing.
    // Set a little below the relay's reactions_per_connection (3, 1/s) so honest taps are never
    // dropped on the way.
    double send_burst = 3.0;
    double send_per_second = 1.0;
    // What this member accepts from any one sender, then from all senders together (a relay
    // with other limits, or many members at once). Over either, the reaction is dropped (the
    // newest is the one dropped, nothing queued) and counted in session_stats.
    double receive_burst_per_sender = 3.0;
    double receive_per_second_per_sender = 1.0;
    double receive_burst = 20.0;
    double receive_per_second = 10.0;
    // Senders whose last counter is remembered (the replay check). Past it the longest-silent
    // sender is forgotten; a replay of its old reactions must still decrypt under an epoch this
    // member holds and pass the rate limits.
    std::size_t max_tracked_senders = 4096;
};

}  // namespace stoa::client
