// Metadata: with variable bitrate and silence skipped, the relay sees each speaker's voice
// activity at 20 ms resolution and every frame's size (RFC 6562). In closed rooms speakers run at
// constant rate: constant-bitrate Opus, frames padded to one size, silence sent like speech.
#include <catch2/catch.hpp>

#include <set>

#include "hostile_room.hpp"
#include "stoa/e2ee/sframe.hpp"

using namespace stoa;
using namespace stoa::test;

namespace {

struct observed {
    std::set<std::size_t> sizes;
    std::size_t frames = 0;
};

// Speaks `talk` frames of tone then `silence` frames of silence from `speaker`; returns what the
// relay saw of the speaker's media.
observed talk_then_silence(hostile_room& r, hostile_member& speaker, int talk, int silence) {
    const std::size_t already = r.relay.sent_by(speaker.connection).size();
    audio::sine_generator voice(300.0, 0.3);
    audio::pcm_frame pcm{};
    for (int i = 0; i < talk + silence; ++i) {
        if (i < talk) {
            voice.fill(pcm);
        } else {
            pcm.fill(0);
        }
        (void)speaker.session->send_audio(pcm, r.now);
        r.run();
        for (auto& m : r.members) {
            audio::pcm_frame out{};
            if (m.get() != &speaker) m->session->pull_audio(r.now, out);
        }
        r.advance(20ms);
    }
    observed seen;
    const auto& sent = r.relay.sent_by(speaker.connection);
    for (std::size_t i = already; i < sent.size(); ++i) {
        if (binary_type_of(sent[i]) != proto::binary_type::media) continue;
        ++seen.frames;
        // The SFrame header grows by a byte as the counter passes 8 and 256; the counter is in
        // the clear anyway, so what matters is the size of the ciphertext after it.
        const auto frame = sent[i].bytes().subspan(proto::binary_header_size);
        const auto header = e2ee::parse_header(frame);
        REQUIRE(header.ok());
        seen.sizes.insert(frame.size() - header->size);
    }
    return seen;
}

}  // namespace

TEST_CASE("in a closed room the relay sees one frame size and no silence gaps", "[adversary][metadata]") {
    hostile_room r;
    hostile_member& host = r.create_room(room::room_kind::closed);
    hostile_member& listener = r.join("Listener");
    r.advance_frames(600ms);
    host.session->act(room::action::set_self_muted{false});
    r.run();
    r.advance_frames(400ms);
    const observed seen = talk_then_silence(r, host, 50, 50);
    CHECK(seen.frames == 100);      // silence was sent too
    CHECK(seen.sizes.size() == 1);  // and looked like speech
    CHECK(host.session->stats().frames_skipped_dtx == 0);
    CHECK(listener.session->stats().frames_received >= 95);
    CHECK(listener.session->stats().bad_payloads == 0);
}

TEST_CASE("an open room keeps variable bitrate and skips silence (the cheaper default)", "[adversary][metadata]") {
    hostile_room r;
    hostile_member& host = r.create_room(room::room_kind::open);
    r.join("Listener");
    r.advance_frames(600ms);
    host.session->act(room::action::set_self_muted{false});
    r.run();
    r.advance_frames(400ms);
    const observed seen = talk_then_silence(r, host, 50, 50);
    CHECK(seen.frames < 100);
    CHECK(seen.sizes.size() > 1);
}

TEST_CASE("constant rate can be forced in an open room", "[adversary][metadata]") {
    hostile_room r;
    client::client_config always;
    always.constant_rate = client::client_config::constant_rate_mode::always;
    hostile_member& host = r.connect(always);
    host.session->create_room(room::room_kind::open, false, std::string("Room"));
    r.run();
    r.room = events_of<client::event::room_created>(host).front().room;
    host.session->join_room(r.room, std::nullopt, {"Host", ""});
    r.run();
    hostile_member& listener = r.join("Listener");
    r.advance_frames(600ms);
    host.session->act(room::action::set_self_muted{false});
    r.run();
    r.advance_frames(400ms);
    const observed seen = talk_then_silence(r, host, 30, 30);
    CHECK(seen.frames == 60);
    CHECK(seen.sizes.size() == 1);
    CHECK(listener.session->stats().frames_received >= 55);
}
