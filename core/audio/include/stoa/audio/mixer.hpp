// Mixes one 20 ms frame from each active speaker into a single frame, with per-source gain
// and a soft clipper so many loud speakers bend instead of wrapping or hard-clipping.
#pragma once

#include <array>
#include <cstdint>
#include <span>

#include "stoa/audio/format.hpp"

namespace stoa::audio {

// Usage per tick: clear(); add() each source that has a frame this tick (a missing source
// is simply not added); then write the result with output().
class mixer {
public:
    // Above this magnitude (of full scale) the soft clipper starts bending the signal.
    static constexpr float knee = 0.75F;

    void clear() noexcept;
    // gain is linear (1 = unchanged); negative or non-finite gains count as 0.
    void add(std::span<const std::int16_t, frame_samples> pcm, float gain = 1.0F) noexcept;
    // Float input in [-1, 1] full scale (e.g. Web Audio).
    void add(std::span<const float, frame_samples> pcm, float gain = 1.0F) noexcept;

    void output(std::span<std::int16_t, frame_samples> out) const noexcept;
    void output(std::span<float, frame_samples> out) const noexcept;

    [[nodiscard]] std::uint32_t sources() const noexcept { return sources_; }

private:
    // Accumulated in float, in units of full scale: no intermediate overflow however many
    // sources are summed.
    std::array<float, frame_samples> sum_{};
    std::uint32_t sources_ = 0;
};

// The clipper on its own: identity below `knee`, then a tanh curve that approaches full scale
// with a continuous slope (and reaches it in float precision far above). Units of full scale.
[[nodiscard]] float soft_clip(float sample) noexcept;

}  // namespace stoa::audio
