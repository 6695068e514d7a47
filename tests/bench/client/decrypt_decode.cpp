// Decrypt + decode of one 20 ms frame: what every listener does 50 times a second per speaker.
// Self-timed (no Google Benchmark in WebAssembly) so native, Node and Chromium run the same code;
// prints one JSON line. Usage: stoa_bench_decrypt_decode [rounds]
#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <stdexcept>
#include <vector>

#include "stoa/audio/format.hpp"
#include "stoa/audio/opus_decoder.hpp"
#include "stoa/audio/opus_encoder.hpp"
#include "stoa/audio/tone.hpp"
#include "stoa/e2ee/frame_crypto.hpp"
#include "stoa/e2ee/keyring.hpp"

using namespace stoa;

namespace {

constexpr std::size_t frame_count = 500;  // 10 s of audio
using bench_clock = std::chrono::steady_clock;

time_point at_ms(std::int64_t ms) { return from_micros(ms * 1000); }

e2ee::keyring keyed_ring() {
    e2ee::keyring ring(e2ee::keyring_config{room_id{}});
    e2ee::epoch_keys keys;
    keys.epoch = epoch_id(1);
    for (auto& b : keys.epoch_secret.mutable_view()) b = 7;
    if (!ring.install(keys, at_ms(0))) throw std::logic_error("keyring install");
    return ring;
}

// Voice-like input: two drifting partials and a little noise, so Opus does real work.
std::vector<bytes> encoded_speech() {
    auto encoder = audio::opus_encoder::create();
    if (!encoder) throw std::runtime_error("opus encoder");
    audio::sine_generator low(180.0, 0.25), high(1250.0, 0.08);
    std::array<std::int16_t, audio::frame_samples> pcm{}, extra{};
    std::uint32_t noise = 1;
    std::vector<bytes> packets;
    for (std::size_t i = 0; i < frame_count; ++i) {
        low.fill(pcm);
        high.fill(extra);
        for (std::size_t s = 0; s < pcm.size(); ++s) {
            noise = noise * 1664525u + 1013904223u;
            pcm[s] = static_cast<std::int16_t>(pcm[s] + extra[s] + static_cast<std::int16_t>((noise >> 24) - 128));
        }
        auto packet = encoder.value().encode(pcm);
        if (!packet) throw std::runtime_error("opus encode");
        packets.push_back(std::move(packet).value());
    }
    return packets;
}

double median(std::vector<double> values) {
    std::sort(values.begin(), values.end());
    return values[values.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
    const int rounds = argc > 1 ? std::max(1, std::atoi(argv[1])) : 7;
    const e2ee::keyring ring = keyed_ring();
    e2ee::frame_encryptor encryptor(sender_index(2));
    std::vector<bytes> sealed;
    for (const bytes& packet : encoded_speech()) {
        bytes frame(e2ee::frame_encryptor::max_protected_size(packet.size()));
        const auto info = encryptor.protect(ring, packet, frame, at_ms(1));
        if (!info) throw std::runtime_error("protect");
        frame.resize(info.value().size);
        sealed.push_back(std::move(frame));
    }

    std::vector<double> decrypt_us, decode_us, both_us;
    std::array<std::int16_t, audio::frame_samples> pcm{};
    bytes plain(2048);
    std::int64_t checksum = 0;
    for (int round = 0; round < rounds; ++round) {
        // Fresh receiver state each round: replay windows and the decoder start over.
        auto decryptor = std::make_unique<e2ee::frame_decryptor>();
        auto decoder = audio::opus_decoder::create();
        if (!decoder) throw std::runtime_error("opus decoder");
        std::vector<bytes> opened(sealed.size());
        const auto t0 = bench_clock::now();
        for (std::size_t i = 0; i < sealed.size(); ++i) {
            const auto info = decryptor->unprotect(ring, sender_index(2), sealed[i], plain, at_ms(2));
            if (!info) throw std::runtime_error("unprotect");
            opened[i].assign(plain.begin(), plain.begin() + static_cast<std::ptrdiff_t>(info.value().size));
        }
        const auto t1 = bench_clock::now();
        for (const bytes& packet : opened) {
            const auto samples = decoder.value().decode(packet, pcm);
            if (!samples) throw std::runtime_error("decode");
            checksum += pcm[samples.value() / 2];
        }
        const auto t2 = bench_clock::now();
        const double n = static_cast<double>(sealed.size());
        decrypt_us.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count() / n);
        decode_us.push_back(std::chrono::duration<double, std::micro>(t2 - t1).count() / n);
        both_us.push_back(std::chrono::duration<double, std::micro>(t2 - t0).count() / n);
    }
#ifdef __EMSCRIPTEN__
    const char* platform = "wasm";
#else
    const char* platform = "native";
#endif
    std::printf("{\"platform\":\"%s\",\"frames\":%zu,\"rounds\":%d,\"decrypt_us\":%.3f,\"decode_us\":%.3f,"
                "\"decrypt_decode_us\":%.3f,\"checksum\":%lld}\n",
                platform, sealed.size(), rounds, median(decrypt_us), median(decode_us), median(both_us),
                static_cast<long long>(checksum));
    return 0;
}
