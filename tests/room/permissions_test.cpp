// The permissions table's own consistency, and that docs/room.md shows exactly this table.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>
#include <string>

#include "stoa/room/permissions.hpp"

using namespace stoa::room;

namespace {

std::string_view cell(verdict v) {
    switch (v) {
        case verdict::allow: return "yes";
        case verdict::not_member: return "not_member";
        case verdict::already_member: return "already_member";
        case verdict::not_permitted: return "not_permitted";
        case verdict::wrong_role: return "wrong_role";
        case verdict::target_is_self: return "target_is_self";
    }
    return "?";
}

constexpr std::array<std::string_view, 4> role_names{"listener", "speaker", "moderator", "host"};

// The markdown docs/room.md must contain, rendered from the constexpr tables.
std::string render_tables() {
    std::ostringstream out;
    out << "| action | outsider | listener | speaker | moderator | host |\n";
    out << "|---|---|---|---|---|---|\n";
    for (std::size_t k = 0; k < action_kind_count; ++k) {
        const auto kind = static_cast<action_kind>(k);
        out << "| " << to_string(kind) << (is_targeted(kind) ? " (self)" : "");
        for (std::size_t s = 0; s < standing_count; ++s) out << " | " << cell(decide(kind, static_cast<standing>(s)));
        out << " |\n";
    }
    out << "\n";
    for (std::size_t k = 0; k < action_kind_count; ++k) {
        const auto kind = static_cast<action_kind>(k);
        if (!is_targeted(kind)) continue;
        out << "**" << to_string(kind) << "** (rows: actor, columns: target)\n\n";
        out << "| actor / target | listener | speaker | moderator | host |\n";
        out << "|---|---|---|---|---|\n";
        for (std::size_t a = 0; a < role_count; ++a) {
            out << "| " << role_names[a];
            for (std::size_t t = 0; t < role_count; ++t) {
                out << " | " << cell(decide(kind, static_cast<role>(a), static_cast<role>(t)));
            }
            out << " |\n";
        }
        out << "\n";
    }
    return out.str();
}

}  // namespace

TEST_CASE("action kinds follow any_action's alternatives", "[room][permissions]") {
    CHECK(kind_of(any_action{action::join{}}) == action_kind::join);
    CHECK(kind_of(any_action{action::kick{}}) == action_kind::kick);
    CHECK(kind_of(any_action{action::disconnect{}}) == action_kind::disconnect);
}

TEST_CASE("targeted kinds are exactly the actions that carry a target", "[room][permissions]") {
    std::array<any_action, action_kind_count> one_of_each{
        action::join{},         action::leave{},          action::raise_hand{},      action::lower_hand{},
        action::invite_to_stage{}, action::accept_invite{}, action::decline_invite{}, action::move_to_audience{},
        action::set_self_muted{}, action::moderator_mute{}, action::promote_moderator{}, action::demote_moderator{},
        action::kick{},         action::ban{},            action::end_room{},        action::set_profile{},
        action::disconnect{}};
    for (const any_action& action : one_of_each) {
        const bool has_target = std::visit([](const auto& a) { return requires { a.target; }; }, action);
        INFO(to_string(kind_of(action)));
        CHECK(is_targeted(kind_of(action)) == has_target);
    }
}

TEST_CASE("the table's shape: outsiders only join - members never join - nobody acts on the host", "[room][permissions]") {
    for (std::size_t k = 0; k < action_kind_count; ++k) {
        const auto kind = static_cast<action_kind>(k);
        INFO(to_string(kind));
        if (kind == action_kind::join) {
            CHECK(decide(kind, standing::outsider) == verdict::allow);
            for (std::size_t s = 1; s < standing_count; ++s) {
                CHECK(decide(kind, static_cast<standing>(s)) == verdict::already_member);
            }
        } else {
            CHECK(decide(kind, standing::outsider) == verdict::not_member);
        }
        for (std::size_t a = 0; a < role_count; ++a) {
            const auto actor = static_cast<role>(a);
            // Nobody may aim anything at the host.
            CHECK(decide(kind, actor, role::host) != verdict::allow);
            // Listeners and speakers have no authority over anyone.
            if (!is_privileged(actor)) CHECK_FALSE(may_target_others(kind, actor));
            // A row without any allow is refused before the target is looked up, as not_permitted.
            if (!may_target_others(kind, actor)) {
                for (std::size_t t = 0; t < role_count; ++t) {
                    CHECK(decide(kind, actor, static_cast<role>(t)) == verdict::not_permitted);
                }
            }
        }
    }
    // Moderators may not act on moderators where it would be kicking or banning a peer.
    CHECK(decide(action_kind::kick, role::moderator, role::moderator) == verdict::not_permitted);
    CHECK(decide(action_kind::kick, role::host, role::moderator) == verdict::allow);
    CHECK(decide(action_kind::demote_moderator, role::moderator, role::moderator) == verdict::not_permitted);
}

TEST_CASE("docs/room.md shows the permissions table as the code has it", "[room][permissions]") {
    std::ifstream file(std::string(STOA_SOURCE_DIR) + "/docs/room.md");
    REQUIRE(file.good());
    std::stringstream text;
    text << file.rdbuf();
    const std::string expected = render_tables();
    INFO("expected in docs/room.md:\n" << expected);
    CHECK(text.str().find(expected) != std::string::npos);
}
