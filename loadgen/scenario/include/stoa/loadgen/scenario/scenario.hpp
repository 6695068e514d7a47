// A whole stoa-load scenario: where to connect, how many rooms and members, how they listen and
// talk, how they reconnect, the phases to run and the thresholds that decide pass or fail.
// Built by parse_scenario (a TOML or JSON file) or parse_command_line (flags); both validate
// everything, so a scenario held by the caller is always runnable.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "stoa/common/time.hpp"
#include "stoa/loadgen/scenario/phase.hpp"
#include "stoa/loadgen/scenario/quantity.hpp"
#include "stoa/loadgen/scenario/reconnect_backoff.hpp"
#include "stoa/loadgen/scenario/server_target.hpp"
#include "stoa/loadgen/scenario/talk_model.hpp"
#include "stoa/loadgen/scenario/threshold.hpp"

namespace stoa::loadgen {

enum class room_access : std::uint8_t { open, closed };

// Upper bounds that keep a hostile or mistyped file from asking for absurd allocations.
inline constexpr std::uint32_t max_rooms = 1'000'000;
inline constexpr std::uint32_t max_speakers_per_room = 1'000;
inline constexpr std::uint32_t max_members = 10'000'000;
inline constexpr std::size_t max_phases = 1'000;
inline constexpr std::size_t max_thresholds = 1'000;

struct room_plan {
    std::uint32_t count = 1;
    room_access access = room_access::open;
    // Room k (from 0) draws a share of the listeners proportional to 1/(k+1)^s; 0 spreads them evenly.
    double zipf_exponent = 1.0;

    friend bool operator==(const room_plan&, const room_plan&) = default;
};

struct member_plan {
    std::uint32_t speakers_per_room = 1;  // the first of each room is its host
    std::uint32_t listeners = 0;          // in all rooms together, spread by popularity
    share decrypt{1.0};                   // listeners that authenticate and decrypt every frame
    share decode{0.01};                   // listeners that also decode Opus and measure playout gaps (<= decrypt)
    share live_encode{0.0};               // speakers that encode live rather than replay a pre-encoded sample
    // Probe listeners: read as soon as data arrives and time every frame (frame latency, first
    // audio, playout gaps come from them); at least min_probes_per_room per room, and every
    // decoding listener. The others (bulk) are read in batches and still decrypt every frame.
    share probe{0.02};

    friend bool operator==(const member_plan&, const member_plan&) = default;
};

struct scenario {
    std::string name;
    std::uint64_t seed = 1;  // the plan's randomness: the same seed replays the same run
    duration length{};       // the whole run; phases fill it from the start, the rest is steady
    server_target server;
    room_plan rooms;
    member_plan members;
    talk_model talk;
    reconnect_backoff reconnect;
    std::vector<phase> phases;
    std::vector<threshold> thresholds;

    [[nodiscard]] std::uint32_t speaker_count() const noexcept { return rooms.count * members.speakers_per_room; }
    [[nodiscard]] std::uint32_t member_count() const noexcept { return speaker_count() + members.listeners; }

    friend bool operator==(const scenario&, const scenario&) = default;
};

}  // namespace stoa::loadgen
