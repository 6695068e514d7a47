// Whole rooms of real client sessions behind an adversarial relay: create, join, speak, listen,
// with the adversary's hooks at hand. The attacks themselves are in the *_test.cpp files.
#pragma once

#include <algorithm>
#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "adversarial_relay.hpp"
#include "stoa/audio/tone.hpp"
#include "stoa/client/client_session.hpp"
#include "stoa/proto/binary.hpp"

namespace stoa::test {

using namespace std::chrono_literals;

struct hostile_member {
    std::unique_ptr<client::client_session> session;
    relay::connection_id connection{};
    std::vector<client::client_event> events;
};

class hostile_room {
public:
    explicit hostile_room(std::uint64_t seed = 12, relay::relay_config config = {})
        : random(seed), relay(std::move(config), random) {}

    seeded_random random;
    adversarial_relay relay;
    time_point now = from_micros(1'000'000);
    std::vector<std::unique_ptr<hostile_member>> members;
    room_id room{};
    std::optional<invite_token> invite{};
    e2ee::admission_secret admission{};  // the link's fragment (closed rooms)
    public_key host_key{};               // the link's host key

    hostile_member& connect(client::client_config config = {}) {
        return connect_as(e2ee::identity::generate(random), std::move(config));
    }
    hostile_member& connect_as(e2ee::identity identity, client::client_config config = {}) {
        auto m = std::make_unique<hostile_member>();
        m->session = std::make_unique<client::client_session>(std::move(identity), std::move(config), random);
        m->connection = relay.connect(*m->session, now);
        members.push_back(std::move(m));
        return *members.back();
    }
    void reconnect(hostile_member& m) {
        relay.disconnect(m.connection, now);
        collect();
        m.connection = relay.connect(*m.session, now);
        run();
    }

    void collect() {
        for (auto& m : members) {
            for (auto& e : m->session->take_events()) m->events.push_back(std::move(e));
        }
    }
    void run() {
        relay.run(now);
        collect();
    }
    void advance(std::chrono::microseconds by) {
        now += by;
        relay.tick(now);
        collect();
    }
    void advance_frames(std::chrono::milliseconds total) {
        for (auto t = 0ms; t < total; t += 20ms) advance(20ms);
    }

    hostile_member& create_room(room::room_kind kind = room::room_kind::open) {
        hostile_member& host = connect();
        host.session->create_room(kind, false,
                                  kind == room::room_kind::open ? std::optional<std::string>("Room") : std::nullopt);
        run();
        for (const auto& e : host.events) {
            if (const auto* created = std::get_if<client::event::room_created>(&e)) {
                room = created->room;
                invite = created->invite;
                admission = created->admission;
            }
        }
        host_key = host.session->identity().key();
        host.session->join_room(room, invite, {"Host", ""});
        run();
        advance(20ms);
        return host;
    }
    // Joins with the link: the relay's invite, the fragment's admission secret and host key.
    hostile_member& join(std::string name = "Listener") {
        hostile_member& m = connect();
        m.session->join_room(room, invite, {std::move(name), ""},
                             e2ee::is_set(admission) ? std::optional(admission) : std::nullopt, host_key);
        run();
        return m;
    }
    void bring_to_stage(hostile_member& host, hostile_member& m) {
        host.session->act(room::action::invite_to_stage{m.session->id()});
        run();
        m.session->act(room::action::accept_invite{});
        run();
        m.session->act(room::action::set_self_muted{false});
        run();
    }

    // Speaks `frames` 20 ms frames of a tone from `speaker` while everyone plays out.
    void speak(hostile_member& speaker, int frames, double hz = 440.0) {
        audio::sine_generator voice(hz, 0.25);
        audio::pcm_frame pcm{};
        for (int i = 0; i < frames; ++i) {
            voice.fill(pcm);
            (void)speaker.session->send_audio(pcm, now);
            run();
            for (auto& m : members) {
                if (m.get() != &speaker) m->session->pull_audio(now, pcm);
            }
            advance(20ms);
        }
    }
};

template <typename Event>
[[nodiscard]] std::vector<Event> events_of(const hostile_member& m) {
    std::vector<Event> out;
    for (const auto& e : m.events) {
        if (const auto* found = std::get_if<Event>(&e)) out.push_back(*found);
    }
    return out;
}

[[nodiscard]] inline std::size_t alarms_of(const hostile_member& m, client::event::alarm_kind kind) {
    std::size_t n = 0;
    for (const auto& alarm : events_of<client::event::security_alarm>(m)) n += alarm.kind == kind ? 1 : 0;
    return n;
}

[[nodiscard]] inline std::string replace_all(std::string text, std::string_view from, std::string_view to) {
    for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
        text.replace(at, from.size(), to);
    }
    return text;
}

[[nodiscard]] inline std::optional<proto::binary_type> binary_type_of(const wire& w) {
    if (!w.binary) return std::nullopt;
    auto header = proto::peek_binary_header(w.bytes());
    if (!header.ok()) return std::nullopt;
    return header->type;
}

}  // namespace stoa::test
