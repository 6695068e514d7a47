// Nonce reuse on demand: on rejoin a client starts a fresh encryptor at counter 0. If the relay
// could hand it its old sender index and replay its old key package, it would encrypt under a
// (key, nonce) it already used. Packages carry the recipient's session nonce, so the replay is
// refused and the client never sends under the old key.
#include <catch2/catch.hpp>

#include <initializer_list>
#include <set>

#include "hostile_room.hpp"
#include "stoa/e2ee/sframe.hpp"

using namespace stoa;
using namespace stoa::test;
using client::event::alarm_kind;

namespace {

// The (KID, CTR) pairs of every media frame the connections sent: a repeated pair is a reused nonce.
struct nonce_census {
    std::size_t frames = 0;
    std::size_t distinct = 0;
};

nonce_census census(const adversarial_relay& relay, std::initializer_list<relay::connection_id> connections) {
    nonce_census out;
    std::set<std::pair<std::uint64_t, std::uint64_t>> seen;
    for (const auto connection : connections) {
        for (const auto& sent : relay.sent_by(connection)) {
            if (binary_type_of(sent) != proto::binary_type::media) continue;
            const auto header = e2ee::parse_header(sent.bytes().subspan(proto::binary_header_size));
            REQUIRE(header.ok());
            ++out.frames;
            seen.emplace(header->header.kid, header->header.counter);
        }
    }
    out.distinct = seen.size();
    return out;
}

}  // namespace

TEST_CASE("a replayed key package under a reassigned sender index is refused: no nonce is reused",
          "[adversary][rejoin]") {
    hostile_room r;
    hostile_member& host = r.create_room();
    hostile_member& speaker = r.join("Speaker");
    hostile_member& listener = r.join("Listener");
    r.advance_frames(600ms);
    r.bring_to_stage(host, speaker);
    r.advance_frames(400ms);
    r.speak(speaker, 30);
    REQUIRE(listener.session->stats().frames_received >= 25);
    const sender_index old_index = speaker.session->index();
    std::optional<wire> old_package;
    for (const auto& sent : r.relay.sent_to(speaker.connection)) {
        if (binary_type_of(sent) == proto::binary_type::key_package) old_package = sent;
    }
    REQUIRE(old_package);
    const relay::connection_id first_connection = speaker.connection;

    // The transport drops; the client rejoins. The relay tells it its old index, drops every
    // genuine key package for it, and replays the old one.
    relay::connection_id rejoined{};
    std::string new_index_field;
    r.relay.to_client = [&](relay::connection_id to, wire w) {
        if (to != rejoined) return std::vector<wire>{std::move(w)};
        if (binary_type_of(w) == proto::binary_type::key_package) return std::vector<wire>{};
        if (!w.binary && w.data.find("\"type\":\"welcome\"") != std::string::npos) {
            const auto self = w.data.find("\"self\":{");
            const auto at = w.data.find("\"index\":", self);
            const auto end = w.data.find(',', at);
            new_index_field = w.data.substr(at, end - at);
        }
        if (!w.binary && !new_index_field.empty()) {
            w.data = replace_all(w.data, new_index_field + ",", "\"index\":" + std::to_string(old_index.value) + ",");
        }
        return std::vector<wire>{std::move(w)};
    };
    r.relay.disconnect(speaker.connection, r.now);
    r.collect();
    speaker.connection = r.relay.connect(*speaker.session, r.now);
    rejoined = speaker.connection;
    speaker.session->join_room(r.room, r.invite, {"Speaker", ""});
    r.run();
    REQUIRE(speaker.session->in_room());
    REQUIRE(speaker.session->index() == old_index);  // the relay's lie took
    r.relay.inject(rejoined, *old_package);
    r.run();

    CHECK(alarms_of(speaker, alarm_kind::replayed_key_package) == 1);
    CHECK_FALSE(speaker.session->current_epoch().has_value());
    // It may not speak under a key it cannot have: nothing to reuse.
    audio::pcm_frame pcm{};
    audio::sine_generator(440.0, 0.25).fill(pcm);
    speaker.session->act(room::action::set_self_muted{false});
    r.run();
    for (int i = 0; i < 20; ++i) {
        (void)speaker.session->send_audio(pcm, r.now);
        r.advance(20ms);
    }
    const nonce_census sent = census(r.relay, {first_connection, rejoined});
    REQUIRE(sent.frames >= 25);
    CHECK(sent.distinct == sent.frames);
}

TEST_CASE("an honest rejoin gets a package for its new session and speaks under a fresh key",
          "[adversary][rejoin]") {
    hostile_room r;
    hostile_member& host = r.create_room();
    hostile_member& speaker = r.join("Speaker");
    hostile_member& listener = r.join("Listener");
    r.advance_frames(600ms);
    r.bring_to_stage(host, speaker);
    r.advance_frames(400ms);
    r.speak(speaker, 20);
    const auto heard_before = listener.session->stats().frames_received;
    const relay::connection_id first_connection = speaker.connection;
    r.reconnect(speaker);
    speaker.session->join_room(r.room, r.invite, {"Speaker", ""});
    r.advance_frames(1s);
    REQUIRE(speaker.session->current_epoch());
    CHECK(speaker.session->stats().security_alarms == 0);
    speaker.session->act(room::action::set_self_muted{false});
    r.run();
    r.advance_frames(400ms);
    r.speak(speaker, 20);
    CHECK(listener.session->stats().frames_received > heard_before + 10);
    const nonce_census sent = census(r.relay, {first_connection, speaker.connection});
    CHECK(sent.distinct == sent.frames);
}
