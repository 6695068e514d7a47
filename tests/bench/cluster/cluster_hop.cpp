// What crossing NATS adds to a speaker frame's trip, and how many bus messages a frame costs.
// A real three-node cluster (nats-server, three stoa-server processes on loopback); in this one
// process a speaker on node 1 (the room's home) and a listener on each node, members over real
// WebSockets. Every media frame is timed as it comes off each listener's socket: the listener on
// node 1 is the single-node path, the listeners on nodes 2 and 3 the NATS hop, in the same run and
// for the very same frames. Then the nodes' and NATS's own counters give messages per frame.
//
//   stoa_bench_cluster_hop [--frames N] [--nodes 2|3]
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "net_client.hpp"
#include "relay_cluster.hpp"
#include "http_probe.hpp"
#include "stoa/audio/tone.hpp"

using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

namespace {

struct arrivals {
    std::mutex mutex;
    std::map<std::string, clock_type::time_point> at;  // by the frame's bytes (the same ciphertext on every node)
};

void watch(stoa::test::net_client& member, arrivals& into) {
    member.on_read_raw = [&into](bool binary, const std::string& data) {
        if (!binary || data.empty() || static_cast<std::uint8_t>(data[0]) != 0x01) return;  // media only
        const auto now = clock_type::now();
        const std::lock_guard lock(into.mutex);
        into.at.emplace(data, now);
    };
}

double percentile(std::vector<double> v, double p) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size() - 1) + 0.5))];
}

double metric(std::uint16_t port, const std::string& name) {
    return stoa::test::metric(stoa::test::http_get(port, "/metrics").body, name).value_or(-1);
}

double nats_varz(std::uint16_t port, const std::string& key) {
    const auto body = stoa::test::http_get(port, "/varz").body;
    const auto parsed = nlohmann::json::parse(body, nullptr, false);
    return parsed.is_object() && parsed.contains(key) ? parsed[key].get<double>() : -1;
}

}  // namespace

int main(int argc, char** argv) {
    int frames = 1500;
    std::size_t nodes = 3;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string flag = argv[i];
        if (flag == "--frames") frames = std::stoi(argv[i + 1]);
        else if (flag == "--nodes") nodes = static_cast<std::size_t>(std::stoi(argv[i + 1]));
    }
    if (nodes < 2 || frames < 100) {
        std::fprintf(stderr, "usage: stoa_bench_cluster_hop [--frames N>=100] [--nodes 2|3]\n");
        return 2;
    }
    stoa::test::relay_cluster cluster(nodes);
    stoa::test::virtual_clock time;
    const auto sync_clock = [&] {
        // The members' clock is the real one here: frames carry real send times.
        const auto us = std::chrono::duration_cast<std::chrono::microseconds>(clock_type::now().time_since_epoch()).count();
        time.micros.store(us);
    };
    sync_clock();
    stoa::client::client_config config;
    config.relay_context = cluster.origin();
    stoa::test::seeded_random keys(42);
    stoa::test::net_client host(cluster.node(0).port(), stoa::e2ee::identity::generate(keys), config, time, 1);
    std::vector<std::unique_ptr<stoa::test::net_client>> listeners;
    std::vector<arrivals> heard(nodes);
    host.connect();
    host.with([](auto& s) { s.create_room(stoa::room::room_kind::open, false, std::string("hop")); });
    if (!host.await_event<stoa::client::event::room_created>()) {
        std::fprintf(stderr, "stoa_bench_cluster_hop: the room was not created\n");
        return 1;
    }
    stoa::room_id room{};
    for (const auto& e : host.events()) {
        if (const auto* created = std::get_if<stoa::client::event::room_created>(&e)) room = created->room;
    }
    host.with([&](auto& s) { s.join_room(room, std::nullopt, {"Host", ""}); });
    if (!host.await([](auto& s) { return s.in_room(); })) return 1;
    host.with([](auto& s) { s.act(stoa::room::action::set_self_muted{false}); });
    for (std::size_t n = 0; n < nodes; ++n) {
        auto member = std::make_unique<stoa::test::net_client>(cluster.node(n).port(),
                                                               stoa::e2ee::identity::generate(keys), config, time, 10 + n);
        watch(*member, heard[n]);
        member->connect();
        member->with([&](auto& s) { s.join_room(room, std::nullopt, {"L" + std::to_string(n + 1), ""}); });
        listeners.push_back(std::move(member));
    }
    // The members' timers (key batches, signatures) run in real time, as a browser's would.
    std::atomic<bool> pumping{true};
    std::thread pump([&] {
        auto at = clock_type::now();
        while (pumping) {
            at += 20ms;
            std::this_thread::sleep_until(at);  // a clock, not synchronisation
            sync_clock();
            host.tick();
            for (auto& l : listeners) l->tick();
        }
    });
    struct stop_pump {
        std::atomic<bool>& flag;
        std::thread& thread;
        ~stop_pump() {
            flag = false;
            thread.join();
        }
    } stopper{pumping, pump};
    for (auto& l : listeners) {
        if (!l->await([](auto& s) { return s.in_room() && s.current_epoch().has_value(); })) {
            std::fprintf(stderr, "stoa_bench_cluster_hop: a listener got no keys\n");
            return 1;
        }
    }

    const double published_before = metric(cluster.node(0).port(), "stoa_cluster_media_published_total");
    std::vector<double> received_before;
    for (std::size_t n = 1; n < nodes; ++n) received_before.push_back(metric(cluster.node(n).port(), "stoa_cluster_media_received_total"));
    const double nats_out_before = nats_varz(cluster.nats().monitor_port(), "out_msgs");

    stoa::audio::sine_generator voice(440.0, 0.25);
    stoa::audio::pcm_frame pcm{};
    auto next = clock_type::now();
    for (int i = 0; i < frames; ++i) {
        next += 20ms;
        sync_clock();
        voice.fill(pcm);
        host.with([&](auto& s) { (void)s.send_audio(pcm, time.now()); });
        std::this_thread::sleep_until(next);  // the audio clock, not synchronisation
    }
    for (auto& l : listeners) {
        l->send_ping();
        (void)l->await_pong();  // every frame queued before has arrived
    }

    const double published = metric(cluster.node(0).port(), "stoa_cluster_media_published_total") - published_before;
    double received = 0;
    for (std::size_t n = 1; n < nodes; ++n) {
        received += metric(cluster.node(n).port(), "stoa_cluster_media_received_total") - received_before[n - 1];
    }
    const double nats_out = nats_varz(cluster.nats().monitor_port(), "out_msgs") - nats_out_before;

    std::printf("frames sent by the speaker: %llu; published on node 1's media subject: %.0f\n",
                static_cast<unsigned long long>(host.with([](auto& s) { return s.stats().frames_sent; })), published);
    std::printf("bus deliveries of those frames to nodes 2..%zu: %.0f = %.3f per frame (subscribing nodes: %zu)\n", nodes,
                received, published > 0 ? received / published : 0.0, nodes - 1);
    std::printf("all NATS messages out in the window (status, pings included): %.0f = %.3f per frame\n", nats_out,
                published > 0 ? nats_out / published : 0.0);

    const std::lock_guard lock0(heard[0].mutex);
    std::printf("one-way hop added over the single-node path, same frames, microseconds:\n");
    for (std::size_t n = 1; n < nodes; ++n) {
        const std::lock_guard lock(heard[n].mutex);
        std::vector<double> added;
        std::size_t missing = 0;
        for (const auto& [frame, at_home] : heard[0].at) {
            const auto found = heard[n].at.find(frame);
            if (found == heard[n].at.end()) {
                ++missing;
                continue;
            }
            added.push_back(std::chrono::duration<double, std::micro>(found->second - at_home).count());
        }
        std::printf("  node %zu vs node 1: frames %zu (missing %zu)  p50 %.0f  p90 %.0f  p99 %.0f  max %.0f\n", n + 1,
                    added.size(), missing, percentile(added, 0.5), percentile(added, 0.9), percentile(added, 0.99),
                    added.empty() ? 0.0 : *std::max_element(added.begin(), added.end()));
    }
    if (heard[0].at.size() < static_cast<std::size_t>(frames) / 2) {
        std::fprintf(stderr, "stoa_bench_cluster_hop: the listener on node 1 heard %zu of %d frames: measured nothing useful\n",
                     heard[0].at.size(), frames);
        return 1;
    }
    return 0;
}
