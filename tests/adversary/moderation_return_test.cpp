// Kicked and banned members coming back: they hold the link's secret and can make a fresh
// identity. A kick or ban in a closed room rotates the admission secret; it reaches only the
// members who stay, inside their key packages, so the old link admits nobody to the keys.
#include <catch2/catch.hpp>

#include "hostile_room.hpp"

using namespace stoa;
using namespace stoa::test;
using client::event::alarm_kind;

namespace {

void removal_rotates_the_secret(bool ban) {
    hostile_room r;
    hostile_member& host = r.create_room(room::room_kind::closed);
    hostile_member& stays = r.join("Stays");
    hostile_member& removed = r.join("Removed");
    r.advance_frames(600ms);
    const e2ee::admission_secret old_secret = r.admission;
    REQUIRE(host.session->admission_secret() == old_secret);

    if (ban) {
        host.session->act(room::action::ban{removed.session->id()});
    } else {
        host.session->act(room::action::kick{removed.session->id()});
    }
    r.run();
    r.advance_frames(1s);
    CHECK_FALSE(removed.session->in_room());
    const auto rotated = host.session->admission_secret();
    REQUIRE(rotated);
    CHECK_FALSE(*rotated == old_secret);
    // The member who stayed learnt the new secret from its keys (it can share a working link).
    CHECK(stays.session->admission_secret() == rotated);
    CHECK_FALSE(events_of<client::event::admission_changed>(stays).empty());
    CHECK(stays.session->current_epoch() == host.session->current_epoch());

    // The removed person returns under a fresh identity with the old link. The relay seats it
    // (its invite is unchanged) but the host gives it nothing.
    hostile_member& returning = r.connect();
    returning.session->join_room(r.room, r.invite, {"Returning", ""}, old_secret, r.host_key);
    r.advance_frames(1s);
    CHECK(returning.session->in_room());
    CHECK(alarms_of(host, alarm_kind::unadmitted_member) == 1);
    CHECK_FALSE(returning.session->current_epoch().has_value());

    // Someone given the new link gets in.
    hostile_member& invited = r.connect();
    invited.session->join_room(r.room, r.invite, {"Invited", ""}, *rotated, r.host_key);
    r.advance_frames(1s);
    CHECK(invited.session->current_epoch() == host.session->current_epoch());
    CHECK(invited.session->admission_secret() == rotated);
}

}  // namespace

TEST_CASE("a kicked member's old link admits no fresh identity to the keys", "[adversary][moderation]") {
    removal_rotates_the_secret(false);
}

TEST_CASE("a banned member's old link admits no fresh identity to the keys", "[adversary][moderation]") {
    removal_rotates_the_secret(true);
}
