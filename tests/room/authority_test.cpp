// The authority action by action: who may do what, which deltas go on which stream, which
// notices go to whom, and what each refusal leaves unchanged.
#include <catch2/catch.hpp>

#include <chrono>

#include "room_test_support.hpp"
#include "stoa/room/authority.hpp"
#include "stoa/room/permissions.hpp"

using namespace stoa;
using namespace stoa::room;
using namespace stoa::room::test;

namespace {

room_config small_room(room_kind kind = room_kind::open, bool stage_only = false) {
    room_config config;
    config.id.value[0] = 7;
    config.kind = kind;
    config.stage_only = stage_only;
    config.limits.max_members = 20;
    config.limits.max_stage = 6;
    config.limits.max_profile_bytes = 16;
    return config;
}

// host, two moderators, two speakers, two listeners, joined in that order.
struct cast {
    room_authority room;
    member_id host = make_member(1);
    member_id mod = make_member(2);
    member_id mod2 = make_member(3);
    member_id speaker = make_member(4);
    member_id speaker2 = make_member(5);
    member_id listener = make_member(6);
    member_id listener2 = make_member(7);
    member_id outsider = make_member(99);

    explicit cast(room_config config = small_room()) : room(std::move(config)) {
        for (member_id m : {host, mod, mod2, speaker, speaker2, listener, listener2}) (void)must(room, m, join_as(m));
        for (member_id m : {mod, mod2, speaker, speaker2}) {
            (void)must(room, host, action::invite_to_stage{m});
            (void)must(room, m, action::accept_invite{});
        }
        for (member_id m : {mod, mod2}) (void)must(room, host, action::promote_moderator{m});
    }
    member_id of(role r, bool second = false) const {
        switch (r) {
            case role::host: return host;
            case role::moderator: return second ? mod2 : mod;
            case role::speaker: return second ? speaker2 : speaker;
            case role::listener: return second ? listener2 : listener;
        }
        return outsider;
    }
};

any_action targeted_action(action_kind kind, member_id target) {
    switch (kind) {
        case action_kind::invite_to_stage: return action::invite_to_stage{target};
        case action_kind::move_to_audience: return action::move_to_audience{target};
        case action_kind::moderator_mute: return action::moderator_mute{target};
        case action_kind::promote_moderator: return action::promote_moderator{target};
        case action_kind::demote_moderator: return action::demote_moderator{target};
        case action_kind::kick: return action::kick{target};
        case action_kind::ban: return action::ban{target};
        default: break;
    }
    FAIL("not a targeted kind");
    return action::end_room{};
}

}  // namespace

TEST_CASE("the authority obeys the permissions table for every targeted action - actor and target", "[room][authority]") {
    const std::array<action_kind, 7> kinds{action_kind::invite_to_stage, action_kind::move_to_audience,
                                           action_kind::moderator_mute,  action_kind::promote_moderator,
                                           action_kind::demote_moderator, action_kind::kick,
                                           action_kind::ban};
    const std::array<role, 4> roles{role::listener, role::speaker, role::moderator, role::host};
    for (action_kind kind : kinds) {
        for (role actor_role : roles) {
            for (role target_role : roles) {
                for (bool at_self : {false, true}) {
                if (at_self && target_role != actor_role) continue;
                if (!at_self && target_role == role::host && actor_role == role::host) continue;  // one host
                cast c;
                const member_id actor = c.of(actor_role);
                const member_id target = at_self ? actor : c.of(target_role, target_role == actor_role);
                INFO(to_string(kind) << " by role " << int(actor_role) << " on role " << int(target_role)
                                     << (at_self ? " (self)" : ""));
                auto result = c.room.apply(actor, targeted_action(kind, target), at_ms(0));
                const verdict expected = target == actor ? decide(kind, standing_of(actor_role))
                                                         : decide(kind, actor_role, target_role);
                if (expected == verdict::allow) {
                    CHECK(result.ok());
                } else {
                    REQUIRE_FALSE(result.ok());
                    CHECK(result.error() == *to_error(expected));
                }
                check_invariants(c.room);
                }
            }
        }
    }
}

TEST_CASE("every action by a non-member is refused with not_member - except join", "[room][authority]") {
    cast c;
    const std::vector<any_action> actions{
        action::leave{},           action::raise_hand{},           action::lower_hand{},
        action::invite_to_stage{c.listener}, action::accept_invite{}, action::decline_invite{},
        action::move_to_audience{c.speaker}, action::set_self_muted{false}, action::moderator_mute{c.speaker},
        action::promote_moderator{c.speaker}, action::demote_moderator{c.mod}, action::kick{c.listener},
        action::ban{c.listener},   action::end_room{},             action::set_profile{},
        action::disconnect{}};
    for (const any_action& action : actions) {
        INFO(to_string(kind_of(action)));
        CHECK(refused(c.room, c.outsider, action) == room_error::not_member);
    }
    CHECK(refused(c.room, c.listener, join_as(c.listener)) == room_error::already_member);
}

TEST_CASE("joining: first member hosts - indexes count up and are never reused", "[room][authority]") {
    room_authority room(small_room());
    const member_id a = make_member(1), b = make_member(2);

    const outcome first = must(room, a, join_as(a));
    const auto welcome_a = notices_to<notice::welcome>(first, a);
    REQUIRE(welcome_a.size() == 1);
    CHECK(welcome_a[0].self.member_role == role::host);
    CHECK(welcome_a[0].follow == stream::full);
    CHECK(std::get<full_snapshot>(welcome_a[0].snapshot) == room.full_snapshot());
    CHECK(deltas_of<delta::member_joined>(first, stream::stage).size() == 1);
    CHECK(deltas_of<delta::member_joined>(first, stream::full).size() == 1);

    const outcome second = must(room, b, join_as(b), at_ms(1));
    const auto welcome_b = notices_to<notice::welcome>(second, b);
    REQUIRE(welcome_b.size() == 1);
    CHECK(welcome_b[0].self.member_role == role::listener);
    CHECK(welcome_b[0].self.index == sender_index{1});
    CHECK(welcome_b[0].follow == stream::stage);
    // An audience join is not a stage event; the count follows separately.
    CHECK(deltas_of<delta::member_joined>(second, stream::stage).empty());
    CHECK(deltas_of<delta::member_joined>(second, stream::full).size() == 1);

    (void)must(room, b, action::leave{});
    const outcome again = must(room, b, join_as(b));
    CHECK(notices_to<notice::welcome>(again, b).at(0).self.index == sender_index{2});
}

TEST_CASE("closed rooms admit only holders of one of their invites", "[room][authority]") {
    room_config config = small_room(room_kind::closed);
    invite_token good{};
    good.value[5] = 1;
    invite_token bad{};
    bad.value[5] = 2;
    config.invites = {good};
    room_authority room(config);
    const member_id a = make_member(1);

    CHECK(refused(room, a, join_as(a)) == room_error::invite_required);
    CHECK(refused(room, a, action::join{key_for(a), bad, {}}) == room_error::invalid_invite);
    (void)must(room, a, action::join{key_for(a), good, {}});
    CHECK(room.member_count() == 1);
}

TEST_CASE("limits: room_full - stage_full and profile_too_large", "[room][authority]") {
    room_config config = small_room(room_kind::open, true);
    config.limits.max_stage = 2;
    config.limits.max_members = 3;
    room_authority room(config);
    (void)must(room, make_member(1), join_as(make_member(1)));
    const outcome second = must(room, make_member(2), join_as(make_member(2)));
    // Stage-only rooms seat everyone on the stage, visible on the stage stream.
    CHECK(deltas_of<delta::member_joined>(second, stream::stage).at(0).member.member_role == role::speaker);
    CHECK(refused(room, make_member(3), join_as(make_member(3))) == room_error::stage_full);
    CHECK(refused(room, make_member(2), action::raise_hand{}) == room_error::unavailable_in_stage_only_room);
    CHECK(refused(room, make_member(1), action::move_to_audience{make_member(2)}) ==
          room_error::unavailable_in_stage_only_room);

    room_config open = small_room();
    open.limits.max_members = 2;
    room_authority full_room(open);
    (void)must(full_room, make_member(1), join_as(make_member(1)));
    CHECK(refused(full_room, make_member(2), join_as(make_member(2), bytes(17, 1))) == room_error::profile_too_large);
    (void)must(full_room, make_member(2), join_as(make_member(2), bytes(16, 1)));
    CHECK(refused(full_room, make_member(3), join_as(make_member(3))) == room_error::room_full);
}

TEST_CASE("hands: listeners only - on the full stream - with the listener told by unicast", "[room][authority]") {
    cast c;
    const outcome raised = must(c.room, c.listener, action::raise_hand{});
    CHECK(count_on(raised, stream::stage) == 0);
    CHECK(deltas_of<delta::hand_changed>(raised, stream::full).at(0) == delta::hand_changed{c.listener, true});
    CHECK(notices_to<notice::own_entry>(raised, c.listener).at(0).entry.hand_raised);
    CHECK(refused(c.room, c.listener, action::raise_hand{}) == room_error::hand_already_in_state);
    CHECK(refused(c.room, c.speaker, action::raise_hand{}) == room_error::wrong_role_for_action);
    (void)must(c.room, c.listener, action::lower_hand{});
    CHECK(refused(c.room, c.listener, action::lower_hand{}) == room_error::hand_already_in_state);
}

TEST_CASE("stage invitations: pending - accept onto the stage - decline - and a full stage", "[room][authority]") {
    room_config config = small_room();
    config.limits.max_stage = 5;  // the cast fills it
    cast c(config);
    CHECK(refused(c.room, c.listener, action::accept_invite{}) == room_error::no_pending_invite);
    const outcome invited = must(c.room, c.mod, action::invite_to_stage{c.listener});
    CHECK(count_on(invited, stream::stage) == 0);
    CHECK(notices_to<notice::own_entry>(invited, c.listener).at(0).entry.invited_to_stage);
    CHECK(refused(c.room, c.host, action::invite_to_stage{c.listener}) == room_error::invitation_already_pending);
    CHECK(refused(c.room, c.listener, action::accept_invite{}) == room_error::stage_full);
    CHECK(c.room.find(c.listener)->invited_to_stage);  // still pending after the refusal

    (void)must(c.room, c.speaker2, action::move_to_audience{c.speaker2});
    const outcome accepted = must(c.room, c.listener, action::accept_invite{});
    const auto on_stage = deltas_of<delta::role_changed>(accepted, stream::stage);
    REQUIRE(on_stage.size() == 1);
    CHECK(on_stage[0].new_role == role::speaker);
    REQUIRE(on_stage[0].entry.has_value());  // stage replicas have never seen this member
    CHECK(on_stage[0].entry->id == c.listener);
    CHECK_FALSE(on_stage[0].entry->invited_to_stage);
    CHECK(on_stage[0].entry->self_muted);

    (void)must(c.room, c.host, action::invite_to_stage{c.listener2});
    const outcome declined = must(c.room, c.listener2, action::decline_invite{});
    CHECK(deltas_of<delta::invitation_changed>(declined, stream::full).at(0).pending == false);
    CHECK_FALSE(c.room.find(c.listener2)->invited_to_stage);
}

TEST_CASE("moving to the audience: by moderators - stepping down - never the host", "[room][authority]") {
    cast c;
    const outcome moved = must(c.room, c.mod, action::move_to_audience{c.speaker});
    CHECK(deltas_of<delta::role_changed>(moved, stream::stage).at(0) ==
          delta::role_changed{c.speaker, role::listener, std::nullopt});
    CHECK(c.room.find(c.speaker)->member_role == role::listener);

    // A moderator stepping down leaves the full stream: told to load a stage snapshot.
    const outcome stepped = must(c.room, c.mod2, action::move_to_audience{c.mod2});
    const auto follow = notices_to<notice::follow_stream>(stepped, c.mod2);
    REQUIRE(follow.size() == 1);
    CHECK(follow[0].follow == stream::stage);
    CHECK(std::get<stage_snapshot>(follow[0].snapshot) == c.room.stage_snapshot());
    CHECK(follow[0].self.member_role == role::listener);

    CHECK(refused(c.room, c.host, action::move_to_audience{c.host}) == room_error::not_permitted);
    CHECK(refused(c.room, c.mod, action::move_to_audience{c.host}) == room_error::not_permitted);
}

TEST_CASE("mutes: self mute - moderator mute - and only the member lifts it", "[room][authority]") {
    cast c;
    CHECK(refused(c.room, c.speaker, action::set_self_muted{true}) == room_error::mute_already_in_state);
    const outcome unmuted = must(c.room, c.speaker, action::set_self_muted{false});
    CHECK(deltas_of<delta::mute_changed>(unmuted, stream::stage).at(0) == delta::mute_changed{c.speaker, false, false});
    CHECK(deltas_of<delta::mute_changed>(unmuted, stream::full).size() == 1);

    const outcome muted = must(c.room, c.mod, action::moderator_mute{c.speaker});
    CHECK(deltas_of<delta::mute_changed>(muted, stream::stage).at(0) == delta::mute_changed{c.speaker, false, true});
    CHECK(refused(c.room, c.host, action::moderator_mute{c.speaker}) == room_error::mute_already_in_state);
    CHECK(refused(c.room, c.listener, action::set_self_muted{false}) == room_error::wrong_role_for_action);

    const outcome lifted = must(c.room, c.speaker, action::set_self_muted{false});
    CHECK(deltas_of<delta::mute_changed>(lifted, stream::stage).at(0) == delta::mute_changed{c.speaker, false, false});
}

TEST_CASE("promotion switches a member from the stage stream to the full stream and back", "[room][authority]") {
    cast c;
    relay_sim relay{c.room};
    // Bring the existing cast's clients up from fresh snapshots, as a relay would after a restart.
    for (const member_entry& m : c.room.full_snapshot().members) {
        member_client client(m.id);
        const stream follow = followed_stream(m.member_role);
        if (follow == stream::stage) {
            client.load(follow, c.room.stage_snapshot(), m);
        } else {
            client.load(follow, c.room.full_snapshot(), m);
        }
        relay.clients.emplace(m.id, std::move(client));
    }
    // The listener is invited, accepts (speaker), and is promoted (moderator).
    relay.deliver(must(c.room, c.mod, action::invite_to_stage{c.listener}));
    relay.deliver(must(c.room, c.listener, action::accept_invite{}));
    CHECK(relay.clients.at(c.listener).following == stream::stage);
    CHECK(relay.clients.at(c.listener).stage.find(c.listener)->member_role == role::speaker);

    const outcome promoted = must(c.room, c.mod, action::promote_moderator{c.listener});
    const auto follow = notices_to<notice::follow_stream>(promoted, c.listener);
    REQUIRE(follow.size() == 1);
    CHECK(follow[0].follow == stream::full);
    relay.deliver(promoted);
    member_client& client = relay.clients.at(c.listener);
    CHECK(client.following == stream::full);
    // Now it sees the audience, which a stage replica never holds.
    CHECK(client.full.find(c.listener2) != nullptr);
    relay.deliver(must(c.room, c.listener2, action::raise_hand{}));
    CHECK(client.full.find(c.listener2)->hand_raised);
    CHECK(client.full.to_snapshot() == c.room.full_snapshot());

    relay.deliver(must(c.room, c.host, action::demote_moderator{c.listener}));
    CHECK(client.following == stream::stage);
    CHECK(client.stage.to_snapshot() == c.room.stage_snapshot());
    CHECK(refused(c.room, c.mod, action::demote_moderator{c.mod2}) == room_error::not_permitted);
}

TEST_CASE("kick and ban: who may - the notice - and refusal of a banned rejoin", "[room][authority]") {
    cast c;
    CHECK(refused(c.room, c.mod, action::kick{c.mod2}) == room_error::not_permitted);
    CHECK(refused(c.room, c.mod, action::kick{c.outsider}) == room_error::target_not_found);
    CHECK(refused(c.room, c.speaker, action::kick{c.outsider}) == room_error::not_permitted);

    const outcome kicked = must(c.room, c.mod, action::kick{c.listener});
    CHECK(notices_to<notice::removed>(kicked, c.listener).at(0) == notice::removed{leave_reason::kicked, c.mod});
    CHECK(deltas_of<delta::member_left>(kicked, stream::full).at(0).reason == leave_reason::kicked);
    CHECK(count_on(kicked, stream::stage) == 0);
    (void)must(c.room, c.listener, join_as(c.listener));  // a kick is not a ban

    const outcome banned = must(c.room, c.host, action::ban{c.mod2});
    CHECK(deltas_of<delta::member_left>(banned, stream::stage).at(0) == delta::member_left{c.mod2, leave_reason::banned});
    CHECK(refused(c.room, c.mod2, join_as(c.mod2)) == room_error::banned);
    CHECK(c.room.is_banned(c.mod2));
}

TEST_CASE("ending the room: host only - both streams told once - then everything fails", "[room][authority]") {
    cast c;
    CHECK(refused(c.room, c.mod, action::end_room{}) == room_error::not_permitted);
    const outcome ended = must(c.room, c.host, action::end_room{});
    CHECK(deltas_of<delta::room_ended>(ended, stream::stage).size() == 1);
    CHECK(deltas_of<delta::room_ended>(ended, stream::full).size() == 1);
    CHECK(ended.deltas.size() == 2);  // no per-member delta: O(1) to end any room
    CHECK(c.room.ended());
    CHECK(c.room.member_count() == 0);
    CHECK(c.room.apply(c.listener, action::leave{}, at_ms(0)).error() == room_error::room_ended);
    CHECK(c.room.apply(c.outsider, join_as(c.outsider), at_ms(0)).error() == room_error::room_ended);
    CHECK(c.room.tick(at_ms(100'000)).empty());
    CHECK(c.room.stage_snapshot().ended);
}

TEST_CASE("profiles: size-limited - on the stage stream only for stage members", "[room][authority]") {
    cast c;
    CHECK(refused(c.room, c.speaker, action::set_profile{bytes(17, 3)}) == room_error::profile_too_large);
    const outcome stage_profile = must(c.room, c.speaker, action::set_profile{bytes(16, 3)});
    CHECK(deltas_of<delta::profile_changed>(stage_profile, stream::stage).size() == 1);
    const outcome audience_profile = must(c.room, c.listener, action::set_profile{bytes(4, 9)});
    CHECK(count_on(audience_profile, stream::stage) == 0);
    CHECK(deltas_of<delta::profile_changed>(audience_profile, stream::full).at(0).profile == bytes(4, 9));
    CHECK(notices_to<notice::own_entry>(audience_profile, c.listener).at(0).entry.profile == bytes(4, 9));
}

TEST_CASE("leaving: leave - leave quietly and disconnect differ only in the reason", "[room][authority]") {
    const std::array<std::pair<any_action, leave_reason>, 3> table{{
        {action::leave{false}, leave_reason::left},
        {action::leave{true}, leave_reason::left_quietly},
        {action::disconnect{}, leave_reason::disconnected},
    }};
    for (const auto& [action, reason] : table) {
        cast c;
        const outcome out = must(c.room, c.speaker, action);
        CHECK(deltas_of<delta::member_left>(out, stream::stage).at(0) == delta::member_left{c.speaker, reason});
        CHECK(deltas_of<delta::member_left>(out, stream::full).at(0) == delta::member_left{c.speaker, reason});
        CHECK(c.room.find(c.speaker) == nullptr);
    }
}

TEST_CASE("host handover: earliest moderator - then speaker - then listener - then the room ends", "[room][authority]") {
    cast c;
    const outcome first = must(c.room, c.host, action::leave{});
    CHECK(c.room.host() == c.mod);
    CHECK(deltas_of<delta::role_changed>(first, stream::stage).at(0) ==
          delta::role_changed{c.mod, role::host, std::nullopt});
    CHECK(notices_to<notice::follow_stream>(first, c.mod).empty());  // was already privileged

    (void)must(c.room, c.mod, action::disconnect{});
    CHECK(c.room.host() == c.mod2);
    (void)must(c.room, c.mod2, action::leave{});
    CHECK(c.room.host() == c.speaker);  // earliest-joined speaker
    (void)must(c.room, c.speaker, action::leave{});
    const outcome to_listener = must(c.room, c.speaker2, action::leave{});
    CHECK(c.room.host() == c.listener);
    const auto promoted = deltas_of<delta::role_changed>(to_listener, stream::stage);
    REQUIRE(promoted.size() == 1);
    REQUIRE(promoted[0].entry.has_value());  // the stage stream learns the new host's entry
    CHECK(promoted[0].entry->member_role == role::host);
    CHECK(notices_to<notice::follow_stream>(to_listener, c.listener).at(0).follow == stream::full);
    check_invariants(c.room);

    (void)must(c.room, c.listener, action::leave{});
    CHECK(c.room.host() == c.listener2);
    const outcome last = must(c.room, c.listener2, action::leave{});
    CHECK(c.room.ended());
    CHECK(deltas_of<delta::room_ended>(last, stream::stage).size() == 1);
}

TEST_CASE("the audience count is coalesced and rate-limited on the stage stream", "[room][authority]") {
    authority_options options;
    options.audience_count_interval = std::chrono::seconds(1);
    room_config config = small_room();
    config.limits.max_members = 1000;
    room_authority room(config, options);
    (void)must(room, make_member(0), join_as(make_member(0)), at_ms(0));

    // The first change after a quiet period is announced at once.
    const outcome first = must(room, make_member(1), join_as(make_member(1)), at_ms(10));
    CHECK(deltas_of<delta::audience_count>(first, stream::stage).at(0).listeners == 1);
    // Then many joins inside the interval: nothing on the stage stream.
    std::size_t stage_deltas = 0;
    for (std::uint64_t i = 2; i <= 100; ++i) {
        stage_deltas += count_on(must(room, make_member(i), join_as(make_member(i)), at_ms(10 + std::int64_t(i))), stream::stage);
    }
    CHECK(stage_deltas == 0);
    CHECK(room.tick(at_ms(900)).empty());
    // One coalesced count once the interval has passed.
    const outcome ticked = room.tick(at_ms(1010));
    REQUIRE(ticked.deltas.size() == 1);
    CHECK(deltas_of<delta::audience_count>(ticked, stream::stage).at(0).listeners == 100);
    CHECK(room.stage_snapshot().audience_count == 100);
    // Nothing to say when the count is unchanged.
    CHECK(room.tick(at_ms(5000)).empty());
}

TEST_CASE("audience pages list listeners in joined order - from either end", "[room][authority]") {
    room_config config = small_room();
    config.limits.max_members = 100;
    room_authority room(config);
    for (std::uint64_t i = 0; i < 30; ++i) (void)must(room, make_member(i), join_as(make_member(i)));
    (void)must(room, make_member(10), action::leave{});

    // Member 5 goes on stage and comes back: it returns to its joined_order place.
    (void)must(room, make_member(0), action::invite_to_stage{make_member(5)});
    (void)must(room, make_member(5), action::accept_invite{});
    CHECK(room.audience_page({0, 100}).total == 27);
    (void)must(room, make_member(5), action::move_to_audience{make_member(5)});

    std::vector<member_id> expected;
    for (std::uint64_t i = 1; i < 30; ++i) {
        if (i != 10) expected.push_back(make_member(i));
    }
    std::vector<member_id> paged;
    for (std::uint32_t offset = 0; offset < 40; offset += 4) {
        const auto page = room.audience_page({offset, 4});
        CHECK(page.total == expected.size());
        for (const member_entry& m : page.members) paged.push_back(m.id);
    }
    CHECK(paged == expected);
    CHECK(room.audience_page({27, 5}).members.at(0).id == expected.back());  // walked from the tail
    CHECK(room.audience_page({50, 5}).members.empty());
}

TEST_CASE("reattach: the same member and role under a fresh sender index - muted - replicas follow", "[room][authority]") {
    cast c;
    (void)must(c.room, c.speaker, action::set_self_muted{false});
    (void)must(c.room, c.listener, action::raise_hand{});
    member_client watcher_stage(c.listener2);
    watcher_stage.load(stream::stage, c.room.stage_snapshot(), *c.room.find(c.listener2));
    member_client watcher_full(c.host);
    watcher_full.load(stream::full, c.room.full_snapshot(), *c.room.find(c.host));

    const std::array<member_id, 3> returning{c.speaker, c.mod, c.listener};
    for (const member_id m : returning) {
        const member_entry before = *c.room.find(m);
        auto result = c.room.reattach(m, {}, at_ms(10));
        REQUIRE(result.ok());
        const outcome out = std::move(result).value();
        const member_entry* after = c.room.find(m);
        REQUIRE(after != nullptr);
        CHECK(after->member_role == before.member_role);
        CHECK(after->hand_raised == before.hand_raised);
        CHECK(after->index != before.index);
        CHECK(after->index.value > before.index.value);  // never a reused index
        CHECK(after->self_muted);
        const bool on_stage = is_on_stage(before.member_role);
        CHECK(deltas_of<delta::member_left>(out, stream::stage).size() == (on_stage ? 1U : 0U));
        CHECK(deltas_of<delta::member_joined>(out, stream::stage).size() == (on_stage ? 1U : 0U));
        CHECK(deltas_of<delta::member_left>(out, stream::full).at(0) == delta::member_left{m, leave_reason::disconnected});
        CHECK(deltas_of<delta::member_joined>(out, stream::full).at(0).member == *after);
        const auto welcome = notices_to<notice::welcome>(out, m);
        REQUIRE(welcome.size() == 1);
        CHECK(welcome[0].self == *after);
        for (const auto& d : out.deltas) {
            watcher_stage.receive(d, c.room);
            watcher_full.receive(d, c.room);
        }
        check_invariants(c.room);
    }
    CHECK(watcher_stage.resyncs == 0);
    CHECK(watcher_full.resyncs == 0);
    CHECK(watcher_full.full.find(c.mod)->member_role == role::moderator);
    CHECK(watcher_full.full.find(c.listener)->hand_raised);
    CHECK(watcher_stage.stage.find(c.speaker)->index == c.room.find(c.speaker)->index);

    SECTION("outsiders and ended rooms are refused") {
        CHECK(c.room.reattach(c.outsider, {}, at_ms(20)).error() == room_error::not_member);
        (void)must(c.room, c.host, action::end_room{});
        CHECK(c.room.reattach(c.speaker, {}, at_ms(30)).error() == room_error::room_ended);
    }
}
