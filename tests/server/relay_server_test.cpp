// stoa-server end to end: native members (client_session over a real WebSocket) in rooms on a
// relay listening on an ephemeral loopback port. Every wait is for an event, with a generous
// timeout as a failure guard only.
#include <catch2/catch.hpp>

#include "raw_client.hpp"
#include "server_fixture.hpp"
#include "stoa/proto/binary.hpp"
#include "stoa/room/errors.hpp"

using namespace std::chrono_literals;
using stoa::client::client_session;
using stoa::test::net_client;
using stoa::test::raw_client;
using stoa::test::seeded_random;
using stoa::test::server_fixture;

namespace {

constexpr std::uint16_t code(stoa::proto::relay_error e) { return static_cast<std::uint16_t>(e); }
constexpr std::uint16_t code(stoa::room::room_error e) { return static_cast<std::uint16_t>(e); }

std::uint64_t frames_received(net_client& c) {
    return c.with([](client_session& s) { return s.stats().frames_received; });
}

bool contains(const std::vector<std::uint16_t>& codes, std::uint16_t wanted) {
    return std::find(codes.begin(), codes.end(), wanted) != codes.end();
}

// A host, a listener who will be brought up to speak, and plain listeners, all holding keys.
struct stage_room {
    explicit stage_room(server_fixture& f, int listeners = 2) : host(f.create_room()) {
        speaker = &f.join("Speaker");
        for (int i = 0; i < listeners; ++i) audience.push_back(&f.join("Listener " + std::to_string(i)));
        f.bring_to_stage(host, *speaker);
        f.advance_frames(600ms);
        for (auto* m : f.live()) REQUIRE(m->with([](client_session& s) { return s.current_epoch().has_value(); }));
    }
    net_client& host;
    net_client* speaker = nullptr;
    std::vector<net_client*> audience;
};

}  // namespace

TEST_CASE("members join over WebSocket, the speaker is heard and every listener decrypts it", "[server][room]") {
    // Both write paths: a batch through io_uring (where the kernel allows it) and writev alone.
    auto config = stoa::test::test_config();
    config.io_uring = GENERATE(true, false);
    server_fixture f(config);
    stage_room r(f);
    const auto heard = f.speak_and_listen(*r.speaker, *r.audience[0], 440.0, 60);
    CHECK(stoa::audio::tone_ratio(heard, 440.0) > 0.6);
    CHECK(std::abs(stoa::audio::dominant_frequency(heard) - 440.0) < 10.0);
    for (auto* listener : r.audience) {
        CHECK(frames_received(*listener) >= 58);
        CHECK(listener->with([](client_session& s) { return s.stats().decrypt_failures; }) == 0);
    }
    CHECK(frames_received(*r.audience[1]) == frames_received(*r.audience[0]));
    const std::string metrics = f.metrics();
    CHECK(stoa::test::metric(metrics, "stoa_members{role=\"speaker\"}") == 1.0);
    CHECK(stoa::test::metric(metrics, "stoa_members{role=\"listener\"}") == 2.0);
    CHECK(stoa::test::metric(metrics, "stoa_media_frames_in_total") >= 60.0);
    CHECK(stoa::test::metric(metrics, "stoa_join_latency_seconds_count") == 4.0);
    const bool uring = f.server.io_uring_refusal().empty();
    if (!config.io_uring) CHECK_FALSE(uring);  // off in the configuration means off
    CHECK(stoa::test::metric(metrics, "stoa_io_uring_threads") == (uring ? 2.0 : 0.0));
    if (uring) CHECK(stoa::test::metric(metrics, "stoa_io_uring_submissions_total") > 0.0);
    if (!config.io_uring) CHECK(stoa::test::metric(metrics, "stoa_io_uring_submissions_total") == 0.0);
}

TEST_CASE("roles are enforced: listeners cannot move people and their media is not forwarded", "[server][room]") {
    server_fixture f;
    stage_room r(f);
    net_client& listener = *r.audience[0];
    net_client& other = *r.audience[1];
    const auto other_id = other.with([](client_session& s) { return s.id(); });

    listener.with([&](client_session& s) { s.act(stoa::room::action::invite_to_stage{other_id}); });
    f.run();
    CHECK(contains(listener.error_codes(), code(stoa::room::room_error::not_permitted)));
    CHECK(other.with([](client_session& s) { return s.role(); }) == stoa::room::role::listener);

    // A modified client sends media anyway: the relay drops it.
    const auto index = listener.with([](client_session& s) { return s.index(); });
    stoa::bytes forged;
    stoa::proto::encode_media(forged, index, stoa::bytes(60, 0x42));
    const auto before = frames_received(other) + frames_received(r.host);
    for (int i = 0; i < 5; ++i) listener.send_raw(true, std::string(forged.begin(), forged.end()));
    f.run();
    CHECK(frames_received(other) + frames_received(r.host) == before);
    CHECK(stoa::test::metric(f.metrics(), "stoa_media_frames_dropped_total{reason=\"not_on_stage\"}") == 5.0);
}

TEST_CASE("a kick cuts the member's audio and keys while the room goes on", "[server][room]") {
    server_fixture f;
    stage_room r(f);
    net_client& victim = *r.audience[0];
    net_client& stays = *r.audience[1];
    (void)f.speak_and_listen(*r.speaker, stays, 440.0, 10);
    const auto victim_epoch = victim.with([](client_session& s) { return s.current_epoch(); });
    REQUIRE(victim_epoch.has_value());
    REQUIRE(frames_received(victim) > 0);

    const auto victim_id = victim.with([](client_session& s) { return s.id(); });
    r.host.with([&](client_session& s) { s.act(stoa::room::action::kick{victim_id}); });
    f.run();
    REQUIRE(victim.await_event<stoa::client::event::removed>());
    CHECK_FALSE(victim.with([](client_session& s) { return s.in_room(); }));
    const auto victim_frames = frames_received(victim);
    const auto stays_frames = frames_received(stays);

    // The speaker talks on through the rekey that the host's leave batch triggers.
    const auto heard = f.speak_and_listen(*r.speaker, stays, 660.0, 120);
    CHECK(stoa::audio::tone_ratio(heard, 660.0) > 0.6);
    CHECK(frames_received(stays) >= stays_frames + 118);
    CHECK(frames_received(victim) == victim_frames);  // nothing more reaches the kicked member
    const auto stays_epoch = stays.with([](client_session& s) { return s.current_epoch(); });
    REQUIRE(stays_epoch.has_value());
    CHECK(stays_epoch->value > victim_epoch->value);  // keys the kicked member never received
}

TEST_CASE("a closed room admits only holders of its invite capability", "[server][room]") {
    server_fixture f;
    (void)f.create_room(stoa::room::room_kind::closed);
    REQUIRE(f.invite.has_value());

    net_client& without = f.join("No invite", false);
    CHECK(contains(without.error_codes(), code(stoa::room::room_error::invite_required)));
    CHECK_FALSE(without.with([](client_session& s) { return s.in_room(); }));

    net_client& forged = f.connect();
    stoa::invite_token wrong = *f.invite;
    wrong.value[0] ^= 0xff;
    forged.with([&](client_session& s) { s.join_room(f.room, wrong, {"Forger", ""}); });
    f.run();
    CHECK(contains(forged.error_codes(), code(stoa::room::room_error::invalid_invite)));

    net_client& invited = f.join("Invited", true);
    CHECK(invited.with([](client_session& s) { return s.in_room(); }));
    // Closed rooms are not in the directory.
    invited.with([](client_session& s) { s.request_directory(0, 10); });
    REQUIRE(invited.await_event<stoa::client::event::directory>());
    for (const auto& e : invited.events()) {
        if (const auto* d = std::get_if<stoa::client::event::directory>(&e)) CHECK(d->total == 0);
    }
}

TEST_CASE("rate limits answer with their error code", "[server][limits]") {
    auto config = stoa::test::test_config();
    config.relay.directory_per_connection = {2.0, 0.001};
    config.relay.joins_per_identity = {2.0, 0.001};
    server_fixture f(config);
    net_client& host = f.create_room();  // creating and joining spend both of the host's join tokens
    (void)host;

    net_client& reader = f.connect();
    for (int i = 0; i < 3; ++i) reader.with([](client_session& s) { s.request_directory(0, 10); });
    f.run();
    CHECK(reader.count<stoa::client::event::directory>() == 2);
    CHECK(contains(reader.error_codes(), code(stoa::proto::relay_error::rate_limited)));

    net_client& creator = f.connect();
    for (int i = 0; i < 3; ++i) {
        creator.with([](client_session& s) { s.create_room(stoa::room::room_kind::open, false, std::string("spam")); });
    }
    f.run();
    CHECK(creator.count<stoa::client::event::room_created>() == 2);
    CHECK(contains(creator.error_codes(), code(stoa::proto::relay_error::rate_limited)));
    CHECK(stoa::test::metric(f.metrics(), "stoa_rejected_total{code=\"503\",reason=\"rate_limited\"}") == 2.0);
}

TEST_CASE("a slow consumer neither delays the room nor grows without bound, and is disconnected", "[server][backpressure]") {
    auto config = stoa::test::test_config();
    config.io_uring = GENERATE(true, false);  // partial writes and EAGAIN on both write paths
    config.queue.max_media_messages = 64;
    config.queue.max_media_overflow = 300ms;
    config.close_timeout = 20s;  // long enough for the test to read the last word
    config.socket_send_buffer = 4096;
    server_fixture f(config);
    stage_room r(f, 1);
    net_client& listener = *r.audience[0];

    // A member that joins and then stops reading.
    raw_client stuck(f.port(), 4096);
    seeded_random keys(77);
    const auto identity = stoa::e2ee::identity::generate(keys);
    stuck.authenticate(identity);
    stuck.send(stoa::proto::join_room{f.room, std::nullopt, {}}, 1);
    REQUIRE(stuck.next_of<stoa::proto::welcome>().has_value());

    stoa::audio::sine_generator voice(440.0, 0.25);
    stoa::audio::pcm_frame pcm{};
    const auto start = frames_received(listener);
    double deepest = 0.0;
    int sent = 0;
    bool disconnected = false;
    for (; sent < 20'000 && !disconnected; ++sent) {
        voice.fill(pcm);
        r.speaker->with([&](client_session& s) { (void)s.send_audio(pcm, f.clock.now()); });
        f.run();  // the healthy listener has everything sent so far when this returns
        REQUIRE(frames_received(listener) == start + static_cast<std::uint64_t>(sent) + 1);
        stoa::audio::pcm_frame out{};
        listener.with([&](client_session& s) { s.pull_audio(f.clock.now(), out); });
        if (sent % 25 == 0) {
            const std::string metrics = f.metrics();
            deepest = std::max(deepest, *stoa::test::metric(metrics, "stoa_send_queue_max_depth"));
            disconnected = stoa::test::metric(metrics, "stoa_slow_consumers_disconnected_total") == 1.0;
        }
        f.clock.advance(20ms);
    }
    REQUIRE(disconnected);
    CHECK(sent > 64);
    // The stuck member's queue never held more than its media bound plus a little control.
    CHECK(deepest <= 64.0 + 16.0);
    const std::string metrics = f.metrics();
    CHECK(stoa::test::metric(metrics, "stoa_media_frames_dropped_total{reason=\"send_queue_full\"}") > 0.0);

    // Reading again, it finds the relay's last word and the close.
    const auto errors = stuck.errors_until_close();
    CHECK(contains(errors, code(stoa::proto::relay_error::slow_consumer_disconnected)));
    CHECK(stuck.close_code == 1008);
    // The room goes on.
    const auto heard = f.speak_and_listen(*r.speaker, listener, 660.0, 30);
    CHECK(stoa::audio::tone_ratio(heard, 660.0) > 0.6);
}

TEST_CASE("malformed and oversized input closes that connection while the room keeps hearing", "[server][robustness]") {
    server_fixture f;
    stage_room r(f, 1);
    net_client& listener = *r.audience[0];
    seeded_random keys(91);

    struct bad_input {
        const char* what;
        bool binary;
        std::string data;
        std::optional<std::uint16_t> error;
        std::uint16_t close;
    };
    const bad_input inputs[] = {
        {"not JSON", false, "{this is not json", static_cast<std::uint16_t>(stoa::proto::proto_error::invalid_json), 1002},
        {"unknown type", false, R"({"v":1,"type":"launch_missiles"})", static_cast<std::uint16_t>(stoa::proto::proto_error::unknown_type), 1002},
        {"control over 64 KiB", false, "{\"v\":1,\"type\":\"ping\",\"nonce\":1,\"x\":\"" + std::string(100'000, 'a') + "\"}",
         static_cast<std::uint16_t>(stoa::proto::proto_error::message_too_large), 1009},
        {"message over the relay's limit", true, std::string(400'000, '\x01'), std::nullopt, 1009},
    };
    for (const auto& input : inputs) {
        INFO(input.what);
        raw_client attacker(f.port());
        const auto identity = stoa::e2ee::identity::generate(keys);
        attacker.authenticate(identity);
        attacker.send(stoa::proto::join_room{f.room, std::nullopt, {}}, 1);
        REQUIRE(attacker.next_of<stoa::proto::welcome>().has_value());
        if (input.binary) {
            attacker.send_binary(input.data);
        } else {
            attacker.send_text(input.data);
        }
        const auto errors = attacker.errors_until_close();
        if (input.error) CHECK(contains(errors, *input.error));
        CHECK(attacker.close_code == input.close);

        const auto before = frames_received(listener);
        const auto heard = f.speak_and_listen(*r.speaker, listener, 440.0, 20);
        CHECK(frames_received(listener) == before + 20);
        CHECK(stoa::audio::tone_ratio(heard, 440.0) > 0.6);
    }
    CHECK(stoa::test::metric(f.metrics(), "stoa_oversized_messages_total") == 1.0);
}

TEST_CASE("graceful shutdown tells every client when to come back, then the server stops", "[server][shutdown]") {
    auto config = stoa::test::test_config();
    config.reconnect_after_ms = 1500;
    server_fixture f(config);
    stage_room r(f, 1);
    net_client& idle = f.connect();  // authenticated, in no room
    f.run();

    f.server.shutdown();
    for (auto* c : {&r.host, r.speaker, r.audience[0], &idle}) {
        REQUIRE(c->await_event<stoa::client::event::relay_shutdown>());
        REQUIRE(c->await_closed());
        CHECK(c->close_code() == 1001);
        for (const auto& e : c->events()) {
            if (const auto* notice = std::get_if<stoa::client::event::relay_shutdown>(&e)) {
                CHECK(notice->reconnect_after == 1500ms);
            }
        }
    }
    f.server.wait();  // returns: the drain completed and the I/O threads ended
}

TEST_CASE("a speaker who reconnects within the grace window keeps the stage", "[server][grace]") {
    server_fixture f;
    net_client& host = f.create_room();
    stoa::e2ee::secret_bytes<stoa::e2ee::seed_size> seed;
    seeded_random keys(5150);
    keys.fill(seed.mutable_view());
    net_client& first = f.connect_as(stoa::e2ee::identity::from_seed(seed));
    f.join_existing(first, "Speaker");
    net_client& listener = f.join("Listener");
    f.bring_to_stage(host, first);
    f.advance_frames(600ms);
    const auto old_index = first.with([](client_session& s) { return s.index(); });
    REQUIRE(stoa::audio::tone_ratio(f.speak_and_listen(first, listener, 440.0, 30), 440.0) > 0.6);

    first.drop();  // the network goes away without a close handshake
    f.run();
    CHECK(stoa::test::metric(f.metrics(), "stoa_held_seats") == 1.0);

    net_client& again = f.connect_as(stoa::e2ee::identity::from_seed(seed));
    f.join_existing(again, "Speaker");
    REQUIRE(again.await([](client_session& s) { return s.in_room(); }));
    CHECK(again.with([](client_session& s) { return s.role(); }) == stoa::room::role::speaker);
    CHECK(again.with([](client_session& s) { return s.index(); }) != old_index);
    f.advance_frames(1500ms);
    again.with([](client_session& s) { s.act(stoa::room::action::set_self_muted{false}); });
    f.run();
    const auto heard = f.speak_and_listen(again, listener, 660.0, 40);
    CHECK(stoa::audio::tone_ratio(heard, 660.0) > 0.6);
    const std::string metrics = f.metrics();
    CHECK(stoa::test::metric(metrics, "stoa_reattached_total") == 1.0);
    CHECK(stoa::test::metric(metrics, "stoa_held_seats") == 0.0);
}

