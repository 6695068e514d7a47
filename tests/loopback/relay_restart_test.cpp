// Rooms survive a relay restart (issue 13): the engine is destroyed and a new one takes over, as
// when stoa-server is killed and started again. The host re-creates its room under the same id,
// the listener rejoins, audio decrypts again, and nothing decrypts under a key from before.
#include <catch2/catch.hpp>

#include <optional>
#include <string>
#include <vector>

#include "room_fixture.hpp"
#include "stoa/audio/tone.hpp"
#include "stoa/e2ee/sframe.hpp"
#include "stoa/proto/binary.hpp"

using namespace std::chrono_literals;
using stoa::test::count_events;
using stoa::test::room_fixture;
using stoa::test::room_member;
namespace event = stoa::client::event;

namespace {


// The media frames the relay delivers to one member, and the epochs their KIDs name.
struct media_tap {
    std::vector<stoa::bytes> frames;
    std::vector<std::uint64_t> epochs;

    void watch(room_fixture& f, const room_member& member) {
        f.network.observer = [this, &member](stoa::loopback::flow direction, stoa::relay::connection_id c, bool binary,
                                             stoa::byte_view data) {
            if (direction != stoa::loopback::flow::relay_to_client || !binary || c != member.connection) return;
            const auto header = stoa::proto::peek_binary_header(data);
            if (!header.ok() || header->type != stoa::proto::binary_type::media) return;
            frames.emplace_back(data.begin(), data.end());
            const auto sframe = stoa::e2ee::parse_header(data.subspan(stoa::proto::binary_header_size));
            REQUIRE(sframe.ok());
            epochs.push_back(stoa::e2ee::split_kid(sframe->header.kid).epoch.value);
        };
    }
};

template <typename Event>
std::size_t events_since(const room_member& m, std::size_t from) {
    std::size_t n = 0;
    for (std::size_t i = from; i < m.events.size(); ++i) n += std::holds_alternative<Event>(m.events[i]) ? 1 : 0;
    return n;
}

template <typename Event>
std::optional<Event> last_event(const room_member& m) {
    for (auto it = m.events.rbegin(); it != m.events.rend(); ++it) {
        if (const auto* e = std::get_if<Event>(&*it)) return *e;
    }
    return std::nullopt;
}

// Advances in 20 ms steps until `done` or `limit` passed; returns the time it took.
template <typename Done>
std::chrono::microseconds advance_until(room_fixture& f, Done done, std::chrono::milliseconds limit) {
    const auto start = f.now;
    while (!done() && f.now - start < limit) f.advance(20ms);
    return std::chrono::duration_cast<std::chrono::microseconds>(f.now - start);
}

}  // namespace

TEST_CASE("after a relay restart the host re-creates its room under the same id and the listener hears it again",
          "[loopback][restart]") {
    room_fixture f;
    room_member& host = f.create_room();
    room_member& listener = f.join("L");
    f.advance_frames(600ms);
    host.session->act(stoa::room::action::set_self_muted{false});
    f.run();
    media_tap before;
    before.watch(f, listener);
    REQUIRE(stoa::audio::tone_ratio(speak_and_listen(f, host, listener, 440.0, 40), 440.0) > 0.6);
    REQUIRE(!before.frames.empty());
    const auto old_epoch = listener.session->current_epoch();
    REQUIRE(old_epoch.has_value());
    const stoa::room_id room = f.room;
    const std::size_t host_mark = host.events.size();
    const std::size_t listener_mark = listener.events.size();

    f.network.observer = nullptr;
    f.network.restart_relay(f.now);
    f.collect();

    // A client that lost its relay says so rather than report itself in the room.
    CHECK_FALSE(host.session->in_room());
    CHECK_FALSE(listener.session->in_room());
    CHECK(events_since<event::connection_lost>(host, host_mark) == 1);
    CHECK(events_since<event::connection_lost>(listener, listener_mark) == 1);
    CHECK(events_since<event::removed>(listener, listener_mark) == 0);
    CHECK(listener.session->rejoining() == room);
    CHECK_FALSE(listener.session->current_epoch().has_value());  // the old keys are gone already

    // The listener reconnects first: the new relay has no such room yet, and it waits.
    listener.connection = f.network.connect(*listener.session, f.now);
    f.run();
    CHECK_FALSE(listener.session->in_room());
    CHECK(events_since<event::error>(listener, listener_mark) == 0);  // a room_not_found is the rejoin's to handle

    // The host reconnects: room_not_found, then create_room with its claim gives the same id.
    host.connection = f.network.connect(*host.session, f.now);
    f.run();
    REQUIRE(host.session->in_room());
    CHECK(host.session->room() == room);
    const auto host_back = last_event<event::rejoined>(host);
    REQUIRE(host_back.has_value());
    CHECK(host_back->recreated);
    CHECK(host_back->room == room);
    CHECK(events_since<event::room_created>(host, host_mark) == 0);  // not a new room to share

    // The listener's backoff brings it in.
    const auto waited = advance_until(f, [&] { return listener.session->in_room(); }, 10'000ms);
    REQUIRE(listener.session->in_room());
    CHECK(listener.session->room() == room);
    CHECK(events_since<event::rejoined>(listener, listener_mark) == 1);
    CHECK(events_since<event::error>(listener, listener_mark) == 0);
    WARN("listener back in the room " << waited.count() / 1000 << " ms after the host");

    // Fresh keys, numbered above every epoch of the room before the restart.
    f.advance_frames(600ms);
    REQUIRE(listener.session->current_epoch().has_value());
    CHECK(listener.session->current_epoch()->value > old_epoch->value);
    host.session->act(stoa::room::action::set_self_muted{false});
    f.run();
    media_tap after;
    after.watch(f, listener);
    const auto received_before = listener.session->stats().frames_received;
    CHECK(stoa::audio::tone_ratio(speak_and_listen(f, host, listener, 440.0, 40), 440.0) > 0.6);
    CHECK(listener.session->stats().frames_received > received_before);
    REQUIRE(!after.epochs.empty());
    for (const auto epoch : after.epochs) CHECK(epoch > old_epoch->value);
    for (const auto epoch : before.epochs) CHECK(epoch <= old_epoch->value);

    // A frame from before the restart, replayed now: nothing decrypts under an old key.
    f.network.observer = nullptr;
    const auto received = listener.session->stats().frames_received;
    for (const auto& frame : before.frames) listener.session->receive_binary(frame, f.now);
    CHECK(listener.session->stats().frames_received == received);
}

TEST_CASE("a closed room comes back with its invite and admission secret, so the old link still admits",
          "[loopback][restart]") {
    room_fixture f;
    room_member& host = f.connect();
    host.session->create_room(stoa::room::room_kind::closed, false, std::nullopt);
    f.run();
    const auto created = last_event<event::room_created>(host);
    REQUIRE(created.has_value());
    REQUIRE(created->invite.has_value());
    host.session->join_room(created->room, created->invite, {"Host", ""});
    f.run();
    room_member& guest = f.connect();
    guest.session->join_room(created->room, created->invite, {"Guest", ""}, created->admission, host.session->identity().key());
    f.run();
    f.advance_frames(600ms);
    REQUIRE(guest.session->current_epoch().has_value());
    const auto old_epoch = *guest.session->current_epoch();
    const std::size_t guest_mark = guest.events.size();

    f.network.restart_relay(f.now);
    host.connection = f.network.connect(*host.session, f.now);
    f.run();
    REQUIRE(host.session->in_room());
    CHECK(host.session->room() == created->room);
    guest.connection = f.network.connect(*guest.session, f.now);
    f.run();
    REQUIRE(guest.session->in_room());  // the relay took the old invite token
    f.advance_frames(600ms);
    REQUIRE(guest.session->current_epoch().has_value());  // the host admitted it under the old secret
    CHECK(guest.session->current_epoch()->value > old_epoch.value);
    CHECK(events_since<event::security_alarm>(guest, guest_mark) == 0);  // same host key as the link named
    CHECK(events_since<event::error>(guest, guest_mark) == 0);
}

TEST_CASE("a lost transport without a restart: the member is reattached to its held seat", "[loopback][restart]") {
    room_fixture f;
    room_member& host = f.create_room();
    room_member& listener = f.join("L");
    f.advance_frames(600ms);
    const std::size_t mark = listener.events.size();
    f.network.disconnect(listener.connection, f.now);
    f.collect();
    CHECK_FALSE(listener.session->in_room());
    CHECK(events_since<event::connection_lost>(listener, mark) == 1);
    listener.connection = f.network.connect(*listener.session, f.now);
    f.run();
    REQUIRE(listener.session->in_room());
    CHECK(listener.session->room() == f.room);
    CHECK(events_since<event::rejoined>(listener, mark) == 1);
    CHECK_FALSE(last_event<event::rejoined>(listener)->recreated);
    f.advance_frames(600ms);
    CHECK(listener.session->current_epoch().has_value());
    CHECK(host.session->in_room());
}

TEST_CASE("a member whose room never comes back gives up after rejoin_give_up", "[loopback][restart]") {
    room_fixture f;
    room_member& host = f.create_room();
    room_member& listener = f.join("L");
    f.advance_frames(200ms);
    const std::size_t mark = listener.events.size();
    f.network.restart_relay(f.now);
    listener.connection = f.network.connect(*listener.session, f.now);  // the host never returns
    f.run();
    (void)advance_until(f, [&] { return !listener.session->rejoining().has_value(); }, 70'000ms);
    CHECK_FALSE(listener.session->rejoining().has_value());
    CHECK_FALSE(listener.session->in_room());
    const auto failed = last_event<event::rejoin_failed>(listener);
    REQUIRE(failed.has_value());
    CHECK(failed->room == f.room);
    CHECK(failed->code == static_cast<std::uint16_t>(stoa::client::client_error::rejoin_timed_out));
    CHECK(events_since<event::removed>(listener, mark) == 1);
    (void)host;
}

TEST_CASE("leaving the room ends any rejoin: a member that left is not brought back", "[loopback][restart]") {
    room_fixture f;
    (void)f.create_room();
    room_member& listener = f.join("L");
    listener.session->act(stoa::room::action::leave{});
    f.run();
    const std::size_t mark = listener.events.size();
    f.network.restart_relay(f.now);
    f.collect();
    CHECK(events_since<event::connection_lost>(listener, mark) == 0);
    CHECK_FALSE(listener.session->rejoining().has_value());
}
