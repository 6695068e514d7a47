// Ghost members: the relay creates and checks closed-room invites itself, so it can seat a member
// of its own. Keys go only to joiners who prove the link's admission secret, which the relay never
// sees; the host is told about anyone else.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "hostile_room.hpp"

using namespace stoa;
using namespace stoa::test;
using client::event::alarm_kind;

TEST_CASE("a member the relay seats in a closed room gets no keys, hears nothing, and the host is told",
          "[adversary][ghost]") {
    hostile_room r;
    hostile_member& host = r.create_room(room::room_kind::closed);
    REQUIRE(e2ee::is_set(r.admission));
    hostile_member& listener = r.join("Listener");
    r.advance_frames(600ms);
    REQUIRE(listener.session->current_epoch());

    // The relay knows its own invite token but not the link's fragment.
    hostile_member& ghost = r.connect();
    ghost.session->join_room(r.room, r.invite, {"Ghost", ""});
    r.advance_frames(1s);
    CHECK(ghost.session->in_room());  // the relay seated it
    CHECK(alarms_of(host, alarm_kind::unadmitted_member) == 1);
    // A person with a cut link is told why they hear nothing.
    const auto errors = events_of<client::event::error>(ghost);
    CHECK(std::any_of(errors.begin(), errors.end(), [](const auto& e) {
        return e.code == static_cast<std::uint16_t>(client::client_error::missing_admission_secret);
    }));
    CHECK_FALSE(ghost.session->current_epoch().has_value());

    host.session->act(room::action::set_self_muted{false});
    r.run();
    r.speak(host, 50);
    CHECK(listener.session->stats().frames_received > 40);
    CHECK(ghost.session->stats().frames_received == 0);
    CHECK(ghost.session->stats().no_key_failures > 40);  // the frames reached it, undecryptable
}

TEST_CASE("a ghost wearing another member's admission proof is still refused", "[adversary][ghost]") {
    hostile_room r;
    hostile_member& host = r.create_room(room::room_kind::closed);
    hostile_member& listener = r.join("Listener");
    r.advance_frames(600ms);

    // The relay copies the proof it saw in the listener's join into its own member's join.
    std::string copied_proof;
    for (const auto& sent : r.relay.sent_by(listener.connection)) {
        if (sent.binary) continue;
        const auto message = nlohmann::json::parse(sent.data);
        if (message.value("type", "") == "join") copied_proof = message.at("admission").get<std::string>();
    }
    REQUIRE_FALSE(copied_proof.empty());
    r.relay.to_relay = [&](relay::connection_id, wire w) {
        if (!w.binary && w.data.find("\"type\":\"join\"") != std::string::npos) {
            auto message = nlohmann::json::parse(w.data);
            message["admission"] = copied_proof;
            w.data = message.dump();
        }
        return std::vector<wire>{std::move(w)};
    };
    hostile_member& ghost = r.connect();
    ghost.session->join_room(r.room, r.invite, {"Ghost", ""});
    r.advance_frames(1s);
    CHECK(ghost.session->in_room());
    CHECK(alarms_of(host, alarm_kind::unadmitted_member) == 1);
    CHECK_FALSE(ghost.session->current_epoch().has_value());
    CHECK(alarms_of(host, alarm_kind::unadmitted_member) == 1);
}

TEST_CASE("a joiner with the link is admitted and raises no alarm", "[adversary][ghost]") {
    hostile_room r;
    hostile_member& host = r.create_room(room::room_kind::closed);
    hostile_member& a = r.join("A");
    hostile_member& b = r.join("B");
    r.advance_frames(600ms);
    CHECK(a.session->current_epoch() == host.session->current_epoch());
    CHECK(b.session->current_epoch() == host.session->current_epoch());
    CHECK(host.session->stats().security_alarms == 0);
    CHECK(a.session->stats().security_alarms == 0);
    CHECK(b.session->stats().security_alarms == 0);
}

TEST_CASE("in an open room anyone may listen, and gets keys without a tag", "[adversary][ghost]") {
    hostile_room r;
    hostile_member& host = r.create_room(room::room_kind::open);
    CHECK_FALSE(e2ee::is_set(r.admission));
    hostile_member& a = r.join("A");
    r.advance_frames(600ms);
    CHECK(a.session->current_epoch() == host.session->current_epoch());
    CHECK(host.session->stats().security_alarms == 0);
}
