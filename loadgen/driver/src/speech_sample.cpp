#include "stoa/loadgen/driver/speech_sample.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iterator>
#include <numbers>

#include "stoa/audio/opus_encoder.hpp"

namespace stoa::loadgen {
namespace {

// A two-pole resonator (a formant).
class resonator {
public:
    resonator(double centre_hz, double bandwidth_hz, double rate) {
        const double r = std::exp(-std::numbers::pi * bandwidth_hz / rate);
        a1_ = 2.0 * r * std::cos(2.0 * std::numbers::pi * centre_hz / rate);
        a2_ = -r * r;
        gain_ = 1.0 - r;
    }
    double step(double x) noexcept {
        const double y = gain_ * x + a1_ * y1_ + a2_ * y2_;
        y2_ = y1_;
        y1_ = y;
        return y;
    }

private:
    double a1_ = 0, a2_ = 0, gain_ = 0, y1_ = 0, y2_ = 0;
};

}  // namespace

std::vector<std::int16_t> synthesize_voice(double seconds) {
    const double rate = audio::sample_rate_hz;
    const std::size_t frames = std::max<std::size_t>(1, static_cast<std::size_t>(seconds * 50.0));
    std::vector<std::int16_t> pcm(frames * audio::frame_samples);
    resonator f1(600, 90, rate), f2(1'300, 110, rate), f3(2'600, 160, rate);
    double phase = 0.0;
    std::uint32_t noise = 12345;
    for (std::size_t i = 0; i < pcm.size(); ++i) {
        const double t = static_cast<double>(i) / rate;
        // Pitch glides between about 100 and 160 Hz; syllables at about 4 a second, with a short
        // breath every 2.5 s so the encoder sees real silence (DTX) as in speech.
        const double pitch = 130.0 + 30.0 * std::sin(2.0 * std::numbers::pi * 0.7 * t);
        phase += pitch / rate;
        const double pulse = phase >= 1.0 ? 1.0 : 0.0;
        if (phase >= 1.0) phase -= 1.0;
        noise = noise * 1'664'525U + 1'013'904'223U;
        const double breath = (static_cast<double>(noise >> 8U) / 16'777'216.0 - 0.5) * 0.02;
        const double syllable = std::max(0.0, std::sin(2.0 * std::numbers::pi * 4.1 * t));
        const double in_phrase = std::fmod(t, 2.5) < 2.1 ? 1.0 : 0.0;
        const double source = (pulse + breath) * syllable * in_phrase;
        const double voiced = f1.step(source) * 1.0 + f2.step(source) * 0.6 + f3.step(source) * 0.3;
        pcm[i] = static_cast<std::int16_t>(std::clamp(voiced * 60'000.0, -32'000.0, 32'000.0));
    }
    return pcm;
}

result<std::vector<std::int16_t>, std::string> read_pcm_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return fail(std::string("cannot open speech sample ") + path);
    std::vector<char> raw((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const std::size_t frames = raw.size() / (2 * audio::frame_samples);
    if (frames == 0) return fail(path + ": shorter than one 20 ms frame of 48 kHz s16le PCM");
    std::vector<std::int16_t> pcm(frames * audio::frame_samples);
    for (std::size_t i = 0; i < pcm.size(); ++i) {
        const auto lo = static_cast<std::uint8_t>(raw[2 * i]);
        const auto hi = static_cast<std::uint8_t>(raw[2 * i + 1]);
        pcm[i] = static_cast<std::int16_t>(static_cast<std::uint16_t>(lo | (hi << 8U)));
    }
    return pcm;
}

result<speech_sample, std::string> encode_speech(std::vector<std::int16_t> pcm) {
    speech_sample sample;
    sample.pcm = std::move(pcm);
    sample.pcm.resize(sample.frame_count() * audio::frame_samples);
    if (sample.pcm.empty()) return fail(std::string("the speech sample has no whole 20 ms frame"));
    auto encoder = audio::opus_encoder::create();
    if (!encoder.ok()) return fail(std::string("cannot create an Opus encoder"));
    for (std::size_t frame = 0; frame < sample.frame_count(); ++frame) {
        const std::span<const std::int16_t> samples(sample.pcm.data() + frame * audio::frame_samples,
                                                    audio::frame_samples);
        auto packet = encoder->encode(samples);
        if (!packet.ok()) return fail(std::string("Opus refused frame ") + std::to_string(frame));
        if (packet->size() > audio::max_dtx_packet_bytes) sample.packets.push_back(std::move(packet).value());
    }
    if (sample.packets.empty()) return fail(std::string("the speech sample is all silence"));
    return sample;
}

}  // namespace stoa::loadgen
