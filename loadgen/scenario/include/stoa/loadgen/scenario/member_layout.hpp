// Who every simulated member is, fixed by the scenario and its seed alone, so every shard of a
// run agrees without talking: member i is a speaker of room i / S when i < rooms·S (the first of
// each room is its host), otherwise a listener whose room is drawn from the rooms' Zipf
// popularity; whether a listener decrypts, decodes or a speaker encodes live is a fixed draw too.
#pragma once

#include <cstdint>

#include "stoa/loadgen/scenario/member_index.hpp"
#include "stoa/loadgen/scenario/scenario.hpp"
#include "stoa/loadgen/scenario/zipf_distribution.hpp"

namespace stoa::loadgen {

class member_layout {
public:
    explicit member_layout(const scenario& plan);

    [[nodiscard]] std::uint32_t member_count() const noexcept { return speakers_ + listeners_; }
    [[nodiscard]] std::uint32_t speaker_count() const noexcept { return speakers_; }
    [[nodiscard]] std::uint32_t listener_count() const noexcept { return listeners_; }
    [[nodiscard]] std::uint32_t room_count() const noexcept { return rooms_; }
    [[nodiscard]] const zipf_distribution& popularity() const noexcept { return popularity_; }

    // A speaker when the scenario starts (rotation and invitations move members later).
    [[nodiscard]] bool is_speaker(member_index member) const noexcept { return member.value < speakers_; }
    [[nodiscard]] bool is_host(member_index member) const noexcept {
        return is_speaker(member) && member.value % speakers_per_room_ == 0;
    }
    [[nodiscard]] member_index host_of(room_index room) const noexcept {
        return member_index(room.value * speakers_per_room_);
    }
    [[nodiscard]] room_index room_of(member_index member) const noexcept;

    // Listeners that authenticate and decrypt every frame (speakers always do).
    [[nodiscard]] bool decrypts(member_index member) const noexcept;
    // Listeners that also decode Opus and measure playout gaps (a subset of those that decrypt).
    [[nodiscard]] bool decodes(member_index member) const noexcept;
    // Speakers that encode live rather than replay the pre-encoded sample.
    [[nodiscard]] bool encodes_live(member_index member) const noexcept;
    // The seed of this member's own talk_generator.
    [[nodiscard]] std::uint64_t talk_seed(member_index member) const noexcept;

private:
    [[nodiscard]] double member_unit(member_index member, std::uint64_t purpose) const noexcept;

    std::uint64_t seed_;
    std::uint32_t rooms_;
    std::uint32_t speakers_per_room_;
    std::uint32_t speakers_;
    std::uint32_t listeners_;
    double decrypt_;
    double decode_;
    double live_encode_;
    zipf_distribution popularity_;
};

}  // namespace stoa::loadgen
