// When each benchmark speaker talks: ITU-T P.59-like conversational speech, alternating
// talkspurts (mean 1.004 s) and pauses (mean 1.587 s), both exponential, so each speaker is
// active about 39% of the time. Seeded, so every relay sees the same pattern.
#pragma once

#include <cmath>
#include <cstdint>
#include <random>

namespace stoa::bench {

class talk_pattern {
public:
    static constexpr double talkspurt_mean_s = 1.004;
    static constexpr double pause_mean_s = 1.587;
    static constexpr double frame_s = 0.020;

    // always_on: shape B's speaker, who never pauses.
    talk_pattern(std::uint64_t seed, bool always_on) : engine_(seed), always_on_(always_on) {
        // Start in a random phase of the cycle so the speakers do not all begin together.
        talking_ = std::bernoulli_distribution(talkspurt_mean_s / (talkspurt_mean_s + pause_mean_s))(engine_);
        frames_left_ = draw(talking_ ? talkspurt_mean_s : pause_mean_s);
    }

    // Advances one 20 ms frame; true when this frame is speech.
    bool next_frame() {
        if (always_on_) return true;
        while (frames_left_ == 0) {
            talking_ = !talking_;
            frames_left_ = draw(talking_ ? talkspurt_mean_s : pause_mean_s);
        }
        --frames_left_;
        return talking_;
    }

private:
    std::uint32_t draw(double mean_s) {
        const double seconds = std::exponential_distribution<double>(1.0 / mean_s)(engine_);
        return static_cast<std::uint32_t>(std::lround(seconds / frame_s));
    }
    std::mt19937_64 engine_;
    bool always_on_;
    bool talking_ = false;
    std::uint32_t frames_left_ = 0;
};

}  // namespace stoa::bench
