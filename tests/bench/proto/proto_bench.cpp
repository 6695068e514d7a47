// Wire protocol hot paths: the relay's header peek and key_bundle split, media codec, and
// the control messages clients and relay exchange most (an action in, a delta out).
#include <benchmark/benchmark.h>

#include "stoa/proto/binary.hpp"
#include "stoa/proto/control_codec.hpp"

using namespace stoa;
using namespace stoa::proto;

namespace {

bytes payload(std::size_t n) {
    bytes out(n);
    for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<std::uint8_t>(i * 7);
    return out;
}

template <typename Strong>
Strong filled(std::uint8_t first) {
    Strong out{};
    for (std::size_t i = 0; i < Strong::size; ++i) out.value[i] = static_cast<std::uint8_t>(first + i);
    return out;
}

void bm_peek_binary_header(benchmark::State& state) {
    bytes wire;
    encode_media(wire, sender_index(42), payload(100));
    for (auto _ : state) {
        auto h = peek_binary_header(wire);
        benchmark::DoNotOptimize(h);
    }
}
BENCHMARK(bm_peek_binary_header);

void bm_encode_media(benchmark::State& state) {
    const bytes frame = payload(100);  // ~32 kb/s Opus frame plus SFrame overhead
    bytes wire;
    for (auto _ : state) {
        wire.clear();
        encode_media(wire, sender_index(42), frame);
        benchmark::DoNotOptimize(wire.data());
    }
}
BENCHMARK(bm_encode_media);

void bm_decode_media(benchmark::State& state) {
    bytes wire;
    encode_media(wire, sender_index(42), payload(100));
    for (auto _ : state) {
        auto m = decode_binary(wire, direction::relay_to_client);
        benchmark::DoNotOptimize(m);
    }
}
BENCHMARK(bm_decode_media);

void bm_parse_action_json(benchmark::State& state) {
    const std::string text = encode(client_message{31, room_action{room::action::invite_to_stage{filled<member_id>(1)}}});
    for (auto _ : state) {
        auto m = decode_client_message(text);
        benchmark::DoNotOptimize(m);
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
}
BENCHMARK(bm_parse_action_json);

void bm_encode_delta_json(benchmark::State& state) {
    room::member_entry e;
    e.id = filled<member_id>(1);
    e.index = sender_index(9);
    e.key = filled<public_key>(2);
    e.member_role = room::role::speaker;
    e.joined_order = 77;
    e.profile = payload(96);
    const server_message m{std::nullopt, delta_message{{room::stream::stage, delta_seq(1234), room::delta::member_joined{e}}}};
    const server_message small{std::nullopt, delta_message{{room::stream::stage, delta_seq(1234),
                                                             room::delta::hand_changed{filled<member_id>(1), true}}}};
    const auto& message = state.range(0) == 0 ? small : m;
    for (auto _ : state) {
        auto text = encode(message);
        benchmark::DoNotOptimize(text.data());
    }
}
BENCHMARK(bm_encode_delta_json)->Arg(0)->Arg(1)->ArgNames({"member_joined"});

room::member_entry sample_member(std::uint8_t n) {
    room::member_entry e;
    e.id = filled<member_id>(n);
    e.index = sender_index(n);
    e.key = filled<public_key>(static_cast<std::uint8_t>(n + 100));
    e.member_role = n == 0 ? room::role::host : room::role::speaker;
    e.self_muted = n % 2 == 1;
    e.joined_order = n;
    e.profile = payload(96);  // a sealed display name
    return e;
}

// The relay's control path end to end, as the codec sees it: parse a client's join and write it
// back, and a client parsing the welcome (own entry + a 10-member stage snapshot) and writing it.
void bm_join_roundtrip(benchmark::State& state) {
    join_room j;
    j.room = filled<room_id>(3);
    j.invite = filled<invite_token>(4);
    j.profile = payload(96);
    const std::string text = encode(client_message{7, j});
    for (auto _ : state) {
        auto m = decode_client_message(text);
        auto again = encode(*m);
        benchmark::DoNotOptimize(again.data());
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
}
BENCHMARK(bm_join_roundtrip);

void bm_welcome_roundtrip(benchmark::State& state) {
    room::stage_snapshot snapshot;
    snapshot.room = filled<room_id>(3);
    snapshot.seq = delta_seq(4242);
    snapshot.audience_count = 1500;
    for (std::uint8_t i = 0; i < 10; ++i) snapshot.stage.push_back(sample_member(i));
    const std::string text =
        encode(server_message{std::nullopt, welcome{sample_member(42), room::stream::stage, {snapshot, 0, 1}}});
    for (auto _ : state) {
        auto m = decode_server_message(text);
        auto again = encode(*m);
        benchmark::DoNotOptimize(again.data());
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
}
BENCHMARK(bm_welcome_roundtrip);

void bm_key_bundle_split(benchmark::State& state) {
    key_bundle_message bundle{sender_index(1), {}};
    for (std::uint32_t i = 0; i < 1000; ++i) bundle.entries.push_back({sender_index(i + 2), payload(80)});
    const bytes wire = encode_binary(bundle);
    bytes package;
    package.reserve(128);
    for (auto _ : state) {
        auto view = key_bundle_view::parse(wire);
        std::size_t total = 0;
        for (const auto entry : *view) {
            package.clear();
            encode_key_package(package, view->distributor(), entry.blob);
            total += package.size();
        }
        benchmark::DoNotOptimize(total);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * 1000));
}
BENCHMARK(bm_key_bundle_split);

}  // namespace

BENCHMARK_MAIN();
