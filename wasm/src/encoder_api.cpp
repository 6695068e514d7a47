// The browser's Opus encoder, a WebAssembly module of its own (stoa-encoder.wasm) that a member
// loads only when unmuting, so a listener never downloads libopus's encoder. One 20 ms frame in,
// one packet out, for the core module's stoa_send_opus (wasm/src/stoa_api.cpp), which encrypts it.
// The module is standalone (no JavaScript glue): wasm/js/stoa-session.js (StoaEncoder) loads it.
#ifdef __EMSCRIPTEN__
#include <emscripten/emscripten.h>
#else
#define EMSCRIPTEN_KEEPALIVE  // native builds of this file: the boundary's own tests under ASan
#endif

#include <algorithm>
#include <array>
#include <cstdint>
#include <new>
#include <span>
#include <utility>

#include "stoa/audio/format.hpp"
#include "stoa/audio/opus_encoder.hpp"

namespace {

using namespace stoa;

// Never renumber: wasm/js/stoa-session.js mirrors these. audio_error codes (400 ...) come back negated.
enum stoa_encoder_status : int {
    stoa_encoder_bad_argument = -1,  // null handle, a size limit out of range
};

}  // namespace

struct stoa_encoder {
    explicit stoa_encoder(audio::opus_encoder created) : encoder(std::move(created)) {}

    audio::opus_encoder encoder;
    std::array<std::int16_t, audio::frame_samples> pcm{};  // the caller writes the next frame here
    std::array<std::uint8_t, audio::max_packet_bytes> packet{};
};

extern "C" {

// An encoder for the session's current mode, as client_session's own would be (media_sender.cpp):
// `constant_rate` 1 is CBR (closed rooms; the core pads every packet to one size), 0 is VBR with DTX.
// Null when the bitrate is out of range or memory is short.
EMSCRIPTEN_KEEPALIVE stoa_encoder* stoa_encoder_create(std::int32_t bitrate_bps, int constant_rate) {
    audio::encoder_config config;
    config.vbr = constant_rate == 0;
    auto created = audio::opus_encoder::create(config);
    if (!created.ok() || !created->set_bitrate(bitrate_bps).ok()) return nullptr;
    return new (std::nothrow) stoa_encoder(std::move(created).value());
}

EMSCRIPTEN_KEEPALIVE void stoa_encoder_destroy(stoa_encoder* handle) { delete handle; }

// Where the caller writes the next frame: frame_samples 48 kHz mono samples.
EMSCRIPTEN_KEEPALIVE std::int16_t* stoa_encoder_pcm(stoa_encoder* handle) {
    return handle != nullptr ? handle->pcm.data() : nullptr;
}

// The last packet stoa_encoder_encode made.
EMSCRIPTEN_KEEPALIVE const std::uint8_t* stoa_encoder_packet(stoa_encoder* handle) {
    return handle != nullptr ? handle->packet.data() : nullptr;
}

EMSCRIPTEN_KEEPALIVE int stoa_encoder_frame_samples() { return static_cast<int>(audio::frame_samples); }

// Encodes the frame at stoa_encoder_pcm into at most `max_bytes` (the core's limit for its current
// mode, stoa_max_opus_packet): the packet's size, or stoa_encoder_bad_argument, or the negated
// audio_error. A packet of at most audio::max_dtx_packet_bytes in VBR mode is silence (the core
// skips it).
EMSCRIPTEN_KEEPALIVE int stoa_encoder_encode(stoa_encoder* handle, int max_bytes) {
    if (handle == nullptr || max_bytes <= 0) return stoa_encoder_bad_argument;
    const auto limit = std::min(static_cast<std::size_t>(max_bytes), handle->packet.size());
    const auto encoded = handle->encoder.encode(handle->pcm, std::span(handle->packet).first(limit));
    if (!encoded.ok()) return -static_cast<int>(encoded.error());
    return static_cast<int>(encoded.value());
}

}  // extern "C"
