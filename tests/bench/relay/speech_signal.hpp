// A speech-like test signal for the benchmark's speakers: a glottal pulse train with a gliding
// pitch through three formant resonators, under a syllable-rate envelope. Opus codes it like
// voice (so packet sizes are a talker's, not a sine's), and it costs nothing to make.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numbers>
#include <random>
#include <vector>

#include "stoa/audio/format.hpp"

namespace stoa::bench {

[[nodiscard]] inline std::vector<audio::pcm_frame> make_speech_frames(std::size_t frames, std::uint64_t seed) {
    constexpr double rate = audio::sample_rate_hz;
    std::mt19937_64 random(seed);
    std::normal_distribution<double> noise(0.0, 0.02);
    const double base_pitch = 100.0 + 80.0 * std::uniform_real_distribution<double>(0.0, 1.0)(random);

    struct resonator {
        double a1, a2, gain, y1 = 0.0, y2 = 0.0;
        resonator(double hz, double bandwidth_hz) {
            const double r = std::exp(-std::numbers::pi * bandwidth_hz / rate);
            a1 = 2.0 * r * std::cos(2.0 * std::numbers::pi * hz / rate);
            a2 = -r * r;
            gain = 1.0 - r;
        }
        double step(double x) {
            const double y = gain * x + a1 * y1 + a2 * y2;
            y2 = y1;
            y1 = y;
            return y;
        }
    };
    resonator f1(650.0, 80.0), f2(1200.0, 100.0), f3(2600.0, 150.0);

    std::vector<audio::pcm_frame> out(frames);
    double phase = 0.0;
    std::size_t n = 0;
    for (auto& frame : out) {
        for (auto& sample : frame) {
            const double t = static_cast<double>(n++) / rate;
            const double pitch = base_pitch * (1.0 + 0.15 * std::sin(2.0 * std::numbers::pi * 0.7 * t));
            phase += pitch / rate;
            double excitation = 0.0;
            if (phase >= 1.0) {
                phase -= 1.0;
                excitation = 1.0;
            }
            excitation += noise(random);
            // Syllables at about 4 Hz: the envelope dips between them as speech does.
            const double envelope = 0.25 + 0.75 * std::pow(std::sin(std::numbers::pi * 4.0 * t), 2.0);
            const double voiced = f1.step(excitation) * 1.0 + f2.step(excitation) * 0.6 + f3.step(excitation) * 0.3;
            const double value = std::clamp(envelope * voiced * 6.0, -0.9, 0.9);
            sample = static_cast<std::int16_t>(std::lround(value * 32767.0));
        }
    }
    return out;
}

}  // namespace stoa::bench
