// How a speaker talks: a conversational on/off pattern after ITU-T P.59 (talkspurts and pauses
// with exponentially distributed lengths, means 1.004 s and 1.587 s, so a speaker talks about 39%
// of the time), or continuously (for throughput runs: 50 frames a second, always).
#pragma once

#include <chrono>
#include <cstdint>

#include "stoa/common/time.hpp"
#include "stoa/loadgen/scenario/deterministic_random.hpp"
#include "stoa/loadgen/scenario/quantity.hpp"

namespace stoa::loadgen {

enum class talk_pattern : std::uint8_t { conversational, continuous };

struct talk_model {
    talk_pattern pattern = talk_pattern::conversational;
    duration talkspurt_mean = std::chrono::microseconds(1'004'000);
    duration pause_mean = std::chrono::microseconds(1'587'000);

    friend bool operator==(const talk_model&, const talk_model&) = default;
};

// One speaker's alternation of talkspurts and pauses, drawn from its own seed. Lengths are whole
// microseconds, at least one; the runner rounds them to its frame length.
class talk_generator {
public:
    talk_generator(const talk_model& model, std::uint64_t seed) noexcept;

    struct spell {
        bool talking = false;
        duration length{};
    };
    // The next spell: a talkspurt, then a pause, and so on (always a talkspurt for continuous
    // speech, of a length that lasts past any scenario).
    [[nodiscard]] spell next() noexcept;

private:
    talk_model model_;
    deterministic_random random_;
    bool talking_next_ = true;
};

}  // namespace stoa::loadgen
