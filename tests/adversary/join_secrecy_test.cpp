// Join secrecy end to end: frames the relay recorded before someone joined stay unreadable to
// them, whatever the relay replays; and a member the relay kept a key announcement from recovers.
#include <catch2/catch.hpp>

#include "hostile_room.hpp"

using namespace stoa;
using namespace stoa::test;

TEST_CASE("a late joiner cannot decrypt frames recorded before it joined", "[adversary][secrecy]") {
    hostile_room r;
    hostile_member& host = r.create_room();
    hostile_member& early = r.join("Early");
    r.advance_frames(600ms);
    host.session->act(room::action::set_self_muted{false});
    r.run();
    r.speak(host, 50);
    REQUIRE(early.session->stats().frames_received >= 45);
    std::vector<wire> recorded;
    for (const auto& sent : r.relay.sent_to(early.connection)) {
        if (binary_type_of(sent) == proto::binary_type::media) recorded.push_back(sent);
    }
    REQUIRE(recorded.size() >= 45);

    hostile_member& late = r.join("Late");
    r.advance_frames(600ms);
    REQUIRE(late.session->current_epoch());
    const auto before = late.session->stats();
    for (const auto& frame : recorded) r.relay.inject(late.connection, frame);
    r.run();
    CHECK(late.session->stats().frames_received == before.frames_received);
    CHECK(late.session->stats().no_key_failures == before.no_key_failures + recorded.size());
    // And what the host says from now on, it hears.
    r.advance_frames(400ms);
    r.speak(host, 30);
    CHECK(late.session->stats().frames_received >= 20);
}

TEST_CASE("a member the relay kept a key announcement from asks again and hears again",
          "[adversary][secrecy]") {
    hostile_room r;
    hostile_member& host = r.create_room();
    hostile_member& victim = r.join("Victim");
    r.advance_frames(600ms);
    REQUIRE(victim.session->current_epoch() == host.session->current_epoch());
    host.session->act(room::action::set_self_muted{false});
    r.run();

    // The relay withholds every announcement from the victim while two joins ratchet the epoch.
    bool withhold = true;
    r.relay.to_client = [&](relay::connection_id to, wire w) {
        if (withhold && to == victim.connection && binary_type_of(w) == proto::binary_type::key_announcement) {
            return std::vector<wire>{};
        }
        return std::vector<wire>{std::move(w)};
    };
    r.join("Joiner 1");
    r.advance_frames(400ms);
    REQUIRE(victim.session->current_epoch() != host.session->current_epoch());  // the gap is real
    withhold = false;
    r.join("Joiner 2");
    r.advance_frames(1s);  // the next announcement shows the gap; the victim asks for the epoch
    CHECK(victim.session->stats().key_requests >= 1);
    CHECK(victim.session->current_epoch() == host.session->current_epoch());
    const auto heard = victim.session->stats().frames_received;
    r.speak(host, 30);
    CHECK(victim.session->stats().frames_received >= heard + 25);
}
