// A whole room in one process for integration tests: a relay engine, a loopback transport and
// client sessions, with helpers to advance time and find events.
#pragma once

#include <catch2/catch.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "stoa/audio/tone.hpp"
#include "stoa/client/client_session.hpp"
#include "stoa/loopback/loopback_network.hpp"
#include "test_random.hpp"

namespace stoa::test {

struct room_member {
    std::unique_ptr<client::client_session> session;
    relay::connection_id connection{};
    std::vector<client::client_event> events;  // everything taken so far
};

class room_fixture {
public:
    explicit room_fixture(std::uint64_t seed = 1, relay::relay_config config = {})
        : random(seed), network(std::move(config), random) {}

    seeded_random random;
    loopback::loopback_network network;
    time_point now = from_micros(1'000'000);
    std::vector<std::unique_ptr<room_member>> members;
    room_id room{};

    room_member& connect(client::client_config config = {}) {
        auto m = std::make_unique<room_member>();
        m->session = std::make_unique<client::client_session>(e2ee::identity::generate(random), config, random);
        m->connection = network.connect(*m->session, now);
        members.push_back(std::move(m));
        return *members.back();
    }

    void collect() {
        for (auto& m : members) {
            for (auto& e : m->session->take_events()) m->events.push_back(std::move(e));
        }
    }
    void run() {
        network.run(now);
        collect();
    }
    void advance(std::chrono::microseconds by) {
        now += by;
        network.tick(now);
        collect();
    }
    // Advances in 20 ms steps (the audio clock) for `total`.
    void advance_frames(std::chrono::milliseconds total) {
        for (auto t = std::chrono::milliseconds(0); t < total; t += std::chrono::milliseconds(20)) {
            advance(std::chrono::milliseconds(20));
        }
    }

    // A host that created and joined an open (or closed) room.
    room_member& create_room(room::room_kind kind = room::room_kind::open, std::string name = "Host") {
        room_member& host = connect();
        host.session->create_room(kind, false, kind == room::room_kind::open ? std::optional<std::string>("Test room")
                                                                              : std::nullopt);
        run();
        for (const auto& e : host.events) {
            if (const auto* created = std::get_if<client::event::room_created>(&e)) {
                room = created->room;
                invite = created->invite;
            }
        }
        host.session->join_room(room, invite, {std::move(name), ""});
        run();
        advance(std::chrono::milliseconds(20));
        return host;
    }
    room_member& join(std::string name = "Listener", bool with_invite = true) {
        room_member& m = connect();
        m.session->join_room(room, with_invite ? invite : std::nullopt, {std::move(name), ""});
        run();
        return m;
    }
    // A member raised to the stage by the host and unmuted.
    void bring_to_stage(room_member& host, room_member& m) {
        host.session->act(room::action::invite_to_stage{m.session->id()});
        run();
        m.session->act(room::action::accept_invite{});
        run();
        m.session->act(room::action::set_self_muted{false});
        run();
    }

    std::optional<invite_token> invite{};
};

template <typename Event>
std::size_t count_events(const room_member& m) {
    std::size_t n = 0;
    for (const auto& e : m.events) n += std::holds_alternative<Event>(e) ? 1 : 0;
    return n;
}

// Speaks `frames` 20 ms frames of a tone from `speaker`, while every member plays out; returns
// what `listener` heard in the second half (after the jitter buffer settled).
inline std::vector<std::int16_t> speak_and_listen(room_fixture& f, room_member& speaker, room_member& listener, double hz,
                                           int frames) {
    stoa::audio::sine_generator voice(hz, 0.25);
    stoa::audio::pcm_frame pcm{};
    std::vector<std::int16_t> heard;
    for (int i = 0; i < frames; ++i) {
        voice.fill(pcm);
        REQUIRE(speaker.session->send_audio(pcm, f.now).ok());
        f.run();
        for (auto& m : f.members) {
            if (m.get() == &speaker) continue;
            m->session->pull_audio(f.now, pcm);
            if (m.get() == &listener && i >= frames / 2) heard.insert(heard.end(), pcm.begin(), pcm.end());
        }
        f.advance(std::chrono::milliseconds(20));
    }
    return heard;
}

}  // namespace stoa::test
