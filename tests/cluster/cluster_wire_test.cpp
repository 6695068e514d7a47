// The inter-node codec: every message type round-trips, and every malformed input (cut at any
// byte, extended, out of range) is a typed error rather than a crash or a wrong message.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>

#include "stoa/cluster/cluster_wire.hpp"

using namespace stoa;
using namespace stoa::cluster;

namespace {

room_id some_room(std::uint8_t fill) {
    room_id id;
    id.value.fill(fill);
    return id;
}

std::vector<wire_message> one_of_each() {
    const node_ref from{"node-1_a", 0x0102030405060708ull};
    public_key key;
    key.value.fill(0x42);
    return {
        {from, node_status{0, 1, {{some_room(1), true, 12, "Open room"}, {some_room(2), false, 3, ""}}}},
        {from, node_status{1, 3, {}}},
        {from, room_gone{some_room(3)}},
        {from, attach{77, some_room(4), key, "10.0.0.8", R"({"type":"join"})"}},
        {from, forward{77, relay::payload_kind::text, R"({"type":"ping"})"}},
        {from, forward{78, relay::payload_kind::binary, std::string("\x01\x00\x00\x00\x07ciphertext", 15)}},
        {from, detach{79}},
        {from, deliver{relay::payload_kind::binary, relay::traffic_class::control, {1, 2, 3}, "key package"}},
        {from, deliver{relay::payload_kind::text, relay::traffic_class::control, {9}, R"({"type":"welcome"})"}},
        {from, close_connection{5, 1008, "kicked"}},
        {from, room_media{some_room(5), "", 0, "frame"}},
        {from, room_media{some_room(5), "node-2", 44, "frame"}},
        {from, ping{123456789}},
        {from, pong{987654321}},
    };
}

}  // namespace

TEST_CASE("every inter-node message round-trips", "[cluster][wire]") {
    for (const auto& message : one_of_each()) {
        const bytes encoded = encode(message);
        auto decoded = decode(encoded);
        REQUIRE(decoded.ok());
        CHECK(decoded.value() == message);
    }
}

TEST_CASE("an inter-node message cut at any byte is refused as truncated", "[cluster][wire]") {
    for (const auto& message : one_of_each()) {
        const bytes encoded = encode(message);
        for (std::size_t length = 0; length < encoded.size(); ++length) {
            auto decoded = decode(byte_view(encoded.data(), length));
            REQUIRE_FALSE(decoded.ok());
            // A status cut inside its room list, or a deliver inside its connections, is still short.
            CHECK((decoded.error() == wire_error::truncated || decoded.error() == wire_error::unsupported_version));
        }
    }
}

TEST_CASE("malformed inter-node messages get typed errors", "[cluster][wire]") {
    const node_ref from{"n1", 1};
    SECTION("bytes after the last field") {
        bytes encoded = encode({from, ping{1}});
        encoded.push_back(0);
        CHECK(decode(encoded).error() == wire_error::trailing_bytes);
    }
    SECTION("another version") {
        bytes encoded = encode({from, ping{1}});
        encoded[0] = 2;
        CHECK(decode(encoded).error() == wire_error::unsupported_version);
    }
    SECTION("an unknown type") {
        bytes encoded = encode({from, ping{1}});
        encoded[1] = 0xEE;
        CHECK(decode(encoded).error() == wire_error::unknown_type);
    }
    SECTION("a node name outside the alphabet") {
        bytes encoded = encode({from, ping{1}});
        encoded[3] = '.';  // subjects are dot-separated: a name must not contain one
        CHECK(decode(encoded).error() == wire_error::bad_node_name);
    }
    SECTION("an empty node name") {
        const bytes encoded{wire_version, 9, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0};
        CHECK(decode(encoded).error() == wire_error::bad_node_name);
    }
    SECTION("a payload kind that is not text or binary") {
        bytes encoded = encode({from, forward{1, relay::payload_kind::text, "x"}});
        encoded[2 + 1 + 2 + 8 + 8] = 7;  // version, type, name length, name, incarnation, connection
        CHECK(decode(encoded).error() == wire_error::unknown_value);
    }
    SECTION("a delivery to nobody") {
        bytes encoded = encode({from, deliver{relay::payload_kind::text, relay::traffic_class::control, {1}, "x"}});
        const std::size_t count_at = 2 + 1 + 2 + 8 + 2;
        encoded[count_at] = 0;
        encoded[count_at + 1] = 0;
        CHECK(decode(encoded).error() == wire_error::too_many_items);
    }
    SECTION("a delivery list longer than the message") {
        bytes encoded = encode({from, deliver{relay::payload_kind::text, relay::traffic_class::control, {1}, "x"}});
        const std::size_t count_at = 2 + 1 + 2 + 8 + 2;
        encoded[count_at] = 0x1F;  // 7,937 connections claimed, one present
        encoded[count_at + 1] = 0x01;
        CHECK(decode(encoded).error() == wire_error::truncated);
    }
    SECTION("a payload longer than any node sends") {
        bytes encoded = encode({from, forward{1, relay::payload_kind::text, "x"}});
        const std::size_t length_at = 2 + 1 + 2 + 8 + 8 + 1;
        encoded[length_at] = 0x7F;  // about 2 GB claimed
        CHECK(decode(encoded).error() == wire_error::too_long);
    }
    SECTION("a status part past its count") {
        bytes encoded = encode({from, node_status{0, 1, {}}});
        encoded[2 + 1 + 2 + 8 + 1] = 1;  // part 1 of 1
        CHECK(decode(encoded).error() == wire_error::too_many_items);
    }
}

TEST_CASE("node names are what a subject can carry", "[cluster][wire]") {
    CHECK(valid_node_name("relay-1"));
    CHECK(valid_node_name("eu_west_3"));
    CHECK_FALSE(valid_node_name(""));
    CHECK_FALSE(valid_node_name("a.b"));
    CHECK_FALSE(valid_node_name("a*"));
    CHECK_FALSE(valid_node_name(">"));
    CHECK_FALSE(valid_node_name(std::string(65, 'a')));
}

TEST_CASE("the fuzzer's seeds are valid messages of every type", "[cluster][wire]") {
    const std::filesystem::path seeds = std::filesystem::path(STOA_SOURCE_DIR) / "tests/fuzz/cluster/seeds/cluster_wire";
    std::set<std::size_t> types;
    for (const auto& entry : std::filesystem::directory_iterator(seeds)) {
        std::ifstream file(entry.path(), std::ios::binary);
        const bytes seed((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
        auto decoded = decode(seed);
        INFO(entry.path().filename().string());
        REQUIRE(decoded.ok());
        CHECK(encode(decoded.value()) == seed);
        types.insert(decoded.value().body.index());
    }
    CHECK(types.size() == std::variant_size_v<wire_body>);
}
