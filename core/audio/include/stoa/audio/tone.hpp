// Known test signals and an FFT-free detector for them: the demo bot and browser tests send a
// sine tone, and tests assert "this PCM contains a 440 Hz tone" with the Goertzel algorithm.
#pragma once

#include <cstdint>
#include <span>

namespace stoa::audio {

// A phase-continuous sine, so consecutive frames join without clicks.
class sine_generator {
public:
    // amplitude in full scale, 0 .. 1.
    sine_generator(double frequency_hz, double amplitude, int rate_hz = 48'000) noexcept;
    void fill(std::span<std::int16_t> out) noexcept;

private:
    double phase_ = 0.0;
    double phase_step_;
    double amplitude_;
};

// Power of the `frequency_hz` component, in full-scale units: a sine of amplitude A (of full
// scale) reads about A*A/2. Exact frequency, not an FFT bin (generalised Goertzel).
[[nodiscard]] double tone_power(std::span<const std::int16_t> pcm, double frequency_hz, int rate_hz = 48'000) noexcept;

// Share of the signal's total power that lies at `frequency_hz` (0 .. about 1).
[[nodiscard]] double tone_ratio(std::span<const std::int16_t> pcm, double frequency_hz, int rate_hz = 48'000) noexcept;

// The strongest frequency between min_hz and max_hz, to about 1 Hz; 0 for silence. Uses a
// Hann window and a coarse-then-fine Goertzel scan over at most 200 ms (the middle of pcm).
// Meant for tests and tools, not the audio path.
[[nodiscard]] double dominant_frequency(std::span<const std::int16_t> pcm, double min_hz = 50.0,
                                        double max_hz = 8'000.0, int rate_hz = 48'000) noexcept;

}  // namespace stoa::audio
