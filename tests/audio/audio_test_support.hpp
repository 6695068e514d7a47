// Signals, alignment and a simulated network shared by the audio tests.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numbers>
#include <random>
#include <span>
#include <vector>

#include "stoa/audio/format.hpp"

namespace stoa::audio::test {

// A voiced, speech-like signal: a 140 Hz fundamental with vibrato and 12 harmonics shaped
// by two formants, under a 3.5 Hz syllable envelope. Deterministic.
inline std::vector<std::int16_t> speech_like(std::size_t samples, double amplitude = 0.4) {
    std::vector<std::int16_t> out(samples);
    constexpr double two_pi = 2.0 * std::numbers::pi;
    double phase = 0.0;
    for (std::size_t i = 0; i < samples; ++i) {
        const double t = static_cast<double>(i) / sample_rate_hz;
        const double f0 = 140.0 + 12.0 * std::sin(two_pi * 5.0 * t);
        phase += two_pi * f0 / sample_rate_hz;
        double v = 0.0;
        for (int h = 1; h <= 12; ++h) {
            const double f = f0 * h;
            const double formants =
                std::exp(-std::pow((f - 500.0) / 250.0, 2)) + 0.6 * std::exp(-std::pow((f - 1500.0) / 400.0, 2)) + 0.05;
            v += formants * std::sin(h * phase) / h;
        }
        const double envelope = 0.55 + 0.45 * std::sin(two_pi * 3.5 * t);
        out[i] = static_cast<std::int16_t>(std::lround(std::clamp(amplitude * envelope * v, -1.0, 1.0) * 32767.0));
    }
    return out;
}

// Normalised cross-correlation of a with b delayed by `lag` samples, over `length` samples.
inline double correlation_at(std::span<const std::int16_t> reference, std::span<const std::int16_t> delayed,
                             std::size_t lag, std::size_t start, std::size_t length) {
    double ab = 0.0, aa = 0.0, bb = 0.0;
    for (std::size_t i = start; i < start + length; ++i) {
        const double a = reference[i];
        const double b = delayed[i + lag];
        ab += a * b;
        aa += a * a;
        bb += b * b;
    }
    return (aa > 0.0 && bb > 0.0) ? ab / std::sqrt(aa * bb) : 0.0;
}

struct alignment {
    std::size_t lag = 0;
    double correlation = 0.0;
};

// Finds the codec delay by maximising correlation over lags 0..max_lag.
inline alignment best_alignment(std::span<const std::int16_t> reference, std::span<const std::int16_t> delayed,
                                std::size_t max_lag, std::size_t start, std::size_t length) {
    alignment best;
    for (std::size_t lag = 0; lag <= max_lag; ++lag) {
        const double c = correlation_at(reference, delayed, lag, start, length);
        if (c > best.correlation) best = {lag, c};
    }
    return best;
}

// Energy of the difference between two equal-length spans.
inline double error_energy(std::span<const std::int16_t> a, std::span<const std::int16_t> b) {
    double e = 0.0;
    for (std::size_t i = 0; i < a.size() && i < b.size(); ++i) {
        const double d = static_cast<double>(a[i]) - b[i];
        e += d * d;
    }
    return e;
}

// A packet whose payload names its own sequence number, so tests can check what is played.
inline std::vector<std::uint8_t> tagged_packet(std::uint32_t seq) {
    return {0x0b,
            static_cast<std::uint8_t>(seq >> 24),
            static_cast<std::uint8_t>(seq >> 16),
            static_cast<std::uint8_t>(seq >> 8),
            static_cast<std::uint8_t>(seq),
            0x55};
}
inline std::uint32_t tag_of(std::span<const std::uint8_t> packet) {
    if (packet.size() < 5) return 0xFFFFFFFF;
    return (std::uint32_t{packet[1]} << 24) | (std::uint32_t{packet[2]} << 16) | (std::uint32_t{packet[3]} << 8) |
           packet[4];
}

}  // namespace stoa::audio::test
