// Host substitution: the relay names the host, and the host's key is what every member checks key
// material against. A roster entry whose id is not its key's is refused outright; a host key other
// than the one the member trusts (the link's, or the one it saw first) raises an alarm.
#include <catch2/catch.hpp>

#include "hostile_room.hpp"
#include "stoa/e2ee/identity.hpp"

using namespace stoa;
using namespace stoa::test;
using client::event::alarm_kind;

TEST_CASE("a host key swapped in the roster on the way to a joiner raises host_key_changed",
          "[adversary][host]") {
    hostile_room r;
    hostile_member& host = r.create_room();
    hostile_member& accomplice = r.join("Accomplice");  // a member the relay controls
    r.advance_frames(600ms);
    const std::string real_id = to_hex(host.session->id().value);
    const std::string real_key = to_hex(host.session->identity().key().value);
    const std::string fake_id = to_hex(accomplice.session->id().value);
    const std::string fake_key = to_hex(accomplice.session->identity().key().value);

    // Everything the relay tells the victim names the accomplice where the host is (a consistent
    // lie: id and key match, so only the link's host key can expose it).
    relay::connection_id victim_connection{};
    r.relay.to_client = [&](relay::connection_id to, wire w) {
        if (to == victim_connection && !w.binary) {
            w.data = replace_all(w.data, real_id, "@@");
            w.data = replace_all(w.data, fake_id, real_id);
            w.data = replace_all(w.data, "@@", fake_id);
            w.data = replace_all(w.data, real_key, "@@");
            w.data = replace_all(w.data, fake_key, real_key);
            w.data = replace_all(w.data, "@@", fake_key);
        }
        return std::vector<wire>{std::move(w)};
    };
    hostile_member& victim = r.connect();
    victim_connection = victim.connection;
    victim.session->join_room(r.room, r.invite, {"Victim", ""}, std::nullopt, r.host_key);
    r.advance_frames(600ms);
    REQUIRE(victim.session->in_room());
    CHECK(alarms_of(victim, alarm_kind::host_key_changed) == 1);
    const auto alarms = events_of<client::event::security_alarm>(victim);
    REQUIRE_FALSE(alarms.empty());
    CHECK(alarms.front().member == accomplice.session->id());
    // The real host's packages do not verify under the substituted key: the victim holds no key
    // the room uses, so the accomplice can only feed it a key of its own, which the alarm exposes.
    CHECK(victim.session->current_epoch() != host.session->current_epoch());
    CHECK(alarms_of(host, alarm_kind::host_key_changed) == 0);
}

TEST_CASE("a host entry whose id is not its key's is refused as forged", "[adversary][host]") {
    hostile_room r;
    hostile_member& host = r.create_room();
    r.advance_frames(100ms);
    e2ee::identity impostor = e2ee::identity::generate(r.random);
    const std::string real_key = to_hex(host.session->identity().key().value);
    const std::string fake_key = to_hex(impostor.key().value);
    relay::connection_id victim_connection{};
    r.relay.to_client = [&](relay::connection_id to, wire w) {
        if (to == victim_connection && !w.binary) w.data = replace_all(w.data, real_key, fake_key);
        return std::vector<wire>{std::move(w)};
    };
    // Joined from the directory: no host key in hand, so only the id check can catch this.
    hostile_member& victim = r.connect();
    victim_connection = victim.connection;
    victim.session->join_room(r.room, std::nullopt, {"Victim", ""});
    r.advance_frames(600ms);
    REQUIRE(victim.session->in_room());
    CHECK(alarms_of(victim, alarm_kind::member_id_mismatch) >= 1);
    CHECK_FALSE(victim.session->current_epoch().has_value());  // nothing accepted under a forged host
    CHECK_FALSE(victim.session->trusted_host().has_value());
}

TEST_CASE("a host that changes during the session raises host_key_changed once", "[adversary][host]") {
    hostile_room r;
    hostile_member& host = r.create_room();
    hostile_member& moderator = r.join("Moderator");
    hostile_member& listener = r.join("Listener");
    r.advance_frames(600ms);
    host.session->act(room::action::promote_moderator{moderator.session->id()});
    r.run();
    REQUIRE(listener.session->trusted_host() == host.session->identity().key());
    // The relay drops the host's connection (or the host leaves): its seat hands over at once.
    r.relay.disconnect(host.connection, r.now);
    r.advance_frames(600ms);
    REQUIRE(moderator.session->role() == room::role::host);
    // Handovers are not signed by the previous host (docs/security.md): the change is shown.
    CHECK(alarms_of(listener, alarm_kind::host_key_changed) == 1);
    CHECK(listener.session->trusted_host() == moderator.session->identity().key());
    CHECK(alarms_of(moderator, alarm_kind::host_key_changed) == 0);  // it is the new host itself
}
