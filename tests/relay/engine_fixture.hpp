// A relay engine driven in one process for tests: a sink that records every send and close, and
// helpers that authenticate identities, create and join rooms and send control and binary messages.
#pragma once

#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "stoa/e2ee/identity.hpp"
#include "stoa/proto/auth.hpp"
#include "stoa/proto/binary.hpp"
#include "stoa/proto/control_codec.hpp"
#include "stoa/relay/relay_engine.hpp"
#include "test_random.hpp"

namespace stoa::test {

class recording_sink final : public relay::relay_sink {
public:
    std::map<std::uint64_t, std::vector<relay::shared_message>> sent;
    std::map<std::uint64_t, relay::close_code> closed;
    void send(relay::connection_id to, const relay::shared_message& message) override {
        sent[to.value].push_back(message);
    }
    void close(relay::connection_id who, relay::close_code code, std::string_view) override {
        closed[who.value] = code;
    }
    std::vector<proto::server_message> texts(relay::connection_id c) const {
        std::vector<proto::server_message> out;
        if (!sent.contains(c.value)) return out;
        for (const auto& m : sent.at(c.value)) {
            if (m->kind != relay::payload_kind::text) continue;
            auto decoded = proto::decode_server_message(m->data);
            REQUIRE(decoded.ok());
            out.push_back(std::move(decoded).value());
        }
        return out;
    }
};

struct engine_fixture {
    seeded_random random{11};
    recording_sink sink;
    relay::relay_engine engine;
    time_point now = from_micros(5'000'000);
    std::uint64_t next = 1;

    explicit engine_fixture(relay::relay_config config = {}) : engine(std::move(config), random, sink) {}

    // Opens a connection and completes hello/auth for a fresh identity.
    std::pair<relay::connection_id, e2ee::identity> authenticated(std::string_view address = {}) {
        auto identity = e2ee::identity::generate(random);
        const relay::connection_id c = authenticate_as(identity, address);
        return {c, std::move(identity)};
    }
    relay::connection_id authenticate_as(const e2ee::identity& identity, std::string_view address = {}) {
        const relay::connection_id c(next++);
        engine.on_open(c, now, address);
        engine.on_text(c, proto::encode(proto::client_message{std::nullopt, proto::hello{identity.key(), "t", "1"}}),
                       now);
        const auto replies = sink.texts(c);
        REQUIRE(!replies.empty());
        const auto* challenge = std::get_if<proto::challenge>(&replies.back().body);
        REQUIRE(challenge != nullptr);
        const auto signature = identity.sign(proto::auth_transcript("stoa relay", challenge->nonce));
        proto::auth auth;
        std::copy(signature.begin(), signature.end(), auth.signature.begin());
        engine.on_text(c, proto::encode(proto::client_message{std::nullopt, auth}), now);
        return c;
    }
    room_id create_room(relay::connection_id c) {
        engine.on_text(
            c, proto::encode(proto::client_message{1, proto::create_room{room::room_kind::open, false, "r"}}), now);
        for (const auto& m : sink.texts(c)) {
            if (const auto* created = std::get_if<proto::room_created>(&m.body)) return created->room;
        }
        FAIL("no room_created");
        return {};
    }
    sender_index join(relay::connection_id c, const room_id& room) {
        engine.on_text(c, proto::encode(proto::client_message{2, proto::join_room{room, std::nullopt, {}}}), now);
        for (const auto& m : sink.texts(c)) {
            if (const auto* welcome = std::get_if<proto::welcome>(&m.body)) return welcome->self.index;
        }
        FAIL("no welcome");
        return {};
    }
    void text(relay::connection_id c, const proto::client_body& body) {
        engine.on_text(c, proto::encode(proto::client_message{std::nullopt, body}), now);
    }
    // As the server hands binary messages in: classed media until the engine reads the header.
    void binary(relay::connection_id c, const bytes& data) {
        engine.on_binary(c,
                         relay::make_message(std::string(data.begin(), data.end()), relay::payload_kind::binary,
                                             relay::traffic_class::media),
                         now);
    }
};

// Limits wide enough for a test to do what it likes except the one under test.
inline relay::relay_config generous() {
    relay::relay_config config;
    config.joins_per_identity = {1000.0, 1000.0};
    config.joins_per_address = {1000.0, 1000.0};
    config.directory_per_connection = {1000.0, 1000.0};
    config.directory_per_address = {1000.0, 1000.0};
    config.control_per_connection = {10'000.0, 10'000.0};
    config.media_per_connection = {10'000.0, 10'000.0};
    config.speaker_signatures_per_connection = {10'000.0, 10'000.0};
    return config;
}

inline std::vector<proto::error_message> errors_of(const recording_sink& sink, relay::connection_id c) {
    std::vector<proto::error_message> out;
    for (const auto& m : sink.texts(c)) {
        if (const auto* error = std::get_if<proto::error_message>(&m.body)) out.push_back(*error);
    }
    return out;
}

}  // namespace stoa::test
