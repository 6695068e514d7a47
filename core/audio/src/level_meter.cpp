// Level measurement and the speaking state machine.
#include "stoa/audio/level_meter.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <stdexcept>

namespace stoa::audio {
namespace {

float to_dbfs(double linear) noexcept {
    if (!(linear > 0.0)) return silence_floor_dbfs;
    return std::max(silence_floor_dbfs, static_cast<float>(20.0 * std::log10(linear)));
}

}  // namespace

float rms_dbfs(std::span<const std::int16_t> pcm) noexcept {
    if (pcm.empty()) return silence_floor_dbfs;
    double energy = 0.0;
    for (std::int16_t s : pcm) energy += static_cast<double>(s) * s;
    return to_dbfs(std::sqrt(energy / static_cast<double>(pcm.size())) / 32768.0);
}

float peak_dbfs(std::span<const std::int16_t> pcm) noexcept {
    int peak = 0;
    for (std::int16_t s : pcm) peak = std::max(peak, std::abs(static_cast<int>(s)));
    return to_dbfs(peak / 32768.0);
}

level_meter::level_meter(const level_meter_config& config, int rate_hz) : config_(config), sample_rate_hz_(rate_hz) {
    if (config.speaking_off_dbfs > config.speaking_on_dbfs)
        throw std::invalid_argument("level_meter: speaking_off_dbfs must not exceed speaking_on_dbfs");
    if (config.attack.count() < 0 || config.release.count() < 0 || config.hang_time.count() < 0 || rate_hz <= 0)
        throw std::invalid_argument("level_meter: times and sample rate must be non-negative");
}

level_reading level_meter::update(std::span<const std::int16_t> pcm) noexcept {
    level_reading reading;
    reading.rms_dbfs = rms_dbfs(pcm);
    reading.peak_dbfs = peak_dbfs(pcm);

    const auto frame_us = static_cast<std::int64_t>(pcm.size()) * 1'000'000 / sample_rate_hz_;
    const double frame_seconds = static_cast<double>(frame_us) / 1e6;
    const bool rising = reading.rms_dbfs > last_.smoothed_dbfs;
    const double tau = std::chrono::duration<double>(rising ? config_.attack : config_.release).count();
    // One-pole smoothing; alpha for a time constant tau over one frame.
    const double alpha = tau > 0.0 ? 1.0 - std::exp(-frame_seconds / tau) : 1.0;
    reading.smoothed_dbfs = static_cast<float>(last_.smoothed_dbfs + alpha * (reading.rms_dbfs - last_.smoothed_dbfs));

    reading.speaking = last_.speaking;
    if (reading.smoothed_dbfs >= config_.speaking_on_dbfs) {
        reading.speaking = true;
        below_off_for_ = duration::zero();
    } else if (reading.smoothed_dbfs < config_.speaking_off_dbfs) {
        below_off_for_ += duration(frame_us);
        if (below_off_for_ >= config_.hang_time) reading.speaking = false;
    } else {
        below_off_for_ = duration::zero();  // in the hysteresis band: keep the current state
    }
    last_ = reading;
    return reading;
}

}  // namespace stoa::audio
