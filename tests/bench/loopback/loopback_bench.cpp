// Whole-path costs of the core as the relay and the load generator use it: a listener's session
// receiving one relayed frame (decrypt + authenticate, with and without Opus decoding), and the
// relay engine fanning one frame out to every member of a room.
#include <benchmark/benchmark.h>

#include <memory>
#include <string>
#include <vector>

#include "stoa/audio/tone.hpp"
#include "stoa/loopback/loopback_network.hpp"
#include "stoa/proto/binary.hpp"
#include "test_random.hpp"

namespace {

using namespace std::chrono_literals;

struct recorded_message {
    stoa::bytes data;
    stoa::time_point at;
};

// A host speaks `frames` frames to two listeners (one decoding, one only decrypting). The relay's
// messages to them are recorded and withheld, so the benchmark can feed them in afterwards.
struct recorded_room {
    stoa::test::seeded_random random{3};
    stoa::loopback::loopback_network network{stoa::relay::relay_config{}, random};
    std::unique_ptr<stoa::client::client_session> host;
    std::unique_ptr<stoa::client::client_session> decoding;
    std::unique_ptr<stoa::client::client_session> decrypting;
    std::vector<recorded_message> to_decoding;
    std::vector<recorded_message> to_decrypting;

    explicit recorded_room(int frames) {
        stoa::time_point now = stoa::from_micros(1'000'000);
        stoa::client::client_config decrypt_only;
        decrypt_only.decode_audio = false;
        host = std::make_unique<stoa::client::client_session>(stoa::e2ee::identity::generate(random), stoa::client::client_config{}, random);
        decoding = std::make_unique<stoa::client::client_session>(stoa::e2ee::identity::generate(random), stoa::client::client_config{}, random);
        decrypting = std::make_unique<stoa::client::client_session>(stoa::e2ee::identity::generate(random), decrypt_only, random);
        (void)network.connect(*host, now);
        host->create_room(stoa::room::room_kind::open, false, "bench");
        network.run(now);
        stoa::room_id room{};
        for (auto& e : host->take_events()) {
            if (auto* created = std::get_if<stoa::client::event::room_created>(&e)) room = created->room;
        }
        host->join_room(room, std::nullopt, {"host", ""});
        network.run(now);
        const auto decoding_connection = network.connect(*decoding, now);
        const auto decrypting_connection = network.connect(*decrypting, now);
        decoding->join_room(room, std::nullopt, {});
        decrypting->join_room(room, std::nullopt, {});
        for (int i = 0; i < 40; ++i) network.tick(now += 20ms);
        host->act(stoa::room::action::set_self_muted{false});
        network.run(now);
        network.deliver_filter = [&](stoa::relay::connection_id c, const stoa::relay::wire_message& m) {
            if (m.kind != stoa::relay::payload_kind::binary) return true;
            auto& into = c == decoding_connection ? to_decoding : to_decrypting;
            into.push_back({stoa::bytes(m.data.begin(), m.data.end()), now});
            return false;
        };
        stoa::audio::sine_generator voice(440.0, 0.25);
        stoa::audio::pcm_frame pcm{};
        for (int i = 0; i < frames; ++i) {
            voice.fill(pcm);
            (void)host->send_audio(pcm, now);
            network.tick(now += 20ms);
        }
    }
};

recorded_room& recording() {
    static recorded_room room(10000);  // enough for three repetitions of 3,000 messages
    return room;
}

void feed(benchmark::State& state, stoa::client::client_session& listener, const std::vector<recorded_message>& messages) {
    std::size_t next = 0;
    stoa::audio::pcm_frame pcm{};
    const bool decodes = &listener == recording().decoding.get();
    for (auto _ : state) {
        if (next == messages.size()) {
            state.SkipWithError("recording exhausted");
            break;
        }
        const auto& m = messages[next++];
        listener.receive_binary(m.data, m.at);
        if (decodes) listener.pull_audio(m.at, pcm);  // decode + mix, once per 20 ms as playout would
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(next));
    state.counters["frames_received"] = static_cast<double>(listener.stats().frames_received);
}

// One relayed message (a media frame, or every tenth a speaker signature) into a listener that
// only decrypts and authenticates: what each simulated listener of stoa-load costs.
void listener_decrypt_only(benchmark::State& state) {
    feed(state, *recording().decrypting, recording().to_decrypting);
}

// The same into a listener that also runs the jitter buffer, Opus decoder and mixer (the browser).
void listener_decrypt_and_decode(benchmark::State& state) {
    feed(state, *recording().decoding, recording().to_decoding);
}

// The relay engine forwarding one media frame to the other members of a room of `members`. The
// loopback transport queues a shared pointer per recipient, as a socket server's queues would.
void relay_fan_out(benchmark::State& state) {
    const auto members = static_cast<int>(state.range(0));
    stoa::test::seeded_random random(5);
    stoa::loopback::loopback_network network(stoa::relay::relay_config{}, random);
    stoa::time_point now = stoa::from_micros(1'000'000);
    std::vector<std::unique_ptr<stoa::client::client_session>> sessions;
    std::vector<stoa::relay::connection_id> connections;
    stoa::client::client_config config;
    config.decode_audio = false;
    config.verify_speakers = false;
    for (int i = 0; i < members; ++i) {
        sessions.push_back(std::make_unique<stoa::client::client_session>(stoa::e2ee::identity::generate(random), config, random));
        connections.push_back(network.connect(*sessions.back(), now));
    }
    sessions[0]->create_room(stoa::room::room_kind::open, false, "bench");
    network.run(now);
    stoa::room_id room{};
    for (auto& e : sessions[0]->take_events()) {
        if (auto* created = std::get_if<stoa::client::event::room_created>(&e)) room = created->room;
    }
    for (auto& s : sessions) s->join_room(room, std::nullopt, {});
    network.run(now);
    sessions[0]->act(stoa::room::action::set_self_muted{false});
    network.run(now);
    network.deliver_filter = [](stoa::relay::connection_id, const stoa::relay::wire_message&) { return false; };

    stoa::bytes frame;
    stoa::proto::encode_media(frame, sessions[0]->index(), stoa::bytes(90, 0x33));
    const auto message = stoa::relay::make_message(std::string(frame.begin(), frame.end()),
                                                   stoa::relay::payload_kind::binary, stoa::relay::traffic_class::media);
    const auto before = network.engine().stats().media_deliveries;
    for (auto _ : state) {
        now += 20ms;  // a speaker's frame rate, so the relay's per-connection media limit holds
        network.engine().on_binary(connections[0], message, now);
        state.PauseTiming();
        network.run(now);  // empties the queues; not part of the relay's cost
        state.ResumeTiming();
    }
    if (network.engine().stats().media_deliveries - before != state.iterations() * (members - 1)) {
        state.SkipWithError("not every member received every frame");
    }
    const auto deliveries = network.engine().stats().media_deliveries - before;
    state.counters["deliveries_per_s"] = benchmark::Counter(static_cast<double>(deliveries), benchmark::Counter::kIsRate);
}

}  // namespace

BENCHMARK(listener_decrypt_only)->Iterations(3000);
BENCHMARK(listener_decrypt_and_decode)->Iterations(3000);
BENCHMARK(relay_fan_out)->Arg(100)->Arg(1000)->Arg(3000)->Unit(benchmark::kMicrosecond);
BENCHMARK_MAIN();
