// The relay engine on its own, with a recording sink: handshake, routing by header only,
// one shared buffer per broadcast, and the key-distribution and media permission checks.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "engine_fixture.hpp"
#include "stoa/room/errors.hpp"

using stoa::relay::connection_id;
using stoa::test::engine_fixture;
using stoa::test::errors_of;
using stoa::test::generous;
using stoa::test::recording_sink;

namespace {

bool has_error(const std::vector<stoa::proto::server_message>& messages, std::uint16_t code) {
    for (const auto& m : messages) {
        if (const auto* error = std::get_if<stoa::proto::error_message>(&m.body); error && error->code == code) return true;
    }
    return false;
}

}  // namespace

TEST_CASE("the relay admits only a proven key pair", "[relay][auth]") {
    engine_fixture f;
    const connection_id c(99);
    auto identity = stoa::e2ee::identity::generate(f.random);
    auto impostor = stoa::e2ee::identity::generate(f.random);
    f.engine.on_open(c, f.now);
    f.text(c, stoa::proto::hello{identity.key(), "t", "1"});
    const auto replies = f.sink.texts(c);
    const auto* challenge = std::get_if<stoa::proto::challenge>(&replies.back().body);
    REQUIRE(challenge != nullptr);

    SECTION("a signature by another key is refused and the connection closed") {
        const auto signature = impostor.sign(stoa::proto::auth_transcript("stoa relay", challenge->nonce));
        stoa::proto::auth auth;
        std::copy(signature.begin(), signature.end(), auth.signature.begin());
        f.text(c, auth);
        CHECK(has_error(f.sink.texts(c), static_cast<std::uint16_t>(stoa::proto::relay_error::auth_failed)));
        CHECK(f.sink.closed.contains(c.value));
        CHECK(f.engine.stats().auth_failures == 1);
    }
    SECTION("a signature for another relay's context is refused") {
        const auto signature = identity.sign(stoa::proto::auth_transcript("https://elsewhere", challenge->nonce));
        stoa::proto::auth auth;
        std::copy(signature.begin(), signature.end(), auth.signature.begin());
        f.text(c, auth);
        CHECK(f.sink.closed.contains(c.value));
    }
    SECTION("a signature over another challenge is refused") {
        auto other = challenge->nonce;
        other[0] ^= 1;
        const auto signature = identity.sign(stoa::proto::auth_transcript("stoa relay", other));
        stoa::proto::auth auth;
        std::copy(signature.begin(), signature.end(), auth.signature.begin());
        f.text(c, auth);
        CHECK(f.sink.closed.contains(c.value));
    }
    SECTION("the right key over the right transcript is admitted") {
        const auto signature = identity.sign(stoa::proto::auth_transcript("stoa relay", challenge->nonce));
        stoa::proto::auth auth;
        std::copy(signature.begin(), signature.end(), auth.signature.begin());
        f.text(c, auth);
        CHECK_FALSE(f.sink.closed.contains(c.value));
        CHECK(f.engine.stats().authenticated == 1);
    }
    SECTION("room requests before auth are refused") {
        f.text(c, stoa::proto::create_room{stoa::room::room_kind::open, false, "r"});
        CHECK(has_error(f.sink.texts(c), static_cast<std::uint16_t>(stoa::proto::relay_error::not_authenticated)));
        CHECK(f.engine.room_count() == 0);
    }
}

TEST_CASE("a speaker's frame reaches every other member as one shared buffer", "[relay][fanout]") {
    engine_fixture f;
    auto [host, host_identity] = f.authenticated();
    const auto room = f.create_room(host);
    const auto host_index = f.join(host, room);
    std::vector<connection_id> listeners;
    for (int i = 0; i < 20; ++i) {
        auto [c, identity] = f.authenticated();
        (void)f.join(c, room);
        listeners.push_back(c);
    }
    f.text(host, stoa::proto::room_action{stoa::room::action::set_self_muted{false}});
    f.sink.sent.clear();

    stoa::bytes frame;
    stoa::proto::encode_media(frame, host_index, stoa::bytes(80, 0x5a));
    const auto original = stoa::relay::make_message(std::string(frame.begin(), frame.end()), stoa::relay::payload_kind::binary, stoa::relay::traffic_class::media);
    f.engine.on_binary(host, original, f.now);
    for (const auto c : listeners) {
        REQUIRE(f.sink.sent[c.value].size() == 1);
        CHECK(f.sink.sent[c.value][0].get() == original.get());  // no per-listener copy
    }
    CHECK_FALSE(f.sink.sent.contains(host.value));
    CHECK(f.engine.stats().media_deliveries == listeners.size());
}

TEST_CASE("binary messages must carry the sender's own index", "[relay][routing]") {
    engine_fixture f;
    auto [host, host_identity] = f.authenticated();
    const auto room = f.create_room(host);
    const auto host_index = f.join(host, room);
    auto [other, other_identity] = f.authenticated();
    (void)f.join(other, room);
    f.text(host, stoa::proto::room_action{stoa::room::action::set_self_muted{false}});
    f.sink.sent.clear();

    stoa::bytes spoofed;
    stoa::proto::encode_media(spoofed, stoa::sender_index(host_index.value + 1), stoa::bytes(40, 1));
    f.binary(host, spoofed);
    CHECK_FALSE(f.sink.sent.contains(other.value));
    CHECK(f.engine.stats().media_dropped_sender_mismatch == 1);
}

TEST_CASE("only the host distributes keys and each recipient gets only its own blob", "[relay][keys]") {
    engine_fixture f;
    auto [host, host_identity] = f.authenticated();
    const auto room = f.create_room(host);
    const auto host_index = f.join(host, room);
    auto [a, a_identity] = f.authenticated();
    const auto a_index = f.join(a, room);
    auto [b, b_identity] = f.authenticated();
    const auto b_index = f.join(b, room);
    f.sink.sent.clear();

    std::vector<stoa::proto::key_bundle_entry> entries{{a_index, stoa::bytes(211, 0xaa)}, {b_index, stoa::bytes(211, 0xbb)}};
    SECTION("from the host: split per recipient") {
        for (const auto& part : stoa::proto::split_key_bundle(host_index, entries)) f.binary(host, part);
        for (const auto& [c, fill] : {std::pair{a, std::uint8_t{0xaa}}, std::pair{b, std::uint8_t{0xbb}}}) {
            REQUIRE(f.sink.sent[c.value].size() == 1);
            auto decoded = stoa::proto::decode_binary(f.sink.sent[c.value][0]->bytes(), stoa::proto::direction::relay_to_client);
            REQUIRE(decoded.ok());
            const auto& package = std::get<stoa::proto::key_package_message>(decoded.value());
            CHECK(package.distributor == host_index);
            CHECK(package.blob == stoa::bytes(211, fill));
        }
        CHECK(f.engine.stats().key_packages_delivered == 2);
    }
    SECTION("from anyone else: refused") {
        for (const auto& part : stoa::proto::split_key_bundle(a_index, entries)) f.binary(a, part);
        CHECK_FALSE(f.sink.sent.contains(b.value));
        CHECK(f.engine.stats().key_messages_refused == 1);
        CHECK(has_error(f.sink.texts(a), static_cast<std::uint16_t>(stoa::room::room_error::not_permitted)));
    }
}

TEST_CASE("a member who disconnects leaves the room and the host hands over", "[relay][room]") {
    engine_fixture f;
    auto [host, host_identity] = f.authenticated();
    const auto room = f.create_room(host);
    (void)f.join(host, room);
    auto [next, next_identity] = f.authenticated();
    (void)f.join(next, room);
    f.engine.on_close(host, f.now);
    const auto* authority = f.engine.find_room(room);
    REQUIRE(authority != nullptr);
    CHECK(authority->member_count() == 1);
    REQUIRE(authority->host().has_value());
    CHECK(*authority->host() == next_identity.id());
}

namespace {

constexpr auto code_of(stoa::proto::relay_error e) { return static_cast<std::uint16_t>(e); }

template <typename Delta>
std::size_t deltas_to(const recording_sink& sink, connection_id c) {
    std::size_t n = 0;
    for (const auto& m : sink.texts(c)) {
        if (const auto* d = std::get_if<stoa::proto::delta_message>(&m.body)) {
            n += std::holds_alternative<Delta>(d->delta.change) ? 1 : 0;
        }
    }
    return n;
}

}  // namespace

TEST_CASE("joins are rate-limited per identity and per address, and the bucket refills", "[relay][limits]") {
    auto config = generous();
    SECTION("per identity") {
        config.joins_per_identity = {2.0, 1.0};
        engine_fixture f(config);
        auto [host, host_identity] = f.authenticated("10.0.0.1");
        const auto room = f.create_room(host);  // creating takes a join token too
        (void)f.join(host, room);
        auto [c, identity] = f.authenticated("10.0.0.2");
        (void)identity;
        (void)f.join(c, room);
        f.text(c, stoa::proto::room_action{stoa::room::action::leave{}});
        f.engine.on_text(c, stoa::proto::encode(stoa::proto::client_message{7, stoa::proto::join_room{room, std::nullopt, {}}}), f.now);
        f.text(c, stoa::proto::room_action{stoa::room::action::leave{}});
        f.sink.sent.clear();
        f.engine.on_text(c, stoa::proto::encode(stoa::proto::client_message{8, stoa::proto::join_room{room, std::nullopt, {}}}), f.now);
        const auto errors = errors_of(f.sink, c);
        REQUIRE(errors.size() == 1);
        CHECK(errors[0].code == code_of(stoa::proto::relay_error::rate_limited));
        CHECK(f.sink.texts(c).back().request_id == 8U);
        CHECK(f.engine.find_room(room)->find(identity.id()) == nullptr);
        CHECK(f.engine.stats().errors_sent[503] == 1);

        f.now += std::chrono::seconds(1);  // one token back
        f.sink.sent.clear();
        (void)f.join(c, room);
        CHECK(errors_of(f.sink, c).empty());
    }
    SECTION("per address: many identities behind one address share a bucket") {
        config.joins_per_address = {3.0, 0.1};
        engine_fixture f(config);
        auto [host, host_identity] = f.authenticated("10.0.0.1");
        const auto room = f.create_room(host);
        (void)f.join(host, room);
        std::vector<connection_id> crowd;
        for (int i = 0; i < 5; ++i) {
            auto [c, identity] = f.authenticated("192.0.2.7");
            f.engine.on_text(c, stoa::proto::encode(stoa::proto::client_message{1, stoa::proto::join_room{room, std::nullopt, {}}}), f.now);
            crowd.push_back(c);
        }
        std::size_t limited = 0;
        for (const auto c : crowd) {
            for (const auto& e : errors_of(f.sink, c)) limited += e.code == code_of(stoa::proto::relay_error::rate_limited) ? 1 : 0;
        }
        CHECK(limited == 2);
        CHECK(f.engine.find_room(room)->member_count() == 4);
        // Another address is unaffected.
        auto [other, other_identity] = f.authenticated("192.0.2.8");
        (void)f.join(other, room);
        CHECK(f.engine.find_room(room)->find(other_identity.id()) != nullptr);
    }
}

TEST_CASE("directory reads are rate-limited per connection and per address", "[relay][limits]") {
    auto config = generous();
    config.directory_per_connection = {2.0, 0.5};
    engine_fixture f(config);
    const connection_id c(500);
    f.engine.on_open(c, f.now, "198.51.100.1");
    for (std::uint32_t i = 0; i < 3; ++i) {
        f.engine.on_text(c, stoa::proto::encode(stoa::proto::client_message{i, stoa::proto::directory_query{0, 10}}), f.now);
    }
    std::size_t listings = 0;
    for (const auto& m : f.sink.texts(c)) listings += std::holds_alternative<stoa::proto::directory_listing>(m.body) ? 1 : 0;
    CHECK(listings == 2);
    const auto errors = errors_of(f.sink, c);
    REQUIRE(errors.size() == 1);
    CHECK(errors[0].code == code_of(stoa::proto::relay_error::rate_limited));

    SECTION("a fresh connection from the same address shares the address's bucket") {
        auto tight = generous();
        tight.directory_per_address = {3.0, 0.01};
        engine_fixture g(tight);
        std::size_t refused = 0;
        for (std::uint64_t i = 0; i < 5; ++i) {
            const connection_id scraper(600 + i);
            g.engine.on_open(scraper, g.now, "203.0.113.9");
            g.text(scraper, stoa::proto::directory_query{0, 10});
            refused += errors_of(g.sink, scraper).size();
        }
        CHECK(refused == 2);
    }
}

TEST_CASE("a control flood is answered with rate_limited and dropped", "[relay][limits]") {
    auto config = generous();
    config.control_per_connection = {5.0, 1.0};
    engine_fixture f(config);
    auto [c, identity] = f.authenticated();  // hello and auth took two tokens
    f.sink.sent.clear();
    for (std::uint32_t i = 0; i < 6; ++i) f.text(c, stoa::proto::ping{i});
    std::size_t pongs = 0;
    for (const auto& m : f.sink.texts(c)) pongs += std::holds_alternative<stoa::proto::pong>(m.body) ? 1 : 0;
    CHECK(pongs == 3);
    CHECK(errors_of(f.sink, c).size() == 3);
    CHECK(f.engine.stats().rate_limited == 3);
    CHECK_FALSE(f.sink.closed.contains(c.value));
}

TEST_CASE("a speaker's media over its rate is dropped and counted", "[relay][limits]") {
    auto config = generous();
    config.media_per_connection = {3.0, 1.0};
    engine_fixture f(config);
    auto [host, host_identity] = f.authenticated();
    const auto room = f.create_room(host);
    const auto index = f.join(host, room);
    auto [listener, listener_identity] = f.authenticated();
    (void)f.join(listener, room);
    f.text(host, stoa::proto::room_action{stoa::room::action::set_self_muted{false}});
    f.sink.sent.clear();
    stoa::bytes frame;
    stoa::proto::encode_media(frame, index, stoa::bytes(60, 1));
    for (int i = 0; i < 5; ++i) f.binary(host, frame);
    CHECK(f.sink.sent[listener.value].size() == 3);
    CHECK(f.engine.stats().media_dropped_rate_limited == 2);
}

TEST_CASE("one identity may be in only so many rooms at once", "[relay][limits]") {
    auto config = generous();
    config.max_concurrent_rooms_per_identity = 2;
    engine_fixture f(config);
    std::vector<stoa::room_id> rooms;
    for (int i = 0; i < 3; ++i) {
        auto [host, host_identity] = f.authenticated();
        rooms.push_back(f.create_room(host));
        (void)f.join(host, rooms.back());
    }
    auto visitor = stoa::e2ee::identity::generate(f.random);
    std::vector<connection_id> connections;
    for (const auto& room : rooms) {
        const auto c = f.authenticate_as(visitor);
        f.engine.on_text(c, stoa::proto::encode(stoa::proto::client_message{3, stoa::proto::join_room{room, std::nullopt, {}}}), f.now);
        connections.push_back(c);
    }
    CHECK(errors_of(f.sink, connections[0]).empty());
    CHECK(errors_of(f.sink, connections[1]).empty());
    const auto refused = errors_of(f.sink, connections[2]);
    REQUIRE(refused.size() == 1);
    CHECK(refused[0].code == code_of(stoa::proto::relay_error::too_many_rooms));

    // Leaving one frees a place.
    f.text(connections[0], stoa::proto::room_action{stoa::room::action::leave{}});
    f.sink.sent.clear();
    f.engine.on_text(connections[2], stoa::proto::encode(stoa::proto::client_message{4, stoa::proto::join_room{rooms[2], std::nullopt, {}}}), f.now);
    CHECK(errors_of(f.sink, connections[2]).empty());
    CHECK(f.engine.find_room(rooms[2])->find(visitor.id()) != nullptr);
}

TEST_CASE("reconnect grace: a returning member keeps its role under a new sender index", "[relay][grace]") {
    engine_fixture f(generous());
    auto [host, host_identity] = f.authenticated();
    const auto room = f.create_room(host);
    (void)f.join(host, room);
    auto speaker_identity = stoa::e2ee::identity::generate(f.random);
    const auto first = f.authenticate_as(speaker_identity);
    const auto old_index = f.join(first, room);
    f.text(host, stoa::proto::room_action{stoa::room::action::invite_to_stage{speaker_identity.id()}});
    f.text(first, stoa::proto::room_action{stoa::room::action::accept_invite{}});
    f.text(first, stoa::proto::room_action{stoa::room::action::set_self_muted{false}});
    REQUIRE(f.engine.find_room(room)->find(speaker_identity.id())->member_role == stoa::room::role::speaker);

    f.engine.on_close(first, f.now);
    const auto* held = f.engine.find_room(room)->find(speaker_identity.id());
    REQUIRE(held != nullptr);  // the seat is kept ...
    CHECK(held->member_role == stoa::room::role::speaker);
    CHECK(f.engine.stats().seats_held == 1);
    CHECK(f.engine.members_by_role().held_seats == 1);

    SECTION("back within the window: same role, fresh index, the others see it move") {
        f.now += std::chrono::seconds(5);
        f.engine.tick(f.now);
        f.sink.sent.clear();
        const auto second = f.authenticate_as(speaker_identity);
        const auto new_index = f.join(second, room);
        CHECK(new_index != old_index);
        const auto* back = f.engine.find_room(room)->find(speaker_identity.id());
        REQUIRE(back != nullptr);
        CHECK(back->member_role == stoa::room::role::speaker);
        CHECK(back->self_muted);
        CHECK(f.engine.stats().seats_reattached == 1);
        CHECK(f.engine.stats().joins == 2);  // host and the first join only
        CHECK(deltas_to<stoa::room::delta::member_left>(f.sink, host) == 1);
        CHECK(deltas_to<stoa::room::delta::member_joined>(f.sink, host) == 1);
        // Media under the old index is refused; under the new one it is the member's own.
        f.text(second, stoa::proto::room_action{stoa::room::action::set_self_muted{false}});
        f.sink.sent.clear();
        stoa::bytes stale;
        stoa::proto::encode_media(stale, old_index, stoa::bytes(40, 1));
        f.binary(second, stale);
        CHECK(f.engine.stats().media_dropped_sender_mismatch == 1);
        stoa::bytes fresh;
        stoa::proto::encode_media(fresh, new_index, stoa::bytes(40, 1));
        f.binary(second, fresh);
        CHECK(f.sink.sent[host.value].size() == 1);
    }
    SECTION("the window runs out: the member leaves as disconnected") {
        f.now += std::chrono::seconds(11);
        f.sink.sent.clear();
        f.engine.tick(f.now);
        CHECK(f.engine.find_room(room)->find(speaker_identity.id()) == nullptr);
        CHECK(deltas_to<stoa::room::delta::member_left>(f.sink, host) == 1);
        CHECK(f.engine.stats().seats_expired == 1);
        const auto later = f.authenticate_as(speaker_identity);
        (void)f.join(later, room);
        CHECK(f.engine.find_room(room)->find(speaker_identity.id())->member_role == stoa::room::role::listener);
    }
    SECTION("kicked while away: the return is a plain join, and a ban still holds") {
        f.text(host, stoa::proto::room_action{stoa::room::action::ban{speaker_identity.id()}});
        CHECK(f.engine.find_room(room)->find(speaker_identity.id()) == nullptr);
        const auto second = f.authenticate_as(speaker_identity);
        f.engine.on_text(second, stoa::proto::encode(stoa::proto::client_message{9, stoa::proto::join_room{room, std::nullopt, {}}}), f.now);
        const auto errors = errors_of(f.sink, second);
        REQUIRE(errors.size() == 1);
        CHECK(errors[0].code == static_cast<std::uint16_t>(stoa::room::room_error::banned));
    }
    SECTION("the host's seat is not held: it hands over at once") {
        f.engine.on_close(host, f.now);
        CHECK(f.engine.find_room(room)->find(host_identity.id()) == nullptr);
    }
}

TEST_CASE("shutdown tells every connection when to come back, closes them and refuses joins", "[relay][shutdown]") {
    engine_fixture f(generous());
    auto [host, host_identity] = f.authenticated();
    const auto room = f.create_room(host);
    (void)f.join(host, room);
    auto [waiting, waiting_identity] = f.authenticated();
    f.sink.sent.clear();
    f.engine.shutdown(2500, f.now);
    for (const auto c : {host, waiting}) {
        const auto texts = f.sink.texts(c);
        REQUIRE(texts.size() == 1);
        const auto* notice = std::get_if<stoa::proto::shutdown>(&texts[0].body);
        REQUIRE(notice != nullptr);
        CHECK(notice->reconnect_after_ms == 2500);
        REQUIRE(f.sink.closed.contains(c.value));
        CHECK(f.sink.closed.at(c.value) == stoa::relay::close_code::going_away);
    }
    CHECK(f.sink.sent[host.value][0].get() == f.sink.sent[waiting.value][0].get());  // one shared buffer
    f.engine.on_text(waiting, stoa::proto::encode(stoa::proto::client_message{5, stoa::proto::join_room{room, std::nullopt, {}}}), f.now);
    const auto errors = errors_of(f.sink, waiting);
    REQUIRE(errors.size() == 1);
    CHECK(errors[0].code == code_of(stoa::proto::relay_error::server_shutting_down));
}

TEST_CASE("members are counted by role for metrics", "[relay][metrics]") {
    engine_fixture f(generous());
    auto [host, host_identity] = f.authenticated();
    const auto room = f.create_room(host);
    (void)f.join(host, room);
    for (int i = 0; i < 3; ++i) {
        auto [c, identity] = f.authenticated();
        (void)f.join(c, room);
    }
    const auto counts = f.engine.members_by_role();
    CHECK(counts.hosts == 1);
    CHECK(counts.moderators == 0);
    CHECK(counts.speakers == 0);
    CHECK(counts.listeners == 3);
}

TEST_CASE("a connection that does not finish hello and auth in time is closed, an authenticated one is not",
          "[relay][auth]") {
    stoa::relay::relay_config config;
    config.handshake_timeout = std::chrono::seconds(10);
    engine_fixture f(config);
    const auto [ready, identity] = f.authenticated();
    const connection_id silent(f.next++);
    f.engine.on_open(silent, f.now);
    const connection_id reopened(f.next++);
    f.engine.on_open(reopened, f.now);
    f.now += std::chrono::seconds(5);
    const connection_id later(f.next++);
    f.engine.on_open(later, f.now);
    // A reopened id counts from its latest opening.
    f.engine.on_close(reopened, f.now);
    f.engine.on_open(reopened, f.now);

    f.now += std::chrono::seconds(5);  // exactly the timeout for `silent`: not over it yet
    f.engine.tick(f.now);
    CHECK(f.sink.closed.empty());
    f.now += std::chrono::milliseconds(1);
    f.engine.tick(f.now);
    CHECK(f.sink.closed.size() == 1);
    CHECK(f.sink.closed.at(silent.value) == stoa::relay::close_code::policy_violation);
    CHECK(f.engine.connection_count() == 3);

    f.now += std::chrono::seconds(5);
    f.engine.tick(f.now);
    CHECK(f.sink.closed.size() == 3);
    CHECK(f.sink.closed.contains(later.value));
    CHECK(f.sink.closed.contains(reopened.value));
    CHECK_FALSE(f.sink.closed.contains(ready.value));
    CHECK(f.engine.connection_count() == 1);
    bool timed_out = false;
    for (const auto& message : f.sink.texts(silent)) {
        if (const auto* error = std::get_if<stoa::proto::error_message>(&message.body)) {
            timed_out = timed_out || error->name == "handshake_timeout";
        }
    }
    CHECK(timed_out);
}
