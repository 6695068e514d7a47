// Room benchmarks: one roster delta applied at 1 000, 10 000 and 100 000 members (full
// replica, stage replica, authority join+leave) to show the flat O(1) curve, and a whole
// 10 000-join storm through the authority.
#include <benchmark/benchmark.h>

#include <vector>

#include "stoa/room/authority.hpp"
#include "stoa/room/full_replica.hpp"
#include "stoa/room/stage_replica.hpp"

using namespace stoa;
using namespace stoa::room;

namespace {

// Member ids are hash outputs in production; mix the counter the same way the tests do.
member_id make_member(std::uint64_t n) {
    std::uint64_t z = n + 0x9E3779B97F4A7C15ULL;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    z ^= z >> 31;
    member_id id{};
    for (std::size_t i = 0; i < 8; ++i) id.value[i] = static_cast<std::uint8_t>(z >> (56 - 8 * i));
    for (std::size_t i = 0; i < 8; ++i) id.value[8 + i] = static_cast<std::uint8_t>(n >> (56 - 8 * i));
    return id;
}

member_entry listener_entry(std::uint64_t n) {
    member_entry m;
    m.id = make_member(n);
    m.index = sender_index{static_cast<std::uint32_t>(n)};
    m.joined_order = n;
    m.profile = bytes(48, 0x5A);  // a short encrypted display name
    return m;
}

full_snapshot roster_of(std::uint64_t n) {
    full_snapshot snapshot;
    member_entry host = listener_entry(0);
    host.member_role = role::host;
    snapshot.members.push_back(host);
    for (std::uint64_t i = 1; i < n; ++i) snapshot.members.push_back(listener_entry(i));
    return snapshot;
}

constexpr std::uint64_t churn_ids = 4096;

// A listener joins and leaves: two full-stream deltas per iteration, the roster stays at n.
void full_replica_join_leave(benchmark::State& state) {
    const auto n = static_cast<std::uint64_t>(state.range(0));
    full_replica replica;
    if (!replica.load(roster_of(n)).ok()) state.SkipWithError("load failed");
    std::vector<sequenced_delta> joins, leaves;
    for (std::uint64_t i = 0; i < churn_ids; ++i) {
        joins.push_back({stream::full, {}, delta::member_joined{listener_entry(n + i)}});
        leaves.push_back({stream::full, {}, delta::member_left{make_member(n + i), leave_reason::left}});
    }
    std::uint64_t seq = 0;
    std::size_t i = 0;
    for (auto _ : state) {
        joins[i].seq = delta_seq{++seq};
        leaves[i].seq = delta_seq{++seq};
        benchmark::DoNotOptimize(replica.apply(joins[i]).ok());
        benchmark::DoNotOptimize(replica.apply(leaves[i]).ok());
        i = (i + 1) % churn_ids;
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * 2);
}
BENCHMARK(full_replica_join_leave)->Arg(1'000)->Arg(10'000)->Arg(100'000);

// A hand raised and lowered by members spread over the whole roster (random access).
void full_replica_hand(benchmark::State& state) {
    const auto n = static_cast<std::uint64_t>(state.range(0));
    full_replica replica;
    if (!replica.load(roster_of(n)).ok()) state.SkipWithError("load failed");
    std::vector<sequenced_delta> hands;
    for (std::uint64_t i = 0; i < churn_ids; ++i) {
        const std::uint64_t who = 1 + (i * 2654435761ULL) % (n - 1);
        hands.push_back({stream::full, {}, delta::hand_changed{make_member(who), true}});
        hands.push_back({stream::full, {}, delta::hand_changed{make_member(who), false}});
    }
    std::uint64_t seq = 0;
    std::size_t i = 0;
    for (auto _ : state) {
        hands[i].seq = delta_seq{++seq};
        benchmark::DoNotOptimize(replica.apply(hands[i]).ok());
        i = (i + 1) % hands.size();
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(full_replica_hand)->Arg(1'000)->Arg(10'000)->Arg(100'000);

// The same deltas on 8 members only: the work per delta without the cache misses that random
// access into a large roster adds, i.e. the algorithmic cost alone.
void full_replica_hand_hot(benchmark::State& state) {
    const auto n = static_cast<std::uint64_t>(state.range(0));
    full_replica replica;
    if (!replica.load(roster_of(n)).ok()) state.SkipWithError("load failed");
    std::vector<sequenced_delta> hands;
    for (std::uint64_t i = 0; i < 8; ++i) {
        hands.push_back({stream::full, {}, delta::hand_changed{make_member(1 + i * (n / 8)), true}});
        hands.push_back({stream::full, {}, delta::hand_changed{make_member(1 + i * (n / 8)), false}});
    }
    std::uint64_t seq = 0;
    std::size_t i = 0;
    for (auto _ : state) {
        hands[i].seq = delta_seq{++seq};
        benchmark::DoNotOptimize(replica.apply(hands[i]).ok());
        i = (i + 1) % hands.size();
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(full_replica_hand_hot)->Arg(1'000)->Arg(10'000)->Arg(100'000);

// What a listener applies in a room of n members: the announced count and a stage mute.
void stage_replica_apply(benchmark::State& state) {
    const auto n = static_cast<std::uint32_t>(state.range(0));
    stage_replica replica(make_member(999'999));
    stage_snapshot snapshot;
    for (std::uint64_t i = 0; i < 8; ++i) {
        member_entry m = listener_entry(i);
        m.member_role = i == 0 ? role::host : role::speaker;
        snapshot.stage.push_back(m);
    }
    snapshot.audience_count = n - 8;
    if (!replica.load(snapshot).ok()) state.SkipWithError("load failed");
    std::vector<sequenced_delta> deltas;
    for (std::uint32_t i = 0; i < 64; ++i) {
        deltas.push_back({stream::stage, {}, delta::audience_count{n - 8 + i % 3}});
        deltas.push_back({stream::stage, {}, delta::mute_changed{make_member(i % 8), i % 2 == 0, false}});
    }
    std::uint64_t seq = 0;
    std::size_t i = 0;
    for (auto _ : state) {
        deltas[i].seq = delta_seq{++seq};
        benchmark::DoNotOptimize(replica.apply(deltas[i]).ok());
        i = (i + 1) % deltas.size();
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(stage_replica_apply)->Arg(1'000)->Arg(10'000)->Arg(100'000);

// The authority admitting one listener and letting it go, at n members: permission checks,
// indexes, both deltas, the welcome with its stage snapshot.
void authority_join_leave(benchmark::State& state) {
    const auto n = static_cast<std::uint64_t>(state.range(0));
    room_config config;
    config.limits.max_members = static_cast<std::uint32_t>(n + 1);
    room_authority room(config);
    const time_point now = from_micros(0);
    for (std::uint64_t i = 0; i < n; ++i) {
        if (!room.apply(make_member(i), action::join{{}, std::nullopt, bytes(48, 0x5A)}, now).ok()) {
            state.SkipWithError("fill failed");
        }
    }
    std::uint64_t next = n;
    for (auto _ : state) {
        const member_id id = make_member(next++);
        benchmark::DoNotOptimize(room.apply(id, action::join{{}, std::nullopt, bytes(48, 0x5A)}, now).ok());
        benchmark::DoNotOptimize(room.apply(id, action::leave{}, now).ok());
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * 2);
}
BENCHMARK(authority_join_leave)->Arg(1'000)->Arg(10'000)->Arg(100'000);

// 10 000 joins within 2 s of room time, ticking every 100 ms, into a fresh room.
void join_storm_10k(benchmark::State& state) {
    constexpr std::uint64_t n = 10'000;
    std::vector<member_id> ids;
    for (std::uint64_t i = 0; i < n; ++i) ids.push_back(make_member(i));
    std::size_t deltas = 0;
    for (auto _ : state) {
        room_config config;
        room_authority room(config);
        std::int64_t next_tick = 100'000;
        for (std::uint64_t i = 0; i < n; ++i) {
            const std::int64_t now = static_cast<std::int64_t>(2'000'000 * i / n);
            while (now >= next_tick) {
                deltas += room.tick(from_micros(next_tick)).deltas.size();
                next_tick += 100'000;
            }
            auto out = room.apply(ids[i], action::join{{}, std::nullopt, bytes(48, 0x5A)}, from_micros(now));
            deltas += out.ok() ? out->deltas.size() : 0;
        }
        benchmark::DoNotOptimize(deltas);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * n));
}
BENCHMARK(join_storm_10k)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
