// What simulated speakers say: a speech sample encoded with Opus once at start-up (replayed by
// most speakers, so thousands of them cost no encoder time), and its PCM for the few that
// encode live. The sample is a 48 kHz mono s16le file (--pcm) or, without one, a synthetic
// voice: a glottal pulse train with a moving pitch through three formant resonators, in
// syllable-rate bursts, so packet sizes and DTX behave like speech rather than a tone.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "stoa/audio/format.hpp"
#include "stoa/common/bytes.hpp"
#include "stoa/common/result.hpp"

namespace stoa::loadgen {

struct speech_sample {
    std::vector<std::int16_t> pcm;  // a whole number of 20 ms frames
    std::vector<bytes> packets;     // one Opus packet per frame that is not DTX silence
    [[nodiscard]] std::size_t frame_count() const noexcept { return pcm.size() / audio::frame_samples; }
};

// Seconds of synthetic voice, deterministic.
[[nodiscard]] std::vector<std::int16_t> synthesize_voice(double seconds);
// Reads raw PCM (at least one frame); the tail short of a frame is dropped. Errors name the file.
[[nodiscard]] result<std::vector<std::int16_t>, std::string> read_pcm_file(const std::string& path);
// Encodes every frame at 32 kbit/s (Stoa's voice settings); DTX frames are left out of `packets`.
[[nodiscard]] result<speech_sample, std::string> encode_speech(std::vector<std::int16_t> pcm);

}  // namespace stoa::loadgen
