// create_room with a claim: the relay derives the id from the creator's key and the claim, so a
// creator re-creates its room under the same id after a restart and nobody else can (issue 13).
#include <catch2/catch.hpp>

#include <optional>

#include "engine_fixture.hpp"
#include "stoa/e2ee/room_claim.hpp"

using stoa::relay::connection_id;
using stoa::test::engine_fixture;
using stoa::test::errors_of;
using stoa::test::generous;
namespace proto = stoa::proto;
namespace room = stoa::room;

namespace {

stoa::room_claim claim_of(std::uint8_t first) {
    stoa::room_claim claim;
    for (std::size_t i = 0; i < claim.value.size(); ++i) claim.value[i] = static_cast<std::uint8_t>(first + i);
    return claim;
}

std::optional<proto::room_created> created_on(engine_fixture& f, connection_id c) {
    std::optional<proto::room_created> last;
    for (const auto& m : f.sink.texts(c)) {
        if (const auto* created = std::get_if<proto::room_created>(&m.body)) last = *created;
    }
    return last;
}

proto::create_room closed_create(std::optional<stoa::room_claim> claim, std::optional<stoa::invite_token> invite) {
    return proto::create_room{room::room_kind::closed, false, std::nullopt, claim, invite};
}

}  // namespace

TEST_CASE("the room id is derived from the creator's key and the claim", "[relay][create]") {
    engine_fixture f(generous());
    auto [c, identity] = f.authenticated();
    SECTION("a claim given is used and echoed") {
        f.text(c, proto::create_room{room::room_kind::open, false, "r", claim_of(1), std::nullopt});
        const auto created = created_on(f, c);
        REQUIRE(created.has_value());
        CHECK(created->claim == claim_of(1));
        CHECK(created->room == stoa::e2ee::derive_room_id(identity.key(), claim_of(1)));
    }
    SECTION("without a claim the relay picks one, and the id still derives from it") {
        f.text(c, proto::create_room{room::room_kind::open, false, "r"});
        const auto created = created_on(f, c);
        REQUIRE(created.has_value());
        CHECK(created->room == stoa::e2ee::derive_room_id(identity.key(), created->claim));
    }
}

TEST_CASE("a second create with the same claim is refused while the room lives", "[relay][create]") {
    engine_fixture f(generous());
    auto [host, identity] = f.authenticated();
    f.text(host, proto::create_room{room::room_kind::open, false, "r", claim_of(1), std::nullopt});
    const auto first = created_on(f, host);
    REQUIRE(first.has_value());
    (void)f.join(host, first->room);

    const connection_id again = f.authenticate_as(identity);
    f.text(again, proto::create_room{room::room_kind::open, false, "r", claim_of(1), std::nullopt});
    const auto errors = errors_of(f.sink, again);
    REQUIRE(errors.size() == 1);
    CHECK(errors[0].code == static_cast<std::uint16_t>(proto::relay_error::room_exists));
    CHECK(errors[0].name == "room_exists");
    CHECK(f.engine.room_count() == 1);
}

TEST_CASE("another key bringing the same claim gets another room, never the first one's id", "[relay][create]") {
    engine_fixture f(generous());
    auto [host, host_identity] = f.authenticated();
    auto [squatter, squatter_identity] = f.authenticated();
    f.text(host, proto::create_room{room::room_kind::open, false, "r", claim_of(1), std::nullopt});
    f.text(squatter, proto::create_room{room::room_kind::open, false, "r", claim_of(1), std::nullopt});
    const auto mine = created_on(f, host);
    const auto theirs = created_on(f, squatter);
    REQUIRE(mine.has_value());
    REQUIRE(theirs.has_value());
    CHECK(mine->room != theirs->room);
}

TEST_CASE("a closed room keeps the invite its creator brings back", "[relay][create]") {
    engine_fixture f(generous());
    auto [host, identity] = f.authenticated();
    stoa::invite_token kept;
    kept.value.fill(0x42);
    f.text(host, closed_create(claim_of(7), kept));
    const auto created = created_on(f, host);
    REQUIRE(created.has_value());
    CHECK(created->invite == kept);
    f.text(host, proto::join_room{created->room, kept, {}});

    SECTION("the kept invite admits a joiner") {
        auto [guest, guest_identity] = f.authenticated();
        f.text(guest, proto::join_room{created->room, kept, {}});
        bool welcomed = false;
        for (const auto& m : f.sink.texts(guest)) welcomed = welcomed || std::holds_alternative<proto::welcome>(m.body);
        CHECK(welcomed);
    }
    SECTION("without one, the relay makes a fresh token") {
        auto [other, other_identity] = f.authenticated();
        f.text(other, closed_create(std::nullopt, std::nullopt));
        const auto fresh = created_on(f, other);
        REQUIRE(fresh.has_value());
        REQUIRE(fresh->invite.has_value());
        CHECK(*fresh->invite != kept);
    }
}

TEST_CASE("after a restart the creator gets its room back under the same id", "[relay][create]") {
    stoa::room_id before;
    stoa::test::seeded_random keys(99);
    const auto identity = stoa::e2ee::identity::generate(keys);
    {
        engine_fixture f(generous());
        const connection_id c = f.authenticate_as(identity);
        f.text(c, proto::create_room{room::room_kind::open, false, "r", claim_of(3), std::nullopt});
        const auto created = created_on(f, c);
        REQUIRE(created.has_value());
        before = created->room;
    }
    engine_fixture restarted(generous());
    const connection_id c = restarted.authenticate_as(identity);
    restarted.text(c, proto::create_room{room::room_kind::open, false, "r", claim_of(3), std::nullopt});
    const auto created = created_on(restarted, c);
    REQUIRE(created.has_value());
    CHECK(created->room == before);
}
