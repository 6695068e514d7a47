// Per-frame costs of the audio path: Opus encode/decode/FEC/PLC at 32 kb/s, jitter buffer
// push+pop, mixing, level metering. Run: build/h-audio/tests/bench/audio/stoa_bench_audio
#include <benchmark/benchmark.h>

#include <cmath>
#include <numbers>
#include <vector>

#include "stoa/audio/jitter_buffer.hpp"
#include "stoa/audio/level_meter.hpp"
#include "stoa/audio/mixer.hpp"
#include "stoa/audio/opus_decoder.hpp"
#include "stoa/audio/opus_encoder.hpp"
#include "stoa/audio/tone.hpp"

using namespace stoa::audio;

namespace {

// One second of a speech-like signal (harmonics of a 140 Hz voice under a syllable envelope).
std::vector<pcm_frame> speech_frames(std::size_t count) {
    std::vector<pcm_frame> frames(count);
    double phase = 0.0;
    std::size_t n = 0;
    for (auto& frame : frames) {
        for (auto& sample : frame) {
            const double t = static_cast<double>(n++) / sample_rate_hz;
            phase += 2.0 * std::numbers::pi * 140.0 / sample_rate_hz;
            double v = 0.0;
            for (int h = 1; h <= 10; ++h) v += std::sin(h * phase) / h;
            const double envelope = 0.55 + 0.45 * std::sin(2.0 * std::numbers::pi * 3.5 * t);
            sample = static_cast<std::int16_t>(std::lround(0.25 * envelope * v * 32767.0));
        }
    }
    return frames;
}

std::vector<stoa::bytes> encoded_speech(std::size_t count) {
    auto encoder = opus_encoder::create({.expected_loss_percent = 10});
    std::vector<stoa::bytes> packets;
    for (const auto& frame : speech_frames(count)) packets.push_back(*encoder->encode(frame));
    return packets;
}

// Argument: encoder complexity (Stoa's default is 9).
void opus_encode_20ms(benchmark::State& state) {
    auto encoder = opus_encoder::create(
        {.bitrate_bps = 32'000, .expected_loss_percent = 10, .complexity = static_cast<std::int32_t>(state.range(0))});
    const auto frames = speech_frames(50);
    std::array<std::uint8_t, max_packet_bytes> out{};
    std::size_t i = 0;
    std::size_t bytes_out = 0;
    for (auto _ : state) {
        auto size = encoder->encode(frames[i++ % frames.size()], out);
        bytes_out += *size;
        benchmark::DoNotOptimize(out.data());
    }
    state.counters["bytes_per_packet"] = static_cast<double>(bytes_out) / static_cast<double>(state.iterations());
}
BENCHMARK(opus_encode_20ms)->Arg(9)->Arg(5)->Arg(1);

void opus_decode_20ms(benchmark::State& state) {
    auto decoder = opus_decoder::create();
    const auto packets = encoded_speech(50);
    pcm_frame out{};
    std::size_t i = 0;
    for (auto _ : state) {
        auto n = decoder->decode(packets[i++ % packets.size()], out);
        benchmark::DoNotOptimize(n);
        benchmark::DoNotOptimize(out.data());
    }
}
BENCHMARK(opus_decode_20ms);

void opus_decode_fec_20ms(benchmark::State& state) {
    auto decoder = opus_decoder::create();
    const auto packets = encoded_speech(50);
    pcm_frame out{};
    std::size_t i = 0;
    for (auto _ : state) {
        auto n = decoder->decode_fec(packets[i++ % packets.size()], out);
        benchmark::DoNotOptimize(n);
        benchmark::DoNotOptimize(out.data());
    }
}
BENCHMARK(opus_decode_fec_20ms);

void opus_conceal_20ms(benchmark::State& state) {
    auto decoder = opus_decoder::create();
    const auto packets = encoded_speech(50);
    pcm_frame out{};
    std::size_t i = 0;
    for (auto _ : state) {
        // Alternate real frames and concealment so PLC always extrapolates from speech; the
        // figure is the pair, minus opus_decode_20ms for the PLC alone.
        (void)decoder->decode(packets[i++ % packets.size()], out);
        auto n = decoder->conceal(out);
        benchmark::DoNotOptimize(n);
        benchmark::DoNotOptimize(out.data());
    }
}
BENCHMARK(opus_conceal_20ms);

void jitter_buffer_push_pop(benchmark::State& state) {
    jitter_buffer buffer;
    const auto packets = encoded_speech(50);
    std::uint32_t seq = 0;
    std::int64_t now_us = 0;
    for (auto _ : state) {
        // Arrival jitter of up to 15 ms, deterministic.
        const std::int64_t jitter_us = (seq * 7'919) % 15'000;
        buffer.push(frame_seq(seq), packets[seq % packets.size()], stoa::from_micros(now_us + jitter_us));
        auto decision = buffer.pop(stoa::from_micros(now_us + 20'000));
        benchmark::DoNotOptimize(decision);
        ++seq;
        now_us += 20'000;
    }
}
BENCHMARK(jitter_buffer_push_pop);

void mix_sources(benchmark::State& state) {
    const auto frames = speech_frames(static_cast<std::size_t>(state.range(0)));
    mixer m;
    pcm_frame out{};
    for (auto _ : state) {
        m.clear();
        for (const auto& f : frames) m.add(f, 0.8F);
        m.output(out);
        benchmark::DoNotOptimize(out.data());
    }
}
BENCHMARK(mix_sources)->Arg(3)->Arg(10);

void level_meter_20ms(benchmark::State& state) {
    const auto frames = speech_frames(50);
    level_meter meter;
    std::size_t i = 0;
    for (auto _ : state) {
        auto reading = meter.update(frames[i++ % frames.size()]);
        benchmark::DoNotOptimize(reading);
    }
}
BENCHMARK(level_meter_20ms);

}  // namespace

BENCHMARK_MAIN();
