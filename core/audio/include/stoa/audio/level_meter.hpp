// Speaking indicators: per-frame RMS and peak in dBFS, smoothed with attack/release, and a
// `speaking` flag with hysteresis and hang time so the indicator does not flicker.
#pragma once

#include <chrono>
#include <cstdint>
#include <span>

#include "stoa/common/time.hpp"

namespace stoa::audio {

// dBFS here: 0 dB is a full-scale square wave, so a full-scale sine reads about -3 dB.
inline constexpr float silence_floor_dbfs = -100.0F;

struct level_meter_config {
    duration attack = std::chrono::milliseconds(10);      // time constant while the level rises
    duration release = std::chrono::milliseconds(250);    // ... while it falls
    float speaking_on_dbfs = -40.0F;                      // smoothed level at which speaking starts
    float speaking_off_dbfs = -48.0F;                     // it must fall below this (hysteresis) ...
    duration hang_time = std::chrono::milliseconds(300);  // ... for this long to stop
};

struct level_reading {
    float rms_dbfs = silence_floor_dbfs;   // of this frame, unsmoothed
    float peak_dbfs = silence_floor_dbfs;  // of this frame
    float smoothed_dbfs = silence_floor_dbfs;
    bool speaking = false;
};

class level_meter {
public:
    // Throws std::invalid_argument if speaking_off_dbfs > speaking_on_dbfs or a time is negative.
    explicit level_meter(const level_meter_config& config = {}, int rate_hz = 48'000);

    // Any frame length; the smoothing uses the frame's duration.
    level_reading update(std::span<const std::int16_t> pcm) noexcept;

    [[nodiscard]] const level_reading& last() const noexcept { return last_; }
    [[nodiscard]] bool speaking() const noexcept { return last_.speaking; }

private:
    level_meter_config config_;
    int sample_rate_hz_;
    level_reading last_;
    duration below_off_for_{};
};

// The levels of a frame without smoothing, for tests and tools.
[[nodiscard]] float rms_dbfs(std::span<const std::int16_t> pcm) noexcept;
[[nodiscard]] float peak_dbfs(std::span<const std::int16_t> pcm) noexcept;

}  // namespace stoa::audio
