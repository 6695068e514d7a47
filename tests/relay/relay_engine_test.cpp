// The relay engine on its own, with a recording sink: handshake, routing by header only,
// one shared buffer per broadcast, and the key-distribution and media permission checks.
#include <catch2/catch.hpp>

#include <map>
#include <string>
#include <vector>

#include "stoa/e2ee/identity.hpp"
#include "stoa/proto/auth.hpp"
#include "stoa/proto/binary.hpp"
#include "stoa/proto/control_codec.hpp"
#include "stoa/relay/relay_engine.hpp"
#include "stoa/room/errors.hpp"
#include "test_random.hpp"

using stoa::relay::connection_id;

namespace {

class recording_sink final : public stoa::relay::relay_sink {
public:
    std::map<std::uint64_t, std::vector<stoa::relay::shared_message>> sent;
    std::map<std::uint64_t, stoa::relay::close_code> closed;
    void send(connection_id to, const stoa::relay::shared_message& message) override {
        sent[to.value].push_back(message);
    }
    void close(connection_id who, stoa::relay::close_code code, std::string_view) override {
        closed[who.value] = code;
    }
    std::vector<stoa::proto::server_message> texts(connection_id c) const {
        std::vector<stoa::proto::server_message> out;
        if (!sent.contains(c.value)) return out;
        for (const auto& m : sent.at(c.value)) {
            if (m->kind != stoa::relay::payload_kind::text) continue;
            auto decoded = stoa::proto::decode_server_message(m->data);
            REQUIRE(decoded.ok());
            out.push_back(std::move(decoded).value());
        }
        return out;
    }
};

struct engine_fixture {
    stoa::test::seeded_random random{11};
    recording_sink sink;
    stoa::relay::relay_engine engine{stoa::relay::relay_config{}, random, sink};
    stoa::time_point now = stoa::from_micros(5'000'000);
    std::uint64_t next = 1;

    // Opens a connection and completes hello/auth for a fresh identity.
    std::pair<connection_id, stoa::e2ee::identity> authenticated() {
        const connection_id c(next++);
        auto identity = stoa::e2ee::identity::generate(random);
        engine.on_open(c, now);
        engine.on_text(c, stoa::proto::encode(stoa::proto::client_message{std::nullopt, stoa::proto::hello{identity.key(), "t", "1"}}), now);
        const auto replies = sink.texts(c);
        REQUIRE(!replies.empty());
        const auto* challenge = std::get_if<stoa::proto::challenge>(&replies.back().body);
        REQUIRE(challenge != nullptr);
        const auto signature = identity.sign(stoa::proto::auth_transcript("stoa relay", challenge->nonce));
        stoa::proto::auth auth;
        std::copy(signature.begin(), signature.end(), auth.signature.begin());
        engine.on_text(c, stoa::proto::encode(stoa::proto::client_message{std::nullopt, auth}), now);
        return {c, std::move(identity)};
    }
    stoa::room_id create_room(connection_id c) {
        engine.on_text(c, stoa::proto::encode(stoa::proto::client_message{1, stoa::proto::create_room{stoa::room::room_kind::open, false, "r"}}), now);
        for (const auto& m : sink.texts(c)) {
            if (const auto* created = std::get_if<stoa::proto::room_created>(&m.body)) return created->room;
        }
        FAIL("no room_created");
        return {};
    }
    stoa::sender_index join(connection_id c, const stoa::room_id& room) {
        engine.on_text(c, stoa::proto::encode(stoa::proto::client_message{2, stoa::proto::join_room{room, std::nullopt, {}}}), now);
        for (const auto& m : sink.texts(c)) {
            if (const auto* welcome = std::get_if<stoa::proto::welcome>(&m.body)) return welcome->self.index;
        }
        FAIL("no welcome");
        return {};
    }
    void text(connection_id c, const stoa::proto::client_body& body) {
        engine.on_text(c, stoa::proto::encode(stoa::proto::client_message{std::nullopt, body}), now);
    }
    void binary(connection_id c, const stoa::bytes& data) {
        engine.on_binary(c, stoa::relay::make_message(std::string(data.begin(), data.end()), stoa::relay::payload_kind::binary, stoa::relay::traffic_class::media), now);
    }
};

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
