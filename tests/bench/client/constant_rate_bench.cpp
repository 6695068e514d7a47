// What constant-rate mode (closed rooms, docs/security.md 12.7) costs a speaker: CPU per 20 ms
// frame (encode, pad, encrypt, sign) and uplink bytes, against the default (variable bitrate,
// silence skipped), on the same speech pattern: 1 s of a voiced tone, 1 s of silence, repeated.
// Counters: uplink_kbps (media and signatures, as the relay receives them), sent_pct (frames
// that went out), media_sizes (distinct ciphertext sizes after the SFrame header).
#include <benchmark/benchmark.h>

#include <array>
#include <chrono>
#include <memory>
#include <set>
#include <vector>

#include "stoa/audio/tone.hpp"
#include "stoa/client/client_session.hpp"
#include "stoa/e2ee/sframe.hpp"
#include "stoa/loopback/loopback_network.hpp"
#include "stoa/proto/binary.hpp"
#include "test_random.hpp"

using namespace stoa;
using namespace std::chrono_literals;

namespace {

constexpr int pattern_frames = 100;  // 50 frames of tone, 50 of silence

void BM_speaker_frame(benchmark::State& state) {
    const bool constant = state.range(0) == 1;
    test::seeded_random random(3);
    loopback::loopback_network network(relay::relay_config{}, random);
    client::client_config config;
    config.constant_rate = constant ? client::client_config::constant_rate_mode::always
                                    : client::client_config::constant_rate_mode::never;
    client::client_session host(e2ee::identity::generate(random), config, random);
    time_point now = from_micros(1'000'000);
    network.connect(host, now);
    host.create_room(room::room_kind::open, false, std::string("Bench"));
    network.run(now);
    room_id room{};
    for (const auto& e : host.take_events()) {
        if (const auto* created = std::get_if<client::event::room_created>(&e)) room = created->room;
    }
    host.join_room(room, std::nullopt, {"Host", ""});
    network.run(now);
    host.act(room::action::set_self_muted{false});
    for (int i = 0; i < 50; ++i) {
        now += 20ms;
        network.tick(now);
    }
    if (!host.current_epoch()) {
        state.SkipWithError("the host never got keys");
        return;
    }
    std::vector<audio::pcm_frame> pattern(pattern_frames);
    audio::sine_generator voice(180.0, 0.3);
    for (int i = 0; i < pattern_frames / 2; ++i) voice.fill(pattern[static_cast<std::size_t>(i)]);
    (void)host.take_outbound();

    std::size_t frames = 0, sent = 0, bytes = 0;
    std::set<std::size_t> sizes;
    for (auto _ : state) {
        const auto& pcm = pattern[frames % pattern_frames];
        benchmark::DoNotOptimize(host.send_audio(pcm, now));
        now += 20ms;
        host.tick(now);
        for (const auto& out : host.take_outbound()) {
            if (!out.binary) continue;
            bytes += out.data.size();
            if (!out.media) continue;
            ++sent;
            const byte_view frame(reinterpret_cast<const std::uint8_t*>(out.data.data()) + proto::binary_header_size,
                                  out.data.size() - proto::binary_header_size);
            if (const auto header = e2ee::parse_header(frame)) sizes.insert(frame.size() - header->size);
        }
        ++frames;
    }
    const double seconds = static_cast<double>(frames) * 0.020;
    state.counters["uplink_kbps"] = static_cast<double>(bytes) * 8.0 / seconds / 1000.0;
    state.counters["sent_pct"] = 100.0 * static_cast<double>(sent) / static_cast<double>(frames);
    state.counters["media_sizes"] = static_cast<double>(sizes.size());
}
BENCHMARK(BM_speaker_frame)->ArgName("constant")->Arg(0)->Arg(1)->Iterations(5000);

}  // namespace

BENCHMARK_MAIN();
