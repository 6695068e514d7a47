// libopus decoder calls guarded by our own packet checks, so no packet can make libopus
// write more than one 20 ms frame.
#include "stoa/audio/opus_decoder.hpp"

#include <opus.h>

#include "stoa/audio/format.hpp"
#include "stoa/audio/opus_packet.hpp"

namespace stoa::audio {

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
    const int decoded = opus_decode(state_.get(), packet.data(), static_cast<opus_int32>(packet.size()), out.data(),
                                    static_cast<int>(frame_samples), fec ? 1 : 0);
    if (decoded < 0) return fail(from_opus_error(decoded));
    if (static_cast<std::size_t>(decoded) != frame_samples) return fail(audio_error::wrong_packet_duration);
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
    const int decoded = opus_decode(state_.get(), nullptr, 0, out.data(), static_cast<int>(frame_samples), 0);
    if (decoded < 0) return fail(from_opus_error(decoded));
    return static_cast<std::size_t>(decoded);
}

void opus_decoder::reset() noexcept {
    opus_decoder_ctl(state_.get(), OPUS_RESET_STATE);
}

}  // namespace stoa::audio
