// Two relay_servers in this process joined by a real nats-server: the NATS client's threads
// hand messages to each engine's thread (run under ThreadSanitizer by the tsan preset), and a
// member on one server hears a host on the other.
#include <catch2/catch.hpp>

#include <thread>

#include "relay_cluster.hpp"
#include "server_fixture.hpp"

using namespace std::chrono_literals;

namespace {

stoa::server::server_config cluster_config(const std::string& nats_url, const std::string& node) {
    auto config = stoa::test::test_config();
    config.cluster = stoa::server::server_config::cluster_settings{nats_url, node, "stoa"};
    return config;
}

// True once `server` knows of a room homed on another node (announcements cross NATS on their
// own schedule, and there is nothing in this process to wait on).
bool await_remote_room(std::uint16_t port, std::chrono::milliseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
        const auto rooms = stoa::test::metric(stoa::test::http_get(port, "/metrics").body, "stoa_cluster_remote_rooms");
        if (rooms && *rooms >= 1) return true;
        std::this_thread::sleep_for(10ms);
    }
    return false;
}

}  // namespace

TEST_CASE("two relay servers joined by NATS carry one room", "[server][cluster]") {
    stoa::test::nats_process nats;
    stoa::test::server_fixture home(cluster_config(nats.url(), "home"));
    stoa::test::server_fixture edge(cluster_config(nats.url(), "edge"));
    auto& host = home.create_room();
    host.with([](stoa::client::client_session& s) { s.act(stoa::room::action::set_self_muted{false}); });
    home.run();
    REQUIRE(await_remote_room(edge.port(), 10s));

    edge.next_seed = 1000;  // identities of its own, not the home fixture's again
    auto& listener = edge.connect();
    listener.with([&](stoa::client::client_session& s) { s.join_room(home.room, std::nullopt, {"Listener", ""}); });
    const bool joined = listener.await([](stoa::client::client_session& s) { return s.in_room(); });
    INFO("listener's error codes: " << [&] {
        std::string codes;
        for (const auto code : listener.error_codes()) codes += std::to_string(code) + " ";
        return codes;
    }());
    REQUIRE(joined);
    // Keys: the host's distributor runs on its clock; the listener's pings cross NATS both ways.
    for (int i = 0; i < 40 && !listener.with([](auto& s) { return s.current_epoch().has_value(); }); ++i) {
        home.advance(20ms);
        edge.advance(20ms);
    }
    REQUIRE(listener.with([](auto& s) { return s.current_epoch().has_value(); }));

    stoa::audio::sine_generator voice(440.0, 0.25);
    stoa::audio::pcm_frame pcm{};
    std::vector<std::int16_t> heard;
    for (int i = 0; i < 60; ++i) {
        voice.fill(pcm);
        host.with([&](auto& s) { (void)s.send_audio(pcm, home.clock.now()); });
        home.run();
        edge.run();
        stoa::audio::pcm_frame out{};
        listener.with([&](auto& s) { s.pull_audio(edge.clock.now(), out); });
        if (i >= 30) heard.insert(heard.end(), out.begin(), out.end());
        home.advance(20ms);
        edge.advance(20ms);
    }
    CHECK(listener.with([](auto& s) { return s.stats().frames_received; }) > 40);
    CHECK(stoa::audio::tone_ratio(heard, 440.0) > 0.6);
    const auto metrics = stoa::test::http_get(home.port(), "/metrics").body;
    CHECK(stoa::test::metric(metrics, "stoa_cluster_nats_connected") == 1.0);
    CHECK(stoa::test::metric(metrics, "stoa_cluster_remote_members") == 1.0);
    CHECK(stoa::test::metric(metrics, "stoa_cluster_media_published_total") > 40.0);
}
