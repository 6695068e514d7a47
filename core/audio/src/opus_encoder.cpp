// libopus encoder setup (VOIP, FEC, DTX) and the per-frame encode call.
#include "stoa/audio/opus_encoder.hpp"

#include <opus.h>

#include "stoa/audio/format.hpp"

namespace stoa::audio {
namespace {

constexpr std::int32_t min_bitrate_bps = 6'000;
constexpr std::int32_t max_bitrate_bps = 510'000;

bool valid_bitrate(std::int32_t v) noexcept {
    return v >= min_bitrate_bps && v <= max_bitrate_bps;
}
bool valid_loss(std::int32_t v) noexcept {
    return v >= 0 && v <= 100;
}
bool valid_complexity(std::int32_t v) noexcept {
    return v >= 0 && v <= 10;
}

}  // namespace

bool is_valid(const encoder_config& config) noexcept {
    return valid_bitrate(config.bitrate_bps) && valid_loss(config.expected_loss_percent) &&
           valid_complexity(config.complexity);
}

void opus_encoder::deleter::operator()(OpusEncoder* encoder) const noexcept {
    opus_encoder_destroy(encoder);
}

result<opus_encoder, audio_error> opus_encoder::create(const encoder_config& config) {
    if (!is_valid(config)) return fail(audio_error::invalid_argument);
    int error = OPUS_OK;
    std::unique_ptr<OpusEncoder, deleter> state(
        opus_encoder_create(sample_rate_hz, channel_count, OPUS_APPLICATION_VOIP, &error));
    if (error != OPUS_OK || !state) return fail(from_opus_error(error == OPUS_OK ? OPUS_ALLOC_FAIL : error));
    // The ctl calls below take values we validated, so a failure is libopus misbehaving.
    const int settings[] = {
        opus_encoder_ctl(state.get(), OPUS_SET_BITRATE(config.bitrate_bps)),
        opus_encoder_ctl(state.get(), OPUS_SET_INBAND_FEC(config.inband_fec ? 1 : 0)),
        opus_encoder_ctl(state.get(), OPUS_SET_PACKET_LOSS_PERC(config.expected_loss_percent)),
        opus_encoder_ctl(state.get(), OPUS_SET_DTX(config.dtx ? 1 : 0)),
        opus_encoder_ctl(state.get(), OPUS_SET_VBR(config.vbr ? 1 : 0)),
        opus_encoder_ctl(state.get(), OPUS_SET_COMPLEXITY(config.complexity)),
        opus_encoder_ctl(state.get(), OPUS_SET_SIGNAL(OPUS_SIGNAL_VOICE)),
    };
    for (int code : settings) {
        if (code != OPUS_OK) return fail(from_opus_error(code));
    }
    return opus_encoder(std::move(state), config);
}

result<std::size_t, audio_error> opus_encoder::encode(std::span<const std::int16_t> pcm,
                                                      std::span<std::uint8_t> out) noexcept {
    if (pcm.size() != frame_samples) return fail(audio_error::wrong_frame_size);
    if (out.empty()) return fail(audio_error::buffer_too_small);
    const auto capacity = static_cast<opus_int32>(out.size() < max_packet_bytes ? out.size() : max_packet_bytes);
    const opus_int32 written =
        opus_encode(state_.get(), pcm.data(), static_cast<int>(frame_samples), out.data(), capacity);
    if (written < 0) return fail(from_opus_error(written));
    return static_cast<std::size_t>(written);
}

result<bytes, audio_error> opus_encoder::encode(std::span<const std::int16_t> pcm) {
    bytes packet(max_packet_bytes);
    auto size = encode(pcm, packet);
    if (!size) return fail(size.error());
    packet.resize(*size);
    return packet;
}

status<audio_error> opus_encoder::set_bitrate(std::int32_t bitrate_bps) noexcept {
    if (!valid_bitrate(bitrate_bps)) return fail(audio_error::invalid_argument);
    const int code = opus_encoder_ctl(state_.get(), OPUS_SET_BITRATE(bitrate_bps));
    if (code != OPUS_OK) return fail(from_opus_error(code));
    config_.bitrate_bps = bitrate_bps;
    return {};
}

status<audio_error> opus_encoder::set_expected_loss(std::int32_t percent) noexcept {
    if (!valid_loss(percent)) return fail(audio_error::invalid_argument);
    const int code = opus_encoder_ctl(state_.get(), OPUS_SET_PACKET_LOSS_PERC(percent));
    if (code != OPUS_OK) return fail(from_opus_error(code));
    config_.expected_loss_percent = percent;
    return {};
}

status<audio_error> opus_encoder::set_complexity(std::int32_t complexity) noexcept {
    if (!valid_complexity(complexity)) return fail(audio_error::invalid_argument);
    const int code = opus_encoder_ctl(state_.get(), OPUS_SET_COMPLEXITY(complexity));
    if (code != OPUS_OK) return fail(from_opus_error(code));
    config_.complexity = complexity;
    return {};
}

std::int32_t opus_encoder::lookahead_samples() const noexcept {
    opus_int32 lookahead = 0;
    if (opus_encoder_ctl(state_.get(), OPUS_GET_LOOKAHEAD(&lookahead)) != OPUS_OK) return 0;
    return lookahead;
}

bool opus_encoder::in_dtx() const noexcept {
    opus_int32 in_dtx = 0;
    if (opus_encoder_ctl(state_.get(), OPUS_GET_IN_DTX(&in_dtx)) != OPUS_OK) return false;
    return in_dtx != 0;
}

}  // namespace stoa::audio
