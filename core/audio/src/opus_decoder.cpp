// libopus decoder calls guarded by our own packet checks, so no packet can make libopus
// write more than one 20 ms frame.
#include "stoa/audio/opus_decoder.hpp"

#include <opus.h>

#include <array>
#include <cmath>

#include "stoa/audio/format.hpp"
#include "stoa/audio/opus_packet.hpp"

namespace stoa::audio {

namespace {

// libopus's own float -> int16 step of opus_decode (FLOAT2INT16 in celt/float_cast.h: scale,
// clamp, round to nearest even), written as a loop the compiler vectorises (WebAssembly SIMD
// f32x4.nearest and i32x4.trunc_sat_f32x4_s); libopus's loop rounds one sample at a time.
void float_to_int16(std::span<const float> in, std::span<std::int16_t> out) noexcept {
    for (std::size_t i = 0; i < in.size(); ++i) {
        float x = in[i] * 32768.0F;
        x = x > -32768.0F ? x : -32768.0F;
        x = x < 32767.0F ? x : 32767.0F;
        out[i] = static_cast<std::int16_t>(static_cast<std::int32_t>(std::rint(x)));
    }
}

// opus_decode's soft clipping (opus_pcm_soft_clip, on the normal decode path only), with its
// state kept here. It changes nothing, and its state stays 0, when the state is 0 and no sample
// lies beyond +-1: that is checked first, by a loop the compiler vectorises.
void soft_clip(std::span<float> pcm, float& memory) noexcept {
    bool beyond = false;
    for (const float x : pcm) beyond |= (x > 1.0F) | (x < -1.0F);
    if (beyond || memory != 0.0F) opus_pcm_soft_clip(pcm.data(), static_cast<int>(pcm.size()), channel_count, &memory);
}

}  // namespace

void opus_decoder::deleter::operator()(OpusDecoder* decoder) const noexcept {
    opus_decoder_destroy(decoder);
}

result<opus_decoder, audio_error> opus_decoder::create() {
    int error = OPUS_OK;
    std::unique_ptr<OpusDecoder, deleter> state(opus_decoder_create(sample_rate_hz, channel_count, &error));
    if (error != OPUS_OK || !state) return fail(from_opus_error(error == OPUS_OK ? OPUS_ALLOC_FAIL : error));
    return opus_decoder(std::move(state));
}

result<std::size_t, audio_error> opus_decoder::run(byte_view packet, std::span<std::int16_t> out, bool fec) noexcept {
    if (out.size() < frame_samples) return fail(audio_error::buffer_too_small);
    auto info = inspect_packet(packet);
    if (!info) return fail(info.error());
    // Stoa senders always send 20 ms; anything else would desynchronise playout, and a
    // longer packet would not fit `out`.
    if (info->total_samples != frame_samples) return fail(audio_error::wrong_packet_duration);
    // opus_decode_float, then opus_decode's own int16 steps here: the same samples as
    // opus_decode, faster in WebAssembly (docs/performance.md, decrypt+decode).
    std::array<float, frame_samples> pcm;
    const int decoded = opus_decode_float(state_.get(), packet.data(), static_cast<opus_int32>(packet.size()),
                                          pcm.data(), static_cast<int>(frame_samples), fec ? 1 : 0);
    if (decoded < 0) return fail(from_opus_error(decoded));
    if (static_cast<std::size_t>(decoded) != frame_samples) return fail(audio_error::wrong_packet_duration);
    if (!fec) soft_clip(pcm, softclip_memory_);  // libopus clips neither FEC nor concealed frames
    float_to_int16(pcm, out);
    return frame_samples;
}

result<std::size_t, audio_error> opus_decoder::decode(byte_view packet, std::span<std::int16_t> out) noexcept {
    return run(packet, out, false);
}

result<std::size_t, audio_error> opus_decoder::decode_fec(byte_view next_packet, std::span<std::int16_t> out) noexcept {
    return run(next_packet, out, true);
}

result<std::size_t, audio_error> opus_decoder::conceal(std::span<std::int16_t> out) noexcept {
    if (out.size() < frame_samples) return fail(audio_error::buffer_too_small);
    std::array<float, frame_samples> pcm;
    const int decoded = opus_decode_float(state_.get(), nullptr, 0, pcm.data(), static_cast<int>(frame_samples), 0);
    if (decoded < 0) return fail(from_opus_error(decoded));
    float_to_int16(std::span<const float>(pcm).first(static_cast<std::size_t>(decoded)), out);
    return static_cast<std::size_t>(decoded);
}

void opus_decoder::reset() noexcept {
    opus_decoder_ctl(state_.get(), OPUS_RESET_STATE);
    softclip_memory_ = 0.0F;
}

}  // namespace stoa::audio
