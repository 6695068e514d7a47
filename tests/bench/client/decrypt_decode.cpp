// Decrypt + decode of one 20 ms frame: what every listener does 50 times a second per speaker.
// Self-timed (no Google Benchmark in WebAssembly) so native, Node and Chromium run the same code;
// prints one JSON line. Usage: stoa_bench_decrypt_decode [rounds [batch_frames]]
//
// Every round replays the same 500 sealed frames (10 s of speech-like audio) through a fresh
// decryptor and decoder, timing each batch of `batch_frames` consecutive frames (decrypt, then
// decode). The work of a batch is the same in every round, so its fastest round is its cost with
// the fewest interruptions: on a shared machine the median of whole rounds swung by 2x, the sum of
// the batches' minima did not. Both are printed (per frame, in microseconds):
//   decrypt_us, decode_us, decrypt_decode_us   sum over batches of each batch's fastest round
//   median_decrypt_decode_us                   median over rounds of the whole round
// A batch must stay well above the clock's resolution: Chromium coarsens performance.now() to
// 5 us in a cross-origin-isolated page (100 us otherwise); 10 frames take about 300 us.
#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
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

double micros(bench_clock::duration d) { return std::chrono::duration<double, std::micro>(d).count(); }

}  // namespace

int main(int argc, char** argv) {
    const int rounds = argc > 1 ? std::max(1, std::atoi(argv[1])) : 15;
    const std::size_t batch = argc > 2 ? static_cast<std::size_t>(std::clamp(std::atoi(argv[2]), 1, static_cast<int>(frame_count))) : 10;
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

    const std::size_t batches = (sealed.size() + batch - 1) / batch;
    constexpr double infinity = std::numeric_limits<double>::infinity();
    // Per batch, its fastest round: decrypt, decode, and the two together.
    std::vector<double> best_decrypt(batches, infinity), best_decode(batches, infinity), best_both(batches, infinity);
    std::vector<double> round_decrypt, round_decode, round_both;  // per frame, per round
    std::array<std::int16_t, audio::frame_samples> pcm{};
    bytes plain(2048);
    std::vector<bytes> opened(batch);
    std::int64_t checksum = 0;
    for (int round = 0; round < rounds; ++round) {
        // Fresh receiver state each round: replay windows and the decoder start over.
        auto decryptor = std::make_unique<e2ee::frame_decryptor>();
        auto decoder = audio::opus_decoder::create();
        if (!decoder) throw std::runtime_error("opus decoder");
        double total_decrypt = 0, total_decode = 0;
        for (std::size_t b = 0; b < batches; ++b) {
            const std::size_t first = b * batch, last = std::min(sealed.size(), first + batch);
            const auto t0 = bench_clock::now();
            for (std::size_t i = first; i < last; ++i) {
                const auto info = decryptor->unprotect(ring, sender_index(2), sealed[i], plain, at_ms(2));
                if (!info) throw std::runtime_error("unprotect");
                opened[i - first].assign(plain.begin(), plain.begin() + static_cast<std::ptrdiff_t>(info.value().size));
            }
            const auto t1 = bench_clock::now();
            for (std::size_t i = first; i < last; ++i) {
                const auto samples = decoder.value().decode(opened[i - first], pcm);
                if (!samples) throw std::runtime_error("decode");
                checksum += pcm[samples.value() / 2];
            }
            const auto t2 = bench_clock::now();
            const double decrypt = micros(t1 - t0), decode = micros(t2 - t1);
            best_decrypt[b] = std::min(best_decrypt[b], decrypt);
            best_decode[b] = std::min(best_decode[b], decode);
            best_both[b] = std::min(best_both[b], decrypt + decode);
            total_decrypt += decrypt;
            total_decode += decode;
        }
        const double n = static_cast<double>(sealed.size());
        round_decrypt.push_back(total_decrypt / n);
        round_decode.push_back(total_decode / n);
        round_both.push_back((total_decrypt + total_decode) / n);
    }
    double sum_decrypt = 0, sum_decode = 0, sum_both = 0;
    for (std::size_t b = 0; b < batches; ++b) {
        sum_decrypt += best_decrypt[b];
        sum_decode += best_decode[b];
        sum_both += best_both[b];
    }
    const double n = static_cast<double>(sealed.size());
#ifdef __EMSCRIPTEN__
    const char* platform = "wasm";
#else
    const char* platform = "native";
#endif
    std::printf("{\"platform\":\"%s\",\"frames\":%zu,\"rounds\":%d,\"batch_frames\":%zu,\"decrypt_us\":%.3f,"
                "\"decode_us\":%.3f,\"decrypt_decode_us\":%.3f,\"median_decrypt_us\":%.3f,\"median_decode_us\":%.3f,"
                "\"median_decrypt_decode_us\":%.3f,\"checksum\":%lld}\n",
                platform, sealed.size(), rounds, batch, sum_decrypt / n, sum_decode / n, sum_both / n,
                median(round_decrypt), median(round_decode), median(round_both), static_cast<long long>(checksum));
    return 0;
}
