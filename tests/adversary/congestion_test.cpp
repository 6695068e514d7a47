// Keys dropped under congestion: when a client's outbox overflows, old audio goes first and
// control (key bundles, announcements, signatures) never does, so a backed-up host still hands
// out keys and a backed-up speaker's frames can still be verified.
#include <catch2/catch.hpp>

#include "hostile_room.hpp"

using namespace stoa;
using namespace stoa::test;

TEST_CASE("an overflowing outbox drops media only, never key material or signatures", "[adversary][congestion]") {
    hostile_room r;
    client::client_config small;
    small.max_outbox = 8;
    hostile_member& host = r.connect(small);
    host.session->create_room(room::room_kind::open, false, std::string("Room"));
    r.run();
    r.room = events_of<client::event::room_created>(host).front().room;
    host.session->join_room(r.room, std::nullopt, {"Host", ""});
    r.run();
    hostile_member& a = r.join("A");
    r.advance_frames(600ms);
    host.session->act(room::action::set_self_muted{false});
    r.run();
    r.advance_frames(400ms);

    // The transport stalls: 60 frames pile up unsent, with their signatures, and a join batch.
    audio::sine_generator voice(440.0, 0.25);
    audio::pcm_frame pcm{};
    hostile_member& b = r.connect();
    b.session->join_room(r.room, std::nullopt, {"B", ""});
    r.relay.run(r.now);  // B's join reaches the relay; the host's replies wait in its outbox
    for (int i = 0; i < 60; ++i) {
        voice.fill(pcm);
        REQUIRE(host.session->send_audio(pcm, r.now).ok());
        r.now += 20ms;
        host.session->tick(r.now);
    }
    const auto backlog = host.session->take_outbound();
    std::size_t media = 0, signatures = 0, bundles = 0;
    for (const auto& o : backlog) {
        const wire w{o.binary, o.data};
        const auto type = binary_type_of(w);
        media += type == proto::binary_type::media ? 1 : 0;
        signatures += type == proto::binary_type::speaker_signature ? 1 : 0;
        bundles += (type == proto::binary_type::key_bundle || type == proto::binary_type::key_announcement) ? 1 : 0;
        CHECK(o.media == (type == proto::binary_type::media));
    }
    CHECK(signatures == 6);  // one per 10 frames, all kept
    CHECK(bundles >= 1);     // the join batch's key material, kept
    CHECK(media < 60);       // audio was shed
    CHECK(host.session->stats().outbox_media_dropped == 60 - media);
    (void)a;
}
