// One room across three relay nodes, in one process: real client sessions on different nodes,
// the bus between them counted, nodes killed. What the cluster promises members: they hear each
// other wherever they connect, keys reach them from the host on any node, speaker frames cross
// the bus once per node, and a dead node's members come back through another.
#include <catch2/catch.hpp>

#include <algorithm>

#include "cluster_fixture.hpp"
#include "stoa/audio/tone.hpp"
#include "stoa/proto/control_codec.hpp"

using namespace std::chrono_literals;
using stoa::test::cluster_fixture;
using stoa::test::cluster_member;
namespace client = stoa::client;

namespace {

template <typename Event>
const Event* last_event(const cluster_member& m) {
    for (auto it = m.events.rbegin(); it != m.events.rend(); ++it) {
        if (const auto* e = std::get_if<Event>(&*it)) return e;
    }
    return nullptr;
}

struct cluster_room {
    cluster_member* host = nullptr;
    stoa::room_id id{};
};

// A host on `node` creates and joins an open room.
cluster_room open_room(cluster_fixture& f, std::size_t node) {
    cluster_member& host = f.connect(node);
    host.session->create_room(stoa::room::room_kind::open, false, std::string("Across nodes"));
    f.run();
    const auto* created = last_event<client::event::room_created>(host);
    REQUIRE(created != nullptr);
    const stoa::room_id id = created->room;  // events grow as the fixture runs
    host.session->join_room(id, std::nullopt, {"Host", ""});
    f.run();
    host.session->act(stoa::room::action::set_self_muted{false});
    f.run();
    f.advance(20ms);
    REQUIRE(host.session->in_room());
    return {&host, id};
}

cluster_member& listener_on(cluster_fixture& f, const cluster_room& room, std::size_t node, std::string name) {
    cluster_member& m = f.connect(node);
    m.session->join_room(room.id, std::nullopt, {std::move(name), ""});
    f.run();
    return m;
}

// The speaker sends `frames` frames of a tone; returns what each listener played in the second half.
std::vector<std::vector<std::int16_t>> speak(cluster_fixture& f, cluster_member& speaker,
                                             const std::vector<cluster_member*>& listeners, double hz, int frames) {
    stoa::audio::sine_generator voice(hz, 0.25);
    stoa::audio::pcm_frame pcm{};
    std::vector<std::vector<std::int16_t>> heard(listeners.size());
    for (int i = 0; i < frames; ++i) {
        voice.fill(pcm);
        REQUIRE(speaker.session->send_audio(pcm, f.now).ok());
        f.run();
        for (std::size_t l = 0; l < listeners.size(); ++l) {
            listeners[l]->session->pull_audio(f.now, pcm);
            if (i >= frames / 2) heard[l].insert(heard[l].end(), pcm.begin(), pcm.end());
        }
        f.advance(20ms);
    }
    return heard;
}

}  // namespace

TEST_CASE("a speaker on node 1 is heard by listeners on nodes 2 and 3", "[cluster]") {
    cluster_fixture f;
    const auto room = open_room(f, 0);
    CHECK(f.node(1).home_of(room.id) == std::optional<std::string>("node1"));
    CHECK(f.node(2).home_of(room.id) == std::optional<std::string>("node1"));

    cluster_member& a = listener_on(f, room, 1, "A");
    cluster_member& b = listener_on(f, room, 2, "B");
    f.advance_frames(600ms);
    REQUIRE(a.session->in_room());
    REQUIRE(b.session->in_room());
    // Keys came from the host on node 1, sealed to members on the other nodes.
    REQUIRE(a.session->current_epoch().has_value());
    CHECK(a.session->current_epoch() == room.host->session->current_epoch());
    CHECK(b.session->current_epoch() == room.host->session->current_epoch());
    CHECK(f.node(1).forwarded_connection_count() == 1);
    CHECK(f.node(2).forwarded_connection_count() == 1);
    CHECK(f.node(0).remote_member_count() == 2);

    const auto sent_before = room.host->session->stats().frames_sent;
    const auto published_before = f.node(0).stats().media_published;
    const auto media_deliveries_before = f.bus.deliveries_by_subject_kind["media"];
    const auto heard = speak(f, *room.host, {&a, &b}, 440.0, 100);
    const auto frames = room.host->session->stats().frames_sent - sent_before;
    REQUIRE(frames >= 90);

    // Once on the bus per frame, delivered once to each of the two nodes with members.
    CHECK(f.node(0).stats().media_published - published_before == frames);
    CHECK(f.bus.deliveries_by_subject_kind["media"] - media_deliveries_before == 2 * frames);
    for (std::size_t l = 0; l < heard.size(); ++l) {
        INFO("listener " << l);
        CHECK(stoa::audio::dominant_frequency(heard[l]) == Approx(440.0).margin(5.0));
        CHECK(stoa::audio::tone_ratio(heard[l], 440.0) > 0.8);
    }
    CHECK(a.session->stats().decrypt_failures == 0);
    CHECK(b.session->stats().frames_received >= frames - 5);
}

TEST_CASE("a speaker on another node is heard on the home node and on its own node", "[cluster]") {
    cluster_fixture f;
    const auto room = open_room(f, 0);
    cluster_member& speaker = listener_on(f, room, 1, "Speaker");
    cluster_member& neighbour = listener_on(f, room, 1, "Neighbour");
    cluster_member& far = listener_on(f, room, 2, "Far");
    f.advance_frames(400ms);
    room.host->session->act(stoa::room::action::invite_to_stage{speaker.session->id()});
    f.run();
    speaker.session->act(stoa::room::action::accept_invite{});
    f.run();
    speaker.session->act(stoa::room::action::set_self_muted{false});
    f.run();
    f.advance_frames(400ms);
    REQUIRE(speaker.session->role() == stoa::room::role::speaker);

    const auto heard = speak(f, speaker, {room.host, &neighbour, &far}, 660.0, 100);
    for (std::size_t l = 0; l < heard.size(); ++l) {
        INFO("listener " << l);
        CHECK(stoa::audio::dominant_frequency(heard[l]) == Approx(660.0).margin(5.0));
    }
    // The speaker's own node leaves it out of the fan-out of its own frames.
    CHECK(speaker.session->stats().frames_received == 0);
}

TEST_CASE("the directory spans the cluster", "[cluster]") {
    cluster_fixture f;
    const auto room = open_room(f, 0);
    cluster_member& browser = f.connect(2);
    browser.session->request_directory(0, 10);
    f.run();
    const auto* listing = last_event<client::event::directory>(browser);
    REQUIRE(listing != nullptr);
    REQUIRE(listing->rooms.size() == 1);
    CHECK(listing->rooms.front().first == room.id);
    CHECK(listing->rooms.front().second == "Across nodes");
}

TEST_CASE("killing an edge node brings its listeners back through another node within the grace window",
          "[cluster][failover]") {
    cluster_fixture f;
    const auto room = open_room(f, 0);
    cluster_member& a = listener_on(f, room, 1, "A");
    f.advance_frames(400ms);
    REQUIRE(a.session->in_room());

    const auto killed_at = f.now;
    f.kill(1);
    CHECK_FALSE(a.connected);
    // The home holds the seat once it sees node 2 gone; the member comes back through node 3.
    while (f.node(0).remote_member_count() != 0 && f.now - killed_at < 10s) f.advance(100ms);
    CHECK(f.node(0).remote_member_count() == 0);
    f.attach(a, 2);
    a.session->join_room(room.id, std::nullopt, {"A", ""});
    f.run();
    f.advance_frames(400ms);
    REQUIRE(a.session->in_room());
    CHECK(f.now - killed_at < stoa::relay::relay_config{}.reconnect_grace);
    CHECK(f.node(0).engine().stats().seats_reattached == 1);

    const auto heard = speak(f, *room.host, {&a}, 440.0, 60);
    CHECK(stoa::audio::dominant_frequency(heard[0]) == Approx(440.0).margin(5.0));
}

TEST_CASE("killing the home node tells members on other nodes to come back", "[cluster][failover]") {
    cluster_fixture f;
    const auto room = open_room(f, 0);
    cluster_member& a = listener_on(f, room, 1, "A");
    cluster_member& b = listener_on(f, room, 2, "B");
    f.advance_frames(400ms);
    f.kill(0);
    f.advance(4s);
    // The room went with its home: nobody routes to it, and its members were told to reconnect.
    CHECK_FALSE(f.node(1).home_of(room.id).has_value());
    CHECK_FALSE(f.node(2).home_of(room.id).has_value());
    CHECK(last_event<client::event::relay_shutdown>(a) != nullptr);
    CHECK(last_event<client::event::relay_shutdown>(b) != nullptr);
    CHECK_FALSE(a.connected);
    CHECK_FALSE(b.connected);
    CHECK(f.node(1).stats().homes_lost == 1);
    CHECK(f.node(1).forwarded_connection_count() == 0);
}

TEST_CASE("a node restarted under its name is a new incarnation", "[cluster][failover]") {
    cluster_fixture f;
    const auto room = open_room(f, 0);
    cluster_member& a = listener_on(f, room, 1, "A");
    f.advance_frames(200ms);
    f.kill(0);
    f.restart(0);  // before the others' timeout: its first status shows the new incarnation
    f.advance(1100ms);
    CHECK_FALSE(f.node(1).home_of(room.id).has_value());
    CHECK_FALSE(a.connected);
    CHECK(f.node(1).stats().peers_lost >= 1);
}

TEST_CASE("hostile bus messages are counted and change nothing", "[cluster][hostile]") {
    cluster_fixture f;
    const auto room = open_room(f, 0);
    cluster_member& a = listener_on(f, room, 1, "A");
    f.advance_frames(400ms);
    auto& edge = f.node(1);

    SECTION("garbage") {
        stoa::test::seeded_random noise(99);
        for (int i = 0; i < 2000; ++i) {
            stoa::bytes junk(static_cast<std::size_t>(i % 300));
            noise.fill(junk);
            if (!junk.empty()) junk[0] = stoa::cluster::wire_version;  // get past the version byte
            edge.on_bus_message("stoa.node.node2", junk, f.now);
        }
        std::uint64_t refused = 0;
        for (const auto& [error, count] : edge.stats().bad_messages) refused += count;
        CHECK(refused > 1900);
    }
    SECTION("deliveries and closes from a node that is not the room's home") {
        const stoa::cluster::node_ref impostor{"node3", 1};
        const auto before = edge.stats().stale_messages;
        for (std::uint64_t c = 0; c < 5; ++c) {
            edge.on_bus_message("stoa.node.node2",
                                stoa::cluster::encode({impostor, stoa::cluster::close_connection{c, 1000, "bye"}}), f.now);
            edge.on_bus_message(
                "stoa.node.node2",
                stoa::cluster::encode({impostor, stoa::cluster::deliver{stoa::relay::payload_kind::text,
                                                                        stoa::relay::traffic_class::control, {c}, "{}"}}),
                f.now);
        }
        CHECK(edge.stats().stale_messages - before == 10);
    }
    f.run();
    f.advance_frames(200ms);
    CHECK(a.connected);
    CHECK(a.session->in_room());
    const auto heard = speak(f, *room.host, {&a}, 440.0, 40);
    CHECK(stoa::audio::dominant_frequency(heard[0]) == Approx(440.0).margin(5.0));
}
