// A relay_server on an ephemeral loopback port and the native members that use it, with the
// helpers the integration tests share: quiescence by ping round trips, a virtual audio clock,
// HTTP requests and /metrics parsing.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "http_probe.hpp"
#include "net_client.hpp"
#include "stoa/audio/tone.hpp"
#include "stoa/server/relay_server.hpp"

namespace stoa::test {

// Limits wide enough that only the test that means to hit one does.
inline server::server_config test_config() {
    server::server_config config;
    config.listen_address = "127.0.0.1";
    config.port = 0;
    config.threads = 2;
    config.web_root = server::default_web_root();
    config.relay.joins_per_identity = {1000.0, 1000.0};
    config.relay.joins_per_address = {1000.0, 1000.0};
    config.relay.directory_per_connection = {1000.0, 1000.0};
    config.relay.directory_per_address = {1000.0, 1000.0};
    config.relay.control_per_connection = {100'000.0, 100'000.0};
    config.relay.media_per_connection = {100'000.0, 100'000.0};
    return config;
}

class server_fixture {
public:
    explicit server_fixture(server::server_config config = test_config()) : server(std::move(config)) { server.start(); }
    ~server_fixture() {
        for (auto& c : clients) c->stop();
        server.stop();
        server.wait();
    }

    server::relay_server server;
    virtual_clock clock;
    std::vector<std::unique_ptr<net_client>> clients;
    room_id room{};
    std::optional<invite_token> invite{};
    std::uint64_t next_seed = 100;

    [[nodiscard]] std::uint16_t port() const { return server.port(); }
    // The relay's origin, http://127.0.0.1:PORT: the auth context its members sign.
    [[nodiscard]] const std::string& origin() const { return server.origin(); }

    net_client& connect_as(e2ee::identity identity, client::client_config config = {}) {
        // Members sign this relay's context unless the test chose another.
        if (config.relay_context == client::client_config{}.relay_context) config.relay_context = origin();
        clients.push_back(std::make_unique<net_client>(port(), std::move(identity), std::move(config), clock, next_seed++));
        clients.back()->connect();
        return *clients.back();
    }
    net_client& connect(client::client_config config = {}) {
        seeded_random keys(next_seed++ * 7919);
        return connect_as(e2ee::identity::generate(keys), std::move(config));
    }

    // Quiescence without sleeping: a first ping round trip per client proves the relay handled
    // everything each client sent; a second proves that everything the relay queued because of it
    // arrived. Repeated while clients keep answering what they received (keys, resyncs).
    void run() {
        for (int round = 0; round < 100; ++round) {
            std::uint64_t sent_before = 0;
            for (auto& c : live()) sent_before += c->session_messages_sent();
            for (int pass = 0; pass < 2; ++pass) {
                for (auto* c : live()) c->send_ping();
                for (auto* c : live()) REQUIRE(c->await_pong());
            }
            std::uint64_t sent_after = 0;
            for (auto& c : live()) sent_after += c->session_messages_sent();
            if (sent_after == sent_before) return;
        }
        FAIL("the room never went quiet");
    }
    void advance(std::chrono::microseconds by) {
        clock.advance(by);
        for (auto* c : live()) c->tick();
        run();
    }
    // 20 ms steps of the audio clock, with every member playing out as a real client does.
    void advance_frames(std::chrono::milliseconds total) {
        for (auto t = std::chrono::milliseconds(0); t < total; t += std::chrono::milliseconds(20)) {
            for (auto* c : live()) {
                audio::pcm_frame out{};
                c->with([&](client::client_session& s) { s.pull_audio(clock.now(), out); });
            }
            advance(std::chrono::milliseconds(20));
        }
    }

    net_client& create_room(room::room_kind kind = room::room_kind::open, std::string title = "Test room") {
        net_client& host = connect();
        host.with([&](client::client_session& s) {
            s.create_room(kind, false, kind == room::room_kind::open ? std::optional<std::string>(title) : std::nullopt);
        });
        REQUIRE(host.await_event<client::event::room_created>());
        for (const auto& e : host.events()) {
            if (const auto* created = std::get_if<client::event::room_created>(&e)) {
                room = created->room;
                invite = created->invite;
            }
        }
        host.with([&](client::client_session& s) { s.join_room(room, invite, {"Host", ""}); });
        REQUIRE(host.await([](client::client_session& s) { return s.in_room(); }));
        advance(std::chrono::milliseconds(20));
        return host;
    }
    net_client& join(std::string name = "Listener", bool with_invite = true) {
        net_client& m = connect();
        join_existing(m, std::move(name), with_invite);
        return m;
    }
    void join_existing(net_client& m, std::string name = "Listener", bool with_invite = true) {
        m.with([&](client::client_session& s) { s.join_room(room, with_invite ? invite : std::nullopt, {name, ""}); });
        run();
    }
    void bring_to_stage(net_client& host, net_client& m) {
        const member_id id = m.with([](client::client_session& s) { return s.id(); });
        host.with([&](client::client_session& s) { s.act(room::action::invite_to_stage{id}); });
        run();
        m.with([](client::client_session& s) { s.act(room::action::accept_invite{}); });
        run();
        m.with([](client::client_session& s) { s.act(room::action::set_self_muted{false}); });
        run();
    }

    // Speaks `frames` 20 ms frames of a tone from `speaker` while every other connected member
    // plays out; returns what `listener` heard in the second half.
    std::vector<std::int16_t> speak_and_listen(net_client& speaker, net_client& listener, double hz, int frames) {
        audio::sine_generator voice(hz, 0.25);
        audio::pcm_frame pcm{};
        std::vector<std::int16_t> heard;
        for (int i = 0; i < frames; ++i) {
            voice.fill(pcm);
            speaker.with([&](client::client_session& s) { (void)s.send_audio(pcm, clock.now()); });
            run();
            for (auto* m : live()) {
                if (m == &speaker) continue;
                audio::pcm_frame out{};
                m->with([&](client::client_session& s) { s.pull_audio(clock.now(), out); });
                if (m == &listener && i >= frames / 2) heard.insert(heard.end(), out.begin(), out.end());
            }
            advance(std::chrono::milliseconds(20));
        }
        return heard;
    }

    [[nodiscard]] std::string metrics() { return http_get(port(), "/metrics").body; }

    // Clients whose connection is still open (run() pings only those).
    std::vector<net_client*> live() {
        std::vector<net_client*> out;
        for (auto& c : clients) {
            if (!c->close_code().has_value() && !c->excluded) out.push_back(c.get());
        }
        return out;
    }
};

}  // namespace stoa::test
