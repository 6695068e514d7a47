// Float accumulation and soft clipping for the mixer.
#include "stoa/audio/mixer.hpp"

#include <algorithm>
#include <cmath>

namespace stoa::audio {
namespace {

constexpr float int16_scale = 32768.0F;

float sanitize_gain(float gain) noexcept {
    return std::isfinite(gain) && gain > 0.0F ? gain : 0.0F;
}

}  // namespace

float soft_clip(float sample) noexcept {
    if (!std::isfinite(sample)) return 0.0F;
    const float magnitude = std::fabs(sample);
    if (magnitude <= mixer::knee) return sample;
    constexpr float headroom = 1.0F - mixer::knee;
    const float bent = mixer::knee + headroom * std::tanh((magnitude - mixer::knee) / headroom);
    return std::copysign(bent, sample);
}

void mixer::clear() noexcept {
    sum_.fill(0.0F);
    sources_ = 0;
}

void mixer::add(std::span<const std::int16_t, frame_samples> pcm, float gain) noexcept {
    const float scale = sanitize_gain(gain) / int16_scale;
    for (std::size_t i = 0; i < frame_samples; ++i) sum_[i] += static_cast<float>(pcm[i]) * scale;
    ++sources_;
}

void mixer::add(std::span<const float, frame_samples> pcm, float gain) noexcept {
    const float g = sanitize_gain(gain);
    for (std::size_t i = 0; i < frame_samples; ++i) {
        const float x = pcm[i];
        sum_[i] += std::isfinite(x) ? x * g : 0.0F;
    }
    ++sources_;
}

void mixer::output(std::span<std::int16_t, frame_samples> out) const noexcept {
    for (std::size_t i = 0; i < frame_samples; ++i) {
        // soft_clip keeps |y| <= 1, so only +1.0 can map past int16, hence the clamp.
        const long y = std::lrint(soft_clip(sum_[i]) * int16_scale);
        out[i] = static_cast<std::int16_t>(std::clamp(y, -32768L, 32767L));
    }
}

void mixer::output(std::span<float, frame_samples> out) const noexcept {
    for (std::size_t i = 0; i < frame_samples; ++i) out[i] = soft_clip(sum_[i]);
}

}  // namespace stoa::audio
