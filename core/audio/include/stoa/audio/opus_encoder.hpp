// RAII wrapper over libopus's encoder, configured for Stoa's voice: 48 kHz mono 20 ms VOIP
// frames with in-band FEC and DTX.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "stoa/audio/errors.hpp"
#include "stoa/common/bytes.hpp"
#include "stoa/common/result.hpp"

struct OpusEncoder;  // libopus's opaque state; keeps <opus.h> out of our headers

namespace stoa::audio {

struct encoder_config {
    std::int32_t bitrate_bps = 32'000;        // 6'000 .. 510'000
    std::int32_t expected_loss_percent = 10;  // 0 .. 100; sizes the in-band FEC
    std::int32_t complexity = 9;              // 0 .. 10
    bool inband_fec = true;
    bool dtx = true;
    // Constant bitrate: every packet the same size at a given bitrate, so sizes say nothing about
    // speech (RFC 6562). Closed rooms use it together with padding (client::media_payload).
    bool vbr = true;
};

// Validates every field; shared by create() and the setters.
[[nodiscard]] bool is_valid(const encoder_config& config) noexcept;

class opus_encoder {
public:
    // Values may come from a remote peer or a UI, so a bad one is an error, not a throw.
    [[nodiscard]] static result<opus_encoder, audio_error> create(const encoder_config& config = {});

    // Encodes one 20 ms frame (exactly frame_samples) into `out`, returning the packet size.
    // No allocation. A result for which needs_transmission(size) is false is DTX silence.
    [[nodiscard]] result<std::size_t, audio_error> encode(std::span<const std::int16_t> pcm,
                                                          std::span<std::uint8_t> out) noexcept;
    // Allocating convenience for tests and tools.
    [[nodiscard]] result<bytes, audio_error> encode(std::span<const std::int16_t> pcm);

    [[nodiscard]] status<audio_error> set_bitrate(std::int32_t bitrate_bps) noexcept;
    [[nodiscard]] status<audio_error> set_expected_loss(std::int32_t percent) noexcept;
    [[nodiscard]] status<audio_error> set_complexity(std::int32_t complexity) noexcept;

    [[nodiscard]] const encoder_config& config() const noexcept { return config_; }
    // Samples of algorithmic delay the decoder output lags the input by.
    [[nodiscard]] std::int32_t lookahead_samples() const noexcept;
    // True while the encoder is in DTX (the last frame was judged silent).
    [[nodiscard]] bool in_dtx() const noexcept;

private:
    struct deleter {
        void operator()(OpusEncoder* encoder) const noexcept;
    };
    opus_encoder(std::unique_ptr<OpusEncoder, deleter> state, const encoder_config& config) noexcept
        : state_(std::move(state)), config_(config) {}

    std::unique_ptr<OpusEncoder, deleter> state_;
    encoder_config config_;
};

}  // namespace stoa::audio
