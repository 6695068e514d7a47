// RAII wrapper over libopus's decoder for 48 kHz mono 20 ms frames: decode a packet, recover
// a lost frame from the next packet's FEC, or conceal a lost frame (PLC).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "stoa/audio/errors.hpp"
#include "stoa/common/bytes.hpp"
#include "stoa/common/result.hpp"

struct OpusDecoder;

namespace stoa::audio {

// Every method writes exactly frame_samples into `out` on success and returns that count.
// Packets are untrusted: they are checked (size, frame count, exactly 20 ms) before libopus
// sees them, and a rejected packet leaves the decoder state untouched.
class opus_decoder {
public:
    [[nodiscard]] static result<opus_decoder, audio_error> create();

    [[nodiscard]] result<std::size_t, audio_error> decode(byte_view packet, std::span<std::int16_t> out) noexcept;
    // Reconstructs the frame *before* `next_packet` from the FEC data it carries. When it
    // carries none (CELT mode, FEC off), libopus falls back to concealment.
    [[nodiscard]] result<std::size_t, audio_error> decode_fec(byte_view next_packet,
                                                              std::span<std::int16_t> out) noexcept;
    // Packet loss concealment: extrapolates one frame from the decoder's history.
    [[nodiscard]] result<std::size_t, audio_error> conceal(std::span<std::int16_t> out) noexcept;

    // Forget history, as after a stream restart.
    void reset() noexcept;

private:
    struct deleter {
        void operator()(OpusDecoder* decoder) const noexcept;
    };
    explicit opus_decoder(std::unique_ptr<OpusDecoder, deleter> state) noexcept : state_(std::move(state)) {}

    [[nodiscard]] result<std::size_t, audio_error> run(byte_view packet, std::span<std::int16_t> out,
                                                       bool fec) noexcept;

    std::unique_ptr<OpusDecoder, deleter> state_;
    float softclip_memory_ = 0.0F;  // opus_decode's soft-clipping state, kept here (see run())
};

}  // namespace stoa::audio
