// Whole rooms through the relay engine and real client sessions, in one process: the paths a
// user takes (join, speak, hear, moderate) and the attacks the design must defeat.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <string_view>

#include "room_fixture.hpp"
#include "stoa/audio/tone.hpp"
#include "stoa/e2ee/frame_crypto.hpp"
#include "stoa/proto/binary.hpp"
#include "stoa/room/errors.hpp"

using namespace std::chrono_literals;
using stoa::test::room_fixture;
using stoa::test::room_member;

namespace {


// What an attacker who keeps every key it was ever sent can build: a keyring fed with the key
// packages the relay delivered to one member.
struct key_hoarder {
    explicit key_hoarder(const stoa::room_id& room) : ring(stoa::e2ee::keyring_config{room}) {}
    stoa::e2ee::keyring ring;
    stoa::e2ee::frame_decryptor decryptor;

    // Installs a key package the relay is delivering to `member`, as that member would.
    void take_if_package(room_fixture& f, const room_member& host, const room_member& member,
                         stoa::relay::connection_id to, stoa::byte_view data) {
        if (to != member.connection) return;
        auto header = stoa::proto::peek_binary_header(data);
        if (!header.ok() || header->type != stoa::proto::binary_type::key_package) return;
        const stoa::e2ee::distributor_ref ref{host.session->index(), host.session->identity().key()};
        (void)ring.handle_package(header->sender, data.subspan(stoa::proto::binary_header_size), ref,
                                  member.session->identity(), f.now, member.session->session());
    }
    // Watches the relay's binary messages to `member` and keeps every key in them.
    void hoard_from(room_fixture& f, const room_member& host, const room_member& member) {
        f.network.observer = [this, &f, &host, &member](stoa::loopback::flow direction, stoa::relay::connection_id c,
                                                        bool binary, stoa::byte_view data) {
            if (direction == stoa::loopback::flow::relay_to_client && binary) take_if_package(f, host, member, c, data);
        };
    }
};

std::size_t find_bytes(stoa::byte_view haystack, std::string_view needle) {
    const auto it = std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end());
    return it == haystack.end() ? std::string_view::npos : static_cast<std::size_t>(it - haystack.begin());
}

}  // namespace

TEST_CASE("listeners decrypt, decode and hear the speaker's tone", "[loopback][audio]") {
    room_fixture f;
    room_member& host = f.create_room();
    room_member& a = f.join("A");
    room_member& b = f.join("B");
    f.advance_frames(600ms);
    REQUIRE(a.session->current_epoch().has_value());
    REQUIRE(b.session->current_epoch().has_value());
    host.session->act(stoa::room::action::set_self_muted{false});
    f.run();

    const auto heard = speak_and_listen(f, host, a, 440.0, 80);
    CHECK(stoa::audio::tone_ratio(heard, 440.0) > 0.6);
    CHECK(std::abs(stoa::audio::dominant_frequency(heard) - 440.0) < 10.0);
    CHECK(a.session->stats().frames_received >= 75);
    CHECK(a.session->stats().decrypt_failures == 0);
    CHECK(b.session->stats().frames_received == a.session->stats().frames_received);
}

TEST_CASE("the relay drops a listener's media and counts it", "[loopback][relay]") {
    room_fixture f;
    room_member& host = f.create_room();
    room_member& listener = f.join("L");
    room_member& other = f.join("O");
    f.advance_frames(600ms);

    // The client refuses on its own ...
    stoa::audio::pcm_frame pcm{};
    CHECK(listener.session->send_audio(pcm, f.now).error() == stoa::client::client_error::not_on_stage);
    // ... and a modified client that sends anyway is stopped by the relay.
    stoa::bytes forged;
    const stoa::bytes payload(60, 0x42);
    stoa::proto::encode_media(forged, listener.session->index(), payload);
    const auto before = f.network.engine().stats().media_dropped_not_on_stage;
    f.network.engine().on_binary(listener.connection,
                                 stoa::relay::make_message(std::string(forged.begin(), forged.end()),
                                                           stoa::relay::payload_kind::binary,
                                                           stoa::relay::traffic_class::media),
                                 f.now);
    f.run();
    CHECK(f.network.engine().stats().media_dropped_not_on_stage == before + 1);
    CHECK(other.session->stats().frames_received == 0);
    CHECK(other.session->stats().decrypt_failures == 0);
    (void)host;
}

TEST_CASE("a kicked member cannot decrypt audio of the next epoch, even keeping every key", "[loopback][e2ee]") {
    room_fixture f;
    room_member& host = f.create_room();
    room_member& victim = f.join("Kicked");
    room_member& stays = f.join("Stays");

    // The attacker records every key package and every frame the relay sends the kicked member,
    // and every frame sent to the member who stays.
    key_hoarder hoard(f.room);
    std::vector<stoa::bytes> frames_to_stays;
    f.network.observer = [&](stoa::loopback::flow direction, stoa::relay::connection_id c, bool binary,
                             stoa::byte_view data) {
        if (direction != stoa::loopback::flow::relay_to_client || !binary) return;
        auto header = stoa::proto::peek_binary_header(data);
        if (!header.ok()) return;
        const auto payload = data.subspan(stoa::proto::binary_header_size);
        hoard.take_if_package(f, host, victim, c, data);
        if (c == stays.connection && header->type == stoa::proto::binary_type::media) {
            frames_to_stays.emplace_back(payload.begin(), payload.end());
        }
    };
    f.advance_frames(600ms);
    host.session->act(stoa::room::action::set_self_muted{false});
    f.run();
    (void)speak_and_listen(f, host, stays, 440.0, 10);

    // Sanity: before the kick the hoarded keys do open the room's audio.
    REQUIRE(!frames_to_stays.empty());
    std::vector<std::uint8_t> plain(2000);
    CHECK(hoard.decryptor.unprotect(hoard.ring, host.session->index(), frames_to_stays.back(), plain, f.now).ok());

    host.session->act(stoa::room::action::kick{victim.session->id()});
    f.run();
    CHECK_FALSE(victim.session->in_room());
    CHECK(stoa::test::count_events<stoa::client::event::removed>(victim) == 1);
    f.advance_frames(1500ms);  // the leave batch closes and the fresh epoch is sent to those who stay

    frames_to_stays.clear();
    const auto received_before = stays.session->stats().frames_received;
    (void)speak_and_listen(f, host, stays, 440.0, 10);
    REQUIRE(!frames_to_stays.empty());
    CHECK(stays.session->stats().frames_received > received_before);  // the room goes on
    for (const auto& frame : frames_to_stays) {
        auto opened = hoard.decryptor.unprotect(hoard.ring, host.session->index(), frame, plain, f.now);
        REQUIRE_FALSE(opened.ok());
        CHECK(opened.error() == stoa::e2ee::e2ee_error::unknown_epoch);
    }
}

TEST_CASE("nothing the relay sees contains a display name or profile text", "[loopback][e2ee]") {
    room_fixture f;
    std::vector<stoa::bytes> relay_visible;
    f.network.observer = [&](stoa::loopback::flow, stoa::relay::connection_id, bool, stoa::byte_view data) {
        relay_visible.emplace_back(data.begin(), data.end());
    };
    room_member& host = f.create_room(stoa::room::room_kind::open, "Ada Lovelace");
    room_member& listener = f.join("Grace Hopper");
    f.advance_frames(600ms);
    host.session->act(stoa::room::action::set_self_muted{false});
    f.run();
    (void)speak_and_listen(f, host, listener, 440.0, 10);

    // Members can read the host's name ...
    const auto stage = listener.session->stage();
    REQUIRE(stage.size() == 1);
    REQUIRE(stage[0].profile.has_value());
    CHECK(stage[0].profile->display_name == "Ada Lovelace");
    // ... the relay never could.
    REQUIRE(relay_visible.size() > 20);
    for (const auto& data : relay_visible) {
        CHECK(find_bytes(data, "Ada Lovelace") == std::string_view::npos);
        CHECK(find_bytes(data, "Grace Hopper") == std::string_view::npos);
        CHECK(find_bytes(data, "Lovelace") == std::string_view::npos);
    }
}

TEST_CASE("a frame forged under a speaker's index by another key holder raises an alarm", "[loopback][e2ee]") {
    room_fixture f;
    room_member& host = f.create_room();
    room_member& forger = f.join("Forger");
    room_member& victim = f.join("Listener");

    key_hoarder forger_keys(f.room);
    forger_keys.hoard_from(f, host, forger);
    f.advance_frames(600ms);
    REQUIRE(forger_keys.ring.newest_epoch().has_value());

    // The forger holds the room key, so it can encrypt as if it were the host; the relay (or a
    // relay operator colluding with it) delivers the frame stamped with the host's index.
    stoa::e2ee::frame_encryptor as_host(host.session->index());
    const stoa::bytes fake_audio{1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xf8, 0xff, 0xfe};
    std::vector<std::uint8_t> sealed(stoa::e2ee::frame_encryptor::max_protected_size(fake_audio.size()));
    auto frame = as_host.protect(forger_keys.ring, fake_audio, sealed, f.now + 400ms);
    REQUIRE(frame.ok());
    stoa::bytes message;
    stoa::proto::encode_media(message, host.session->index(), stoa::byte_view(sealed).first(frame->size));
    victim.session->receive_binary(message, f.now);
    CHECK(victim.session->stats().frames_received == 1);  // the AEAD alone cannot tell

    f.advance_frames(1500ms);
    REQUIRE(stoa::test::count_events<stoa::client::event::speaker_alarm>(victim) >= 1);
    for (const auto& e : victim.events) {
        if (const auto* alarm = std::get_if<stoa::client::event::speaker_alarm>(&e)) {
            CHECK(alarm->sender == host.session->index());
        }
    }
}

TEST_CASE("replayed media is rejected", "[loopback][e2ee]") {
    room_fixture f;
    room_member& host = f.create_room();
    room_member& listener = f.join("L");
    f.advance_frames(600ms);
    host.session->act(stoa::room::action::set_self_muted{false});
    f.run();
    stoa::bytes captured;
    f.network.observer = [&](stoa::loopback::flow direction, stoa::relay::connection_id c, bool binary,
                             stoa::byte_view data) {
        if (direction == stoa::loopback::flow::relay_to_client && binary && c == listener.connection &&
            data[0] == static_cast<std::uint8_t>(stoa::proto::binary_type::media)) {
            captured.assign(data.begin(), data.end());
        }
    };
    (void)speak_and_listen(f, host, listener, 440.0, 5);
    REQUIRE_FALSE(captured.empty());
    const auto received = listener.session->stats().frames_received;
    listener.session->receive_binary(captured, f.now);
    CHECK(listener.session->stats().frames_received == received);
    CHECK(listener.session->stats().replays_rejected == 1);
}

TEST_CASE("a closed room admits only holders of the invite capability", "[loopback][room]") {
    room_fixture f;
    (void)f.create_room(stoa::room::room_kind::closed);
    REQUIRE(f.invite.has_value());
    room_member& outsider = f.join("Outsider", false);
    CHECK_FALSE(outsider.session->in_room());
    bool refused = false;
    for (const auto& e : outsider.events) {
        if (const auto* error = std::get_if<stoa::client::event::error>(&e)) {
            refused = error->code == static_cast<std::uint16_t>(stoa::room::room_error::invite_required);
        }
    }
    CHECK(refused);
    room_member& guest = f.join("Guest", true);
    CHECK(guest.session->in_room());
}

TEST_CASE("roles are enforced: a listener cannot moderate", "[loopback][room]") {
    room_fixture f;
    room_member& host = f.create_room();
    room_member& listener = f.join("L");
    listener.session->act(stoa::room::action::kick{host.session->id()});
    f.run();
    bool refused = false;
    for (const auto& e : listener.events) {
        if (const auto* error = std::get_if<stoa::client::event::error>(&e)) {
            refused = error->code == static_cast<std::uint16_t>(stoa::room::room_error::not_permitted);
        }
    }
    CHECK(refused);
    CHECK(host.session->in_room());
    CHECK(host.session->role() == stoa::room::role::host);
}

TEST_CASE("a listener invited to the stage speaks and is heard", "[loopback][room][audio]") {
    room_fixture f;
    room_member& host = f.create_room();
    room_member& speaker = f.join("Soon a speaker");
    room_member& listener = f.join("L");
    f.advance_frames(600ms);
    speaker.session->act(stoa::room::action::raise_hand{});
    f.run();
    f.bring_to_stage(host, speaker);
    REQUIRE(speaker.session->role() == stoa::room::role::speaker);
    CHECK(stoa::test::count_events<stoa::client::event::invited_to_stage>(speaker) == 1);
    f.advance_frames(400ms);
    const auto heard = speak_and_listen(f, speaker, listener, 660.0, 60);
    CHECK(stoa::audio::tone_ratio(heard, 660.0) > 0.6);
    CHECK(listener.session->stats().unverified_frames == 0);
    CHECK(listener.session->stats().forged_frames == 0);
}

TEST_CASE("malformed input closes that connection while the others keep hearing", "[loopback][relay]") {
    room_fixture f;
    room_member& host = f.create_room();
    room_member& rogue = f.join("Rogue");
    room_member& listener = f.join("L");
    f.advance_frames(600ms);
    host.session->act(stoa::room::action::set_self_muted{false});
    f.run();

    const std::string bad_inputs[] = {"{not json", std::string(100000, '['), "{\"v\":1,\"type\":\"join\",\"x\":\xff}"};
    for (const auto& bad : bad_inputs) {
        room_member& victim = rogue.session->in_room() ? rogue : f.join("Rogue again");
        f.network.engine().on_text(victim.connection, bad, f.now);
        f.run();
        CHECK_FALSE(f.network.is_connected(victim.connection));
    }
    const auto before = listener.session->stats().frames_received;
    const auto heard = speak_and_listen(f, host, listener, 440.0, 30);
    CHECK(listener.session->stats().frames_received >= before + 28);
    CHECK(stoa::audio::tone_ratio(heard, 440.0) > 0.5);
}

TEST_CASE("a join storm costs linear relay traffic and batched rekeys", "[loopback][room][e2ee]") {
    // n listeners join within one second; the relay's messages to clients must grow linearly.
    const auto storm = [](int n) {
        room_fixture f(7);
        room_member& host = f.create_room();
        std::size_t relay_messages = 0;
        f.network.observer = [&](stoa::loopback::flow direction, stoa::relay::connection_id, bool, stoa::byte_view) {
            if (direction == stoa::loopback::flow::relay_to_client) ++relay_messages;
        };
        for (int i = 0; i < n; ++i) {
            (void)f.join("L" + std::to_string(i));
            if (i % 10 == 9) f.advance(20ms);
        }
        f.advance_frames(1500ms);
        std::uint64_t max_rekeys = 0;
        bool all_keyed = true;
        for (auto& m : f.members) {
            all_keyed = all_keyed && m->session->current_epoch().has_value();
            max_rekeys = std::max(max_rekeys, m->session->stats().rekeys);
        }
        (void)host;
        return std::tuple{relay_messages, all_keyed, max_rekeys};
    };
    const auto [small_messages, small_keyed, small_rekeys] = storm(100);
    const auto [large_messages, large_keyed, large_rekeys] = storm(200);
    CHECK(small_keyed);
    CHECK(large_keyed);
    // Doubling the storm roughly doubles the traffic (quadratic fan-out would quadruple it).
    CHECK(static_cast<double>(large_messages) < 2.6 * static_cast<double>(small_messages));
    CHECK(large_messages < 20u * 200u);
    // Joins are batched into a handful of epochs, not one rekey per join.
    CHECK(large_rekeys <= 12);
}

TEST_CASE("a forged frame is named forged once the real speaker's signed list arrives", "[loopback][e2ee]") {
    room_fixture f;
    room_member& host = f.create_room();
    room_member& forger = f.join("Forger");
    room_member& victim = f.join("Listener");
    key_hoarder forger_keys(f.room);
    forger_keys.hoard_from(f, host, forger);
    f.advance_frames(600ms);
    host.session->act(stoa::room::action::set_self_muted{false});
    f.run();
    (void)speak_and_listen(f, host, victim, 440.0, 10);  // counters 0..9, one signed batch
    REQUIRE(victim.session->stats().signatures_verified == 10);

    // The forger encrypts its own audio under the host's next counter (10) and the relay slips it
    // in ahead of the host's real frame 10.
    stoa::e2ee::frame_encryptor as_host(host.session->index());
    const stoa::bytes fake_audio{1, 0, 0, 0, 10, 0, 0, 0, 0, 0, 0, 0, 0, 0xf8, 0xff, 0xfe};
    std::vector<std::uint8_t> sealed(stoa::e2ee::frame_encryptor::max_protected_size(fake_audio.size()));
    stoa::e2ee::frame_info info{};
    for (int i = 0; i <= 10; ++i) {
        auto frame = as_host.protect(forger_keys.ring, fake_audio, sealed, f.now);
        REQUIRE(frame.ok());
        info = frame.value();
    }
    REQUIRE(info.counter == 10);
    stoa::bytes message;
    stoa::proto::encode_media(message, host.session->index(), stoa::byte_view(sealed).first(info.size));
    victim.session->receive_binary(message, f.now);

    (void)speak_and_listen(f, host, victim, 440.0, 10);  // the host's real frames 10..19 and their list
    bool forged = false;
    for (const auto& e : victim.events) {
        if (const auto* alarm = std::get_if<stoa::client::event::speaker_alarm>(&e)) {
            CHECK(alarm->sender == host.session->index());
            forged = forged || alarm->forged;
        }
    }
    CHECK(forged);
    CHECK(victim.session->stats().forged_frames == 1);
}

TEST_CASE("when the host leaves, the next host distributes keys and the room keeps talking", "[loopback][e2ee][room]") {
    room_fixture f;
    room_member& host = f.create_room();
    room_member& speaker = f.join("Next host");
    room_member& listener = f.join("L");
    f.advance_frames(600ms);
    f.bring_to_stage(host, speaker);
    f.advance_frames(400ms);
    const auto old_epoch = listener.session->current_epoch();
    REQUIRE(old_epoch.has_value());

    host.session->act(stoa::room::action::leave{});
    f.run();
    REQUIRE(speaker.session->role() == stoa::room::role::host);
    CHECK(speaker.session->is_distributor());
    f.advance_frames(600ms);
    REQUIRE(listener.session->current_epoch().has_value());
    CHECK(*listener.session->current_epoch() > *old_epoch);
    CHECK(listener.session->current_epoch() == speaker.session->current_epoch());

    const auto before = listener.session->stats().frames_received;
    const auto heard = speak_and_listen(f, speaker, listener, 550.0, 40);
    CHECK(listener.session->stats().frames_received >= before + 38);
    CHECK(listener.session->stats().decrypt_failures == 0);
    CHECK(stoa::audio::tone_ratio(heard, 550.0) > 0.5);
}

TEST_CASE("after a room ends its members can join another room", "[loopback][room]") {
    room_fixture f;
    room_member& host = f.create_room();
    room_member& listener = f.join("L");
    f.advance_frames(100ms);
    host.session->act(stoa::room::action::end_room{});
    f.run();
    CHECK_FALSE(listener.session->in_room());
    bool ended = false;
    for (const auto& e : listener.events) {
        if (const auto* removed = std::get_if<stoa::client::event::removed>(&e)) {
            ended = removed->reason == stoa::room::leave_reason::room_ended;
        }
    }
    CHECK(ended);
    CHECK(f.network.engine().find_room(f.room) == nullptr);  // nothing of it is kept

    room_member& other_host = f.create_room();
    listener.session->join_room(f.room, std::nullopt, {"L", ""});
    f.run();
    CHECK(listener.session->in_room());
    CHECK(other_host.session->audience_count() == 1);
}

TEST_CASE("a kicked member receives nothing more from the room", "[loopback][relay]") {
    room_fixture f;
    room_member& host = f.create_room();
    room_member& victim = f.join("Kicked");
    f.advance_frames(600ms);
    host.session->act(stoa::room::action::set_self_muted{false});
    f.run();
    host.session->act(stoa::room::action::kick{victim.session->id()});
    f.run();
    std::size_t after_kick = 0;
    f.network.observer = [&](stoa::loopback::flow direction, stoa::relay::connection_id c, bool, stoa::byte_view) {
        if (direction == stoa::loopback::flow::relay_to_client && c == victim.connection) ++after_kick;
    };
    room_member& newcomer = f.join("Newcomer");
    f.advance_frames(1500ms);
    (void)speak_and_listen(f, host, newcomer, 440.0, 10);
    CHECK(after_kick == 0);
    CHECK(newcomer.session->stats().frames_received >= 9);
}

TEST_CASE("a promoted moderator follows every audience change", "[loopback][room]") {
    room_fixture f;
    room_member& host = f.create_room();
    room_member& mod = f.join("Mod");
    f.bring_to_stage(host, mod);
    host.session->act(stoa::room::action::promote_moderator{mod.session->id()});
    f.run();
    REQUIRE(mod.session->role() == stoa::room::role::moderator);
    CHECK(stoa::test::count_events<stoa::client::event::role_changed>(mod) >= 1);
    // A listener joining is a full-stream delta: the moderator sees it at once, without waiting
    // for the rate-limited audience count on the stage stream.
    (void)f.join("L1");
    (void)f.join("L2");
    CHECK(mod.session->audience_count() == 2);
    room_member& raiser = *f.members.back();
    raiser.session->act(stoa::room::action::raise_hand{});
    f.run();
    CHECK(mod.session->stats().resyncs == 0);
}

TEST_CASE("a speaker back within the grace window keeps the stage and is heard under a fresh index and epoch",
          "[loopback][grace]") {
    room_fixture f;
    room_member& host = f.create_room();
    stoa::e2ee::secret_bytes<stoa::e2ee::seed_size> seed;
    f.random.fill(seed.mutable_view());
    const auto connect_as = [&](const char* name) -> room_member& {
        auto m = std::make_unique<room_member>();
        m->session = std::make_unique<stoa::client::client_session>(stoa::e2ee::identity::from_seed(seed),
                                                                    stoa::client::client_config{}, f.random);
        m->connection = f.network.connect(*m->session, f.now);
        f.members.push_back(std::move(m));
        room_member& member = *f.members.back();
        member.session->join_room(f.room, f.invite, {name, ""});
        f.run();
        return member;
    };
    room_member& speaker = connect_as("Speaker");
    room_member& listener = f.join("Listener");
    f.bring_to_stage(host, speaker);
    f.advance_frames(600ms);
    const auto first_heard = speak_and_listen(f, speaker, listener, 440.0, 40);
    REQUIRE(stoa::audio::tone_ratio(first_heard, 440.0) > 0.6);
    const auto old_index = speaker.session->index();
    const auto old_epoch = listener.session->current_epoch();
    REQUIRE(old_epoch.has_value());

    f.network.disconnect(speaker.connection, f.now);  // the transport drops; the process restarts
    f.advance(2s);
    room_member& returning = connect_as("Speaker");
    REQUIRE(returning.session->in_room());
    CHECK(returning.session->role() == stoa::room::role::speaker);
    CHECK(returning.session->index() != old_index);
    CHECK(f.network.engine().stats().seats_reattached == 1);
    f.advance_frames(1500ms);  // the host rekeys for the moved index and sends the new epoch
    REQUIRE(returning.session->current_epoch().has_value());
    CHECK(returning.session->current_epoch()->value > old_epoch->value);

    returning.session->act(stoa::room::action::set_self_muted{false});
    f.run();
    const auto failures_before = listener.session->stats().decrypt_failures;
    const auto heard = speak_and_listen(f, returning, listener, 660.0, 40);
    CHECK(stoa::audio::tone_ratio(heard, 660.0) > 0.6);
    CHECK(listener.session->stats().decrypt_failures == failures_before);
}

TEST_CASE("a speaker who pauses and speaks again is heard clearly after the pause", "[loopback][audio]") {
    room_fixture f;
    room_member& host = f.create_room();
    room_member& listener = f.join("L");
    f.advance_frames(600ms);
    host.session->act(stoa::room::action::set_self_muted{false});
    f.run();
    (void)speak_and_listen(f, host, listener, 440.0, 30);
    SECTION("the listener plays out through the pause") {
        for (int i = 0; i < 75; ++i) {
            stoa::audio::pcm_frame out{};
            listener.session->pull_audio(f.now, out);
            f.advance(20ms);
        }
    }
    SECTION("the listener's playout is suspended through the pause (a backgrounded tab)") {
        f.advance_frames(1500ms);
    }
    const auto heard = speak_and_listen(f, host, listener, 440.0, 60);
    CHECK(stoa::audio::tone_ratio(heard, 440.0) > 0.6);
}
