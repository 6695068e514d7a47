#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <set>
#include <vector>

#include "statistics.hpp"
#include "stoa/loadgen/scenario/scenario_file.hpp"
#include "stoa/loadgen/scenario/scenario_schedule.hpp"

using namespace stoa;
using namespace stoa::loadgen;
using namespace std::chrono_literals;

namespace {

const time_point t0 = from_micros(1'000'000'000);

scenario parse_toml(const std::string& text) {
    auto parsed =
        parse_scenario(text + "\n[server]\nurl = \"ws://127.0.0.1:8080\"\n", scenario_format::toml, "test.toml");
    if (!parsed.ok()) FAIL(parsed.error().to_string());
    return *parsed;
}

std::vector<member_event> all_events(const scenario& plan, shard part = {}) {
    scenario_schedule schedule(plan, part, t0);
    std::vector<member_event> events;
    while (auto e = schedule.next_event()) events.push_back(*e);
    return events;
}

std::vector<member_event> of_kind(const std::vector<member_event>& events, member_event_kind kind) {
    std::vector<member_event> out;
    std::copy_if(events.begin(), events.end(), std::back_inserter(out),
                 [kind](const member_event& e) { return e.kind == kind; });
    return out;
}

bool in_time_order(const std::vector<member_event>& events) {
    return std::is_sorted(events.begin(), events.end(),
                          [](const member_event& a, const member_event& b) { return a.at < b.at; });
}

}  // namespace

TEST_CASE("the setup opens each room and puts its speakers on stage at time zero", "[scenario_schedule]") {
    const scenario plan =
        parse_toml("duration = \"1s\"\nramp = \"0s\"\n[rooms]\ncount = 2\n[members]\nspeakers = 3\nlisteners = 0\n");
    const auto events = all_events(plan);
    using k = member_event_kind;
    const std::vector<member_event> expected = {
        {t0, member_index(0), k::open_room},
        {t0, member_index(1), k::join},
        {t0, member_index(1), k::invite_to_stage},
        {t0, member_index(2), k::join},
        {t0, member_index(2), k::invite_to_stage},
        {t0, member_index(3), k::open_room},
        {t0, member_index(4), k::join},
        {t0, member_index(4), k::invite_to_stage},
        {t0, member_index(5), k::join},
        {t0, member_index(5), k::invite_to_stage},
    };
    CHECK(events == expected);
    scenario_schedule schedule(plan, {}, t0);
    while (schedule.next_event()) {
    }
    CHECK(schedule.planned().place_of(member_index(3)) == member_place::host);
    CHECK(schedule.planned().stage(room_index(1)).size() == 2);
    CHECK(schedule.end() == t0 + 1s);
}

TEST_CASE("a join storm puts exactly N arrivals within [0, T]", "[scenario_schedule]") {
    for (const char* arrival : {"poisson", "uniform"}) {
        const scenario plan = parse_toml(
            std::string(
                "[members]\nlisteners = 5000\n[[phases]]\nkind = \"join_storm\"\nmembers = 4000\nwithin = \"10s\"\n"
                "duration = \"20s\"\narrival = \"") +
            arrival + "\"\n");
        const auto joins = of_kind(all_events(plan), member_event_kind::join);
        INFO(arrival);
        REQUIRE(joins.size() == 4000);
        CHECK(in_time_order(joins));
        std::set<std::uint32_t> distinct;
        for (const auto& e : joins) {
            CHECK(e.at >= t0);
            CHECK(e.at <= t0 + 10s);
            CHECK_FALSE(member_layout(plan).is_speaker(e.member));
            distinct.insert(e.member.value);
        }
        CHECK(distinct.size() == 4000);
        // Listeners join in line: the first 4000 of them.
        CHECK(*distinct.begin() == 1);
        CHECK(*distinct.rbegin() == 4000);
    }
}

TEST_CASE("a ramp spaces joins evenly and a leave storm sends N distinct present members away", "[scenario_schedule]") {
    const scenario plan = parse_toml(
        "[members]\nlisteners = 2000\n[[phases]]\nkind = \"ramp\"\nduration = \"10s\"\nto = 1000\n"
        "[[phases]]\nkind = \"leave_storm\"\nmembers = 600\nwithin = \"5s\"\n"
        "[[phases]]\nkind = \"ramp\"\nduration = \"4s\"\nto = 0\n");
    const auto events = all_events(plan);
    CHECK(in_time_order(events));
    const auto joins = of_kind(events, member_event_kind::join);
    REQUIRE(joins.size() == 1000);
    for (std::size_t i = 0; i < joins.size(); ++i) CHECK(joins[i].at == t0 + 5ms + 10ms * static_cast<std::int64_t>(i));
    const auto leaves = of_kind(events, member_event_kind::leave);
    REQUIRE(leaves.size() == 1000);  // 600 in the storm, the remaining 400 in the ramp down
    std::set<std::uint32_t> left;
    for (std::size_t i = 0; i < leaves.size(); ++i) {
        CHECK(leaves[i].at >= t0 + 10s);
        if (i < 600) CHECK(leaves[i].at <= t0 + 15s);
        left.insert(leaves[i].member.value);
    }
    CHECK(left.size() == 1000);
}

TEST_CASE("churn converges to arrival rate times mean stay (Little's law)", "[scenario_schedule]") {
    // lambda = 20/s, mean stay 30 s: L = 600. For this M/M/inf queue the audience's autocovariance
    // is L·exp(-tau/stay), so its time average over T has variance 2·L·stay/T.
    const double rate = 20.0;
    const double stay = 30.0;
    const double warm_up = 300.0;  // ten mean stays: the start from empty has faded to e^-10
    const double measured = 3000.0;
    const scenario plan = parse_toml(
        "[members]\nlisteners = 3000\n[[phases]]\nkind = \"churn\"\nduration = \"3300s\"\narrivals = \"20/s\"\n"
        "mean_stay = \"30s\"\n");
    scenario_schedule schedule(plan, {}, t0);
    double area = 0.0;
    double last = warm_up;
    std::size_t arrivals = 0;
    std::int64_t present = 0;
    while (auto e = schedule.next_event()) {
        const double at = std::chrono::duration<double>(e->at - t0).count();
        if (at > warm_up) {
            area += static_cast<double>(present) * (at - last);
            last = at;
        }
        if (e->kind == member_event_kind::join) {
            ++present;
            if (at > warm_up) ++arrivals;
        } else if (e->kind == member_event_kind::leave) {
            --present;
        }
        REQUIRE(present == schedule.planned().audience_count());
    }
    area += static_cast<double>(present) * (warm_up + measured - last);
    const double average = area / measured;
    const double expected = rate * stay;
    INFO("time-average audience " << average << ", expected " << expected);
    CHECK(std::abs(average - expected) < test::z_two_sided * std::sqrt(2.0 * expected * stay / measured));
    // The arrivals themselves: Poisson, so their count has variance rate·T.
    CHECK(std::abs(static_cast<double>(arrivals) - rate * measured) < test::z_two_sided * std::sqrt(rate * measured));
}

TEST_CASE("churn's inter-arrival times are exponential and its stays exponential (KS at alpha 0.001)",
          "[scenario_schedule]") {
    const scenario plan = parse_toml(
        "[members]\nlisteners = 5000\n[[phases]]\nkind = \"churn\"\nduration = \"1000s\"\narrivals = \"10/s\"\n"
        "mean_stay = \"20s\"\n");
    const auto events = all_events(plan);
    std::vector<double> gaps;
    std::vector<double> stays;
    std::map<std::uint32_t, time_point> arrived;
    time_point previous = t0;
    for (const auto& e : events) {
        if (e.kind == member_event_kind::join) {
            gaps.push_back(std::chrono::duration<double>(e.at - previous).count());
            previous = e.at;
            arrived[e.member.value] = e.at;
        } else if (e.kind == member_event_kind::leave) {
            stays.push_back(std::chrono::duration<double>(e.at - arrived.at(e.member.value)).count());
        }
    }
    CHECK(test::ks_statistic(gaps, [](double x) { return 1.0 - std::exp(-10.0 * x); }) <
          test::ks_critical(gaps.size()));
    REQUIRE(stays.size() > 5000);
    std::vector<double> early;
    // Stays that would end after the phase are cut off, so compare those that started before
    // t = 500 s: they end long before the phase does (P(stay > 500 s) = e^-25).
    std::map<std::uint32_t, time_point> started;
    for (const auto& e : events) {
        if (e.kind == member_event_kind::join) started[e.member.value] = e.at;
        if (e.kind == member_event_kind::leave && started[e.member.value] < t0 + 500s) {
            early.push_back(std::chrono::duration<double>(e.at - started[e.member.value]).count());
        }
    }
    CHECK(test::ks_statistic(early, [](double x) { return 1.0 - std::exp(-x / 20.0); }) <
          test::ks_critical(early.size()));
}

TEST_CASE("Zipf rooms: a join storm fills each room with its share", "[scenario_schedule]") {
    const scenario plan = parse_toml(
        "[rooms]\ncount = 10\nzipf_exponent = 1.0\n[members]\nlisteners = 50000\n"
        "[[phases]]\nkind = \"join_storm\"\nwithin = \"10s\"\n");
    scenario_schedule schedule(plan, {}, t0);
    while (schedule.next_event()) {
    }
    double chi_square = 0.0;
    for (std::uint32_t k = 0; k < 10; ++k) {
        const double expected = 50000 * schedule.layout().popularity().probability(k);
        const double observed = schedule.planned().audience_count(room_index(k));
        chi_square += (observed - expected) * (observed - expected) / expected;
    }
    CHECK(chi_square < test::chi_square_critical(9));
}

TEST_CASE("shards partition the plan: every event goes to exactly one shard", "[scenario_schedule]") {
    const scenario plan = parse_toml(
        "[rooms]\ncount = 3\n[members]\nspeakers = 2\nlisteners = 900\n"
        "[[phases]]\nkind = \"join_storm\"\nwithin = \"5s\"\nmembers = 600\n"
        "[[phases]]\nkind = \"churn\"\nduration = \"60s\"\narrivals = \"10/s\"\nmean_stay = \"20s\"\n"
        "[[phases]]\nkind = \"speaker_rotation\"\nduration = \"20s\"\nevery = \"5s\"\n"
        "[[phases]]\nkind = \"hand_raise_storm\"\nwithin = \"3s\"\nmembers = 50\ninvite = \"20%\"\n"
        "[[phases]]\nkind = \"reconnect_storm\"\n");
    const auto whole = all_events(plan);
    CHECK(in_time_order(whole));
    for (std::uint32_t count : {2U, 3U, 7U}) {
        std::vector<member_event> merged;
        for (std::uint32_t i = 1; i <= count; ++i) {
            const shard part{i, count};
            for (const auto& e : all_events(plan, part)) {
                CHECK(part.owns(e.member));
                merged.push_back(e);
            }
        }
        std::stable_sort(merged.begin(), merged.end(),
                         [](const member_event& a, const member_event& b) { return a.at < b.at; });
        auto key = [](const member_event& e) { return std::tuple(e.at, e.member.value, static_cast<int>(e.kind)); };
        std::vector<std::tuple<time_point, std::uint32_t, int>> a;
        std::vector<std::tuple<time_point, std::uint32_t, int>> b;
        for (const auto& e : whole) a.push_back(key(e));
        for (const auto& e : merged) b.push_back(key(e));
        std::sort(a.begin(), a.end());
        std::sort(b.begin(), b.end());
        CHECK(a == b);
    }
}

TEST_CASE("a reconnect storm drops every present member and brings each back within the backoff bounds",
          "[scenario_schedule]") {
    const scenario plan = parse_toml(
        "[members]\nspeakers = 2\nlisteners = 3000\n[reconnect]\nmin = \"2s\"\nmax = \"5s\"\njitter = \"50%\"\n"
        "[[phases]]\nkind = \"ramp\"\nduration = \"10s\"\nto = 2000\n"
        "[[phases]]\nkind = \"reconnect_storm\"\n");
    const auto events = all_events(plan);
    CHECK(in_time_order(events));
    const auto drops = of_kind(events, member_event_kind::disconnect);
    const auto returns = of_kind(events, member_event_kind::reconnect);
    REQUIRE(drops.size() == 2002);  // 2000 listeners and the two speakers
    REQUIRE(returns.size() == 2002);
    std::set<std::uint32_t> dropped;
    for (const auto& e : drops) {
        CHECK(e.at == t0 + 10s);
        dropped.insert(e.member.value);
    }
    std::set<std::uint32_t> returned;
    std::vector<double> delays;
    for (const auto& e : returns) {
        CHECK(e.at >= t0 + 10s + plan.reconnect.shortest(0));
        CHECK(e.at <= t0 + 10s + plan.reconnect.ceiling(0));
        returned.insert(e.member.value);
        delays.push_back(std::chrono::duration<double>(e.at - t0 - 10s).count());
    }
    CHECK(dropped.size() == 2002);
    CHECK(returned == dropped);
    // Uniform over [1 s, 2 s]: jitter 50% of the first ceiling, min = 2 s.
    CHECK(test::ks_statistic(delays, [](double x) { return std::clamp(x - 1.0, 0.0, 1.0); }) <
          test::ks_critical(delays.size()));
}

TEST_CASE("speaker rotation swaps the longest-serving speaker for a listener of the same room", "[scenario_schedule]") {
    const scenario plan = parse_toml(
        "[rooms]\ncount = 2\nzipf_exponent = 0\n[members]\nspeakers = 3\nlisteners = 200\n"
        "[[phases]]\nkind = \"join_storm\"\nwithin = \"1s\"\n"
        "[[phases]]\nkind = \"speaker_rotation\"\nduration = \"30s\"\nevery = \"10s\"\n");
    scenario_schedule schedule(plan, {}, t0);
    std::vector<member_event> rotation;
    std::map<std::uint32_t, std::vector<std::uint32_t>> stage_before;
    while (auto e = schedule.next_event()) {
        if (e->kind == member_event_kind::move_to_audience ||
            (e->kind == member_event_kind::invite_to_stage && e->at > t0))
            rotation.push_back(*e);
    }
    REQUIRE(rotation.size() == 12);  // 3 ticks × 2 rooms × (one down, one up)
    for (std::size_t i = 0; i < rotation.size(); i += 2) {
        const auto& down = rotation[i];
        const auto& up = rotation[i + 1];
        CHECK(down.kind == member_event_kind::move_to_audience);
        CHECK(up.kind == member_event_kind::invite_to_stage);
        CHECK(down.at == up.at);
        CHECK(schedule.layout().room_of(down.member) == schedule.layout().room_of(up.member));
        CHECK(down.member != up.member);
    }
    CHECK(rotation[0].at == t0 + 1s + 10s);
    CHECK(rotation[0].member == member_index(1));  // room 0's first non-host speaker
    CHECK(rotation[4].member == member_index(2));  // then the next longest on stage
    for (std::uint32_t room = 0; room < 2; ++room) CHECK(schedule.planned().stage(room_index(room)).size() == 2);
}

TEST_CASE("a hand-raise storm raises N distinct hands and invites the first share of them", "[scenario_schedule]") {
    const scenario plan = parse_toml(
        "[members]\nlisteners = 1000\n[[phases]]\nkind = \"join_storm\"\nwithin = \"2s\"\nmembers = 500\n"
        "[[phases]]\nkind = \"hand_raise_storm\"\nwithin = \"5s\"\nmembers = 100\ninvite = \"10%\"\ninvite_after = "
        "\"1s\"\n");
    const auto events = all_events(plan);
    CHECK(in_time_order(events));
    const auto raises = of_kind(events, member_event_kind::raise_hand);
    REQUIRE(raises.size() == 100);
    std::set<std::uint32_t> raised;
    for (const auto& e : raises) {
        CHECK(e.at >= t0 + 2s);
        CHECK(e.at <= t0 + 7s);
        raised.insert(e.member.value);
    }
    CHECK(raised.size() == 100);
    std::vector<member_event> invites;
    for (const auto& e : of_kind(events, member_event_kind::invite_to_stage)) {
        if (e.at > t0) invites.push_back(e);
    }
    REQUIRE(invites.size() == 10);
    for (std::size_t i = 0; i < 10; ++i) {
        CHECK(invites[i].member == raises[i].member);
        CHECK(invites[i].at == raises[i].at + 1s);
    }
}

TEST_CASE("schedules are pure: the same seed replays the same plan, another seed another", "[scenario_schedule]") {
    const std::string text =
        "[members]\nlisteners = 500\n[[phases]]\nkind = \"join_storm\"\nwithin = \"5s\"\n"
        "[[phases]]\nkind = \"churn\"\nduration = \"30s\"\narrivals = \"5/s\"\nmean_stay = \"10s\"\n";
    const scenario plan = parse_toml(text);
    CHECK(all_events(plan) == all_events(plan));
    scenario other = plan;
    other.seed = 2;
    CHECK(all_events(plan) != all_events(other));
}

TEST_CASE("next_event(now) hands out only what is due", "[scenario_schedule]") {
    const scenario plan = parse_toml("[members]\nlisteners = 4\n[[phases]]\nkind = \"ramp\"\nduration = \"4s\"\n");
    scenario_schedule schedule(plan, {}, t0);
    CHECK(schedule.next_event(t0)->kind == member_event_kind::open_room);
    CHECK_FALSE(schedule.next_event(t0).has_value());
    CHECK(schedule.next_time() == t0 + 500ms);
    CHECK_FALSE(schedule.next_event(t0 + 499ms).has_value());
    CHECK(schedule.next_event(t0 + 500ms)->at == t0 + 500ms);
    int later = 0;
    while (schedule.next_event(t0 + 10s)) ++later;
    CHECK(later == 3);
    CHECK_FALSE(schedule.next_time().has_value());
    CHECK(schedule.current_phase() == std::optional<std::size_t>(0));
}

TEST_CASE("a long churn run keeps bounded state", "[scenario_schedule]") {
    // 2 hours of churn at 50/s is 360,000 arrivals; the plan's state stays proportional to the
    // 2,000 listeners (a heap of departures and the population), checked here by the population
    // never exceeding them while the events go on.
    const scenario plan = parse_toml(
        "[members]\nlisteners = 2000\n[[phases]]\nkind = \"churn\"\nduration = \"2h\"\narrivals = \"50/s\"\n"
        "mean_stay = \"20s\"\n");
    scenario_schedule schedule(plan, {}, t0);
    std::size_t joins = 0;
    while (auto e = schedule.next_event()) {
        if (e->kind == member_event_kind::join) ++joins;
        REQUIRE(schedule.planned().present_count() <= 2001);
    }
    CHECK(std::abs(static_cast<double>(joins) - 360000.0) < test::z_two_sided * std::sqrt(360000.0));
}

TEST_CASE("churn with every listener present loses arrivals like an Erlang loss system", "[scenario_schedule]") {
    // 10 listeners, offered load a = 1000/s × 10 ms = 10: arrivals that find all 10 present are lost,
    // which makes this M/M/c/c with c = 10. Its mean population is a·(1 - B(c, a)) with B Erlang's
    // loss formula. The tolerance uses the M/M/inf variance of a time average, 2·a·stay/T, which
    // bounds the loss system's (its population is a truncated Poisson, its correlation no longer).
    const double a = 10.0;
    const double stay = 0.01;
    const double measured = 300.0;
    const scenario plan = parse_toml(
        "[members]\nlisteners = 10\n[[phases]]\nkind = \"churn\"\nduration = \"301s\"\narrivals = \"1000/s\"\n"
        "mean_stay = \"10ms\"\n");
    double erlang_b = 1.0;
    for (int k = 1; k <= 10; ++k) erlang_b = a * erlang_b / (k + a * erlang_b);
    scenario_schedule schedule(plan, {}, t0);
    double area = 0.0;
    double last = 1.0;
    std::int64_t present = 0;
    while (auto e = schedule.next_event()) {
        const double at = std::chrono::duration<double>(e->at - t0).count();
        if (at > 1.0) {
            area += static_cast<double>(present) * (at - last);
            last = at;
        }
        present += e->kind == member_event_kind::join ? 1 : e->kind == member_event_kind::leave ? -1 : 0;
        REQUIRE(present <= 10);
    }
    area += static_cast<double>(present) * (1.0 + measured - last);
    const double expected = a * (1.0 - erlang_b);
    INFO("mean population " << area / measured << ", Erlang " << expected);
    CHECK(std::abs(area / measured - expected) < test::z_two_sided * std::sqrt(2.0 * a * stay / measured));
}

TEST_CASE("a rotation with nobody to move ends at once, however often it would tick", "[scenario_schedule]") {
    const scenario plan = parse_toml(
        "[rooms]\ncount = 3\n[[phases]]\nkind = \"speaker_rotation\"\nduration = \"720h\"\nevery = \"1us\"\n");
    const auto events = all_events(plan);
    CHECK(events.size() == 3);  // the three hosts open their rooms
}
