#include <catch2/catch.hpp>

#include "samples.hpp"
#include "stoa/proto/control_codec.hpp"
#include "stoa/proto/snapshot_parts.hpp"

using namespace stoa;
using namespace stoa::proto;

TEST_CASE("a full snapshot split into parts reassembles to the original", "[proto][snapshot]") {
    const auto original = samples::full_snapshot(2500);
    for (std::size_t per_part : {std::size_t{3}, std::size_t{7}, std::size_t{1000}}) {
        const auto parts = split_full_snapshot(original, per_part);
        CHECK(parts.size() == (original.members.size() + per_part - 1) / per_part);
        snapshot_assembler assembler;
        std::optional<std::variant<room::stage_snapshot, room::full_snapshot>> done;
        for (const auto& part : parts) {
            // Through the wire, as the client sees them.
            auto decoded = decode_server_message(encode(server_message{std::nullopt, part}));
            REQUIRE(decoded.ok());
            REQUIRE_FALSE(done.has_value());
            auto step = assembler.add(std::get<snapshot_message>(std::move(decoded->body)));
            REQUIRE(step.ok());
            done = std::move(*step);
        }
        REQUIRE(done.has_value());
        CHECK(std::get<room::full_snapshot>(*done) == original);
        CHECK_FALSE(assembler.in_progress());
    }
}

TEST_CASE("every snapshot part stays within the relay-to-client size limit", "[proto][snapshot]") {
    auto big = samples::full_snapshot(1500);
    for (auto& m : big.members) m.profile = samples::blob(max_profile_bytes);
    for (const auto& part : split_full_snapshot(big)) {
        CHECK(encode(server_message{std::nullopt, part}).size() <= max_server_message_size);
    }
}

TEST_CASE("an empty room is one part", "[proto][snapshot]") {
    room::full_snapshot empty;
    empty.ended = true;
    const auto parts = split_full_snapshot(empty);
    REQUIRE(parts.size() == 1);
    snapshot_assembler assembler;
    auto step = assembler.add(parts[0]);
    REQUIRE(step.ok());
    REQUIRE(step->has_value());
    CHECK(std::get<room::full_snapshot>(**step) == empty);
}

TEST_CASE("parts out of order or from another snapshot are refused", "[proto][snapshot]") {
    const auto parts = split_full_snapshot(samples::full_snapshot(10), 4);
    REQUIRE(parts.size() == 3);
    SECTION("a gap") {
        snapshot_assembler a;
        REQUIRE(a.add(parts[0]).ok());
        auto r = a.add(parts[2]);
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().code == proto_error::invalid_combination);
        CHECK_FALSE(a.in_progress());
    }
    SECTION("a continuation without a start") {
        snapshot_assembler a;
        CHECK_FALSE(a.add(parts[1]).ok());
    }
    SECTION("another seq") {
        snapshot_assembler a;
        REQUIRE(a.add(parts[0]).ok());
        auto other = parts[1];
        std::get<room::full_snapshot>(other.snapshot).seq = delta_seq(1);
        CHECK_FALSE(a.add(other).ok());
    }
    SECTION("a new part 0 restarts") {
        snapshot_assembler a;
        REQUIRE(a.add(parts[0]).ok());
        REQUIRE(a.add(parts[0]).ok());
        REQUIRE(a.add(parts[1]).ok());
        auto last = a.add(parts[2]);
        REQUIRE(last.ok());
        CHECK(last->has_value());
    }
}

TEST_CASE("a stage snapshot passes through the assembler whole", "[proto][snapshot]") {
    snapshot_assembler a;
    auto r = a.add(snapshot_message{samples::stage_snapshot(), 0, 1});
    REQUIRE(r.ok());
    REQUIRE(r->has_value());
    CHECK(std::get<room::stage_snapshot>(**r) == samples::stage_snapshot());
}

TEST_CASE("room notices become the matching relay messages", "[proto][snapshot]") {
    SECTION("a welcome with a large full snapshot is a welcome then snapshot parts") {
        room::notice::welcome w{samples::alice(), room::stream::full, samples::full_snapshot(2100)};
        const auto messages = notice_messages(w, samples::a_room());
        REQUIRE(messages.size() == 3);
        const auto& first = std::get<welcome>(messages[0]);
        CHECK(first.self == samples::alice());
        CHECK(first.follow == room::stream::full);
        snapshot_assembler a;
        REQUIRE(a.add(first.snapshot).ok());
        REQUIRE(a.add(std::get<snapshot_message>(messages[1])).ok());
        auto done = a.add(std::get<snapshot_message>(messages[2]));
        REQUIRE(done.ok());
        REQUIRE(done->has_value());
        CHECK(std::get<room::full_snapshot>(**done) == samples::full_snapshot(2100));
    }
    SECTION("follow_stream with a stage snapshot is one message") {
        room::notice::follow_stream f{samples::bob(), room::stream::stage, samples::stage_snapshot()};
        const auto messages = notice_messages(f, samples::a_room());
        REQUIRE(messages.size() == 1);
        CHECK(std::get<follow_stream>(messages[0]).snapshot.snapshot ==
              std::variant<room::stage_snapshot, room::full_snapshot>(samples::stage_snapshot()));
    }
    SECTION("own_entry and removed") {
        CHECK(std::get<own_entry>(notice_messages(room::notice::own_entry{samples::bob()}, samples::a_room())[0]).entry ==
              samples::bob());
        const auto ban = notice_messages(room::notice::removed{room::leave_reason::banned, samples::alice_id()}, samples::a_room());
        CHECK(std::get<banned>(ban[0]) == banned{samples::a_room(), samples::alice_id()});
        const auto kick = notice_messages(room::notice::removed{room::leave_reason::kicked, samples::alice_id()}, samples::a_room());
        CHECK(std::get<kicked>(kick[0]) == kicked{samples::a_room(), samples::alice_id()});
    }
}
