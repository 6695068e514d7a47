// Sine generation and Goertzel-based tone detection.
#include "stoa/audio/tone.hpp"

#include <cmath>
#include <numbers>
#include <vector>

namespace stoa::audio {
namespace {

constexpr double two_pi = 2.0 * std::numbers::pi;

// |X(f)|^2 of the (optionally windowed) signal at an arbitrary frequency.
double goertzel_power(std::span<const std::int16_t> pcm, const double* window, double frequency_hz,
                      int rate_hz) noexcept {
    const double omega = two_pi * frequency_hz / rate_hz;
    const double coeff = 2.0 * std::cos(omega);
    double s1 = 0.0;
    double s2 = 0.0;
    for (std::size_t i = 0; i < pcm.size(); ++i) {
        const double x = static_cast<double>(pcm[i]) / 32768.0 * (window ? window[i] : 1.0);
        const double s0 = x + coeff * s1 - s2;
        s2 = s1;
        s1 = s0;
    }
    const double power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
    return power > 0.0 ? power : 0.0;
}

}  // namespace

sine_generator::sine_generator(double frequency_hz, double amplitude, int rate_hz) noexcept
    : phase_step_(two_pi * frequency_hz / rate_hz), amplitude_(amplitude) {}

void sine_generator::fill(std::span<std::int16_t> out) noexcept {
    for (auto& sample : out) {
        const double v = std::round(amplitude_ * 32767.0 * std::sin(phase_));
        sample = static_cast<std::int16_t>(v > 32767.0 ? 32767.0 : (v < -32768.0 ? -32768.0 : v));
        phase_ += phase_step_;
        if (phase_ >= two_pi) phase_ -= two_pi;
    }
}

double tone_power(std::span<const std::int16_t> pcm, double frequency_hz, int rate_hz) noexcept {
    if (pcm.empty()) return 0.0;
    const double n = static_cast<double>(pcm.size());
    // For x = A sin(...), |X(f)| is about A*N/2, so power A^2/2 = 2 |X|^2 / N^2.
    return 2.0 * goertzel_power(pcm, nullptr, frequency_hz, rate_hz) / (n * n);
}

double tone_ratio(std::span<const std::int16_t> pcm, double frequency_hz, int rate_hz) noexcept {
    double total = 0.0;
    for (std::int16_t s : pcm) total += (s / 32768.0) * (s / 32768.0);
    if (pcm.empty() || total <= 0.0) return 0.0;
    total /= static_cast<double>(pcm.size());
    return tone_power(pcm, frequency_hz, rate_hz) / total;
}

double dominant_frequency(std::span<const std::int16_t> pcm, double min_hz, double max_hz, int rate_hz) noexcept {
    if (pcm.size() < 2 || !(max_hz > min_hz)) return 0.0;
    // 200 ms resolves 5 Hz, plenty for a test tone; longer input would only slow the scan.
    constexpr std::size_t max_analysed = 9'600;
    if (pcm.size() > max_analysed) pcm = pcm.subspan((pcm.size() - max_analysed) / 2, max_analysed);
    std::vector<double> window(pcm.size());
    const double last = static_cast<double>(pcm.size() - 1);
    for (std::size_t i = 0; i < pcm.size(); ++i)
        window[i] = 0.5 - 0.5 * std::cos(two_pi * static_cast<double>(i) / last);

    // Coarse steps of half the window's resolution, then 1 Hz around the best one.
    const double resolution = static_cast<double>(rate_hz) / static_cast<double>(pcm.size());
    const double coarse = resolution / 2.0;
    double best_hz = 0.0;
    double best_power = 0.0;
    for (double f = min_hz; f <= max_hz; f += coarse) {
        const double p = goertzel_power(pcm, window.data(), f, rate_hz);
        if (p > best_power) {
            best_power = p;
            best_hz = f;
        }
    }
    if (best_power <= 0.0) return 0.0;
    const double centre = best_hz;
    for (double f = centre - coarse; f <= centre + coarse; f += 1.0) {
        if (f < min_hz || f > max_hz) continue;
        const double p = goertzel_power(pcm, window.data(), f, rate_hz);
        if (p > best_power) {
            best_power = p;
            best_hz = f;
        }
    }
    return best_hz;
}

}  // namespace stoa::audio
