#include <catch2/catch.hpp>

#include "samples.hpp"
#include "stoa/proto/control_codec.hpp"
#include "stoa/proto/room_json.hpp"

using namespace stoa;
using namespace stoa::proto;

namespace {

std::string action_label(const room::any_action& a) { return std::string(action_type_name(a)); }

bool same_action(const room::any_action& a, const room::any_action& b) {
    // Actions have no operator==; their canonical encoding is compared instead.
    return encode(client_message{std::nullopt, room_action{a}}) == encode(client_message{std::nullopt, room_action{b}});
}

std::vector<std::pair<std::string, client_message>> client_samples() {
    std::vector<std::pair<std::string, client_message>> out = {
        {"hello", {1, hello{samples::alice_key(), "stoa-web", "0.1.0"}}},
        {"auth", {2, auth{[] {
                      auth_signature s{};
                      for (std::size_t i = 0; i < s.size(); ++i) s[i] = static_cast<std::uint8_t>(i * 3);
                      return s;
                  }()}}},
        {"create_room open", {3, create_room{room::room_kind::open, false, std::string("Friday jazz \xe2\x99\xaa")}}},
        {"create_room closed", {std::nullopt, create_room{room::room_kind::closed, true, std::nullopt}}},
        {"create_room open reclaimed",
         {3, create_room{room::room_kind::open, false, std::string("Friday jazz"), samples::a_claim(), std::nullopt}}},
        {"create_room closed reclaimed",
         {3, create_room{room::room_kind::closed, false, std::nullopt, samples::a_claim(), samples::an_invite()}}},
        {"join open", {4, join_room{samples::a_room(), std::nullopt, samples::blob(40)}}},
        {"join closed", {5, join_room{samples::a_room(), samples::an_invite(), {}}}},
        {"audience_page", {6, audience_page_query{{200, 100}}}},
        {"resync", {7, resync{room::stream::full}}},
        {"directory", {8, directory_query{0, 20}}},
        {"ping", {std::nullopt, ping{77}}},
        {"pong", {std::nullopt, pong{0xffffffff}}},
    };
    for (const auto& a : samples::wire_actions()) out.push_back({action_label(a), {9, room_action{a}}});
    return out;
}

std::vector<std::pair<std::string, server_message>> server_samples() {
    auto full_parts = std::vector<snapshot_message>{{samples::full_snapshot(), 0, 1}};
    std::vector<std::pair<std::string, server_message>> out = {
        {"challenge", {std::nullopt, challenge{[] {
                           auth_challenge c{};
                           for (std::size_t i = 0; i < c.size(); ++i) c[i] = static_cast<std::uint8_t>(0xf0 - i);
                           return c;
                       }()}}},
        {"welcome stage", {4, welcome{samples::bob(), room::stream::stage, {samples::stage_snapshot(), 0, 1}}}},
        {"welcome full", {4, welcome{samples::alice(), room::stream::full, {samples::full_snapshot(), 0, 3}}}},
        {"follow_stream", {std::nullopt, follow_stream{samples::alice(), room::stream::full, {samples::full_snapshot(), 0, 1}}}},
        {"own_entry", {std::nullopt, own_entry{samples::bob()}}},
        {"room_created open", {3, room_created{samples::a_room(), room::room_kind::open, std::nullopt, samples::a_claim()}}},
        {"room_created closed",
         {3, room_created{samples::a_room(), room::room_kind::closed, samples::an_invite(), samples::a_claim()}}},
        {"snapshot stage", {7, snapshot_message{samples::stage_snapshot(), 0, 1}}},
        {"snapshot ended", {7, snapshot_message{[] {
                                 auto s = samples::stage_snapshot();
                                 s.stage.clear();
                                 s.ended = true;
                                 return s;
                             }(), 0, 1}}},
        {"snapshot full part", {7, snapshot_message{samples::full_snapshot(), 2, 3}}},
        {"audience_page", {6, audience_page_message{{200, 1234, {samples::bob()}}}}},
        {"directory", {8, directory_listing{0, 2, {{samples::a_room(), "Friday jazz", 120}, {samples::filled<room_id>(1), "Open mic", 3}}}}},
        {"directory empty", {8, directory_listing{40, 2, {}}}},
        {"invited", {std::nullopt, invited{samples::alice_id()}}},
        {"kicked", {std::nullopt, kicked{samples::a_room(), samples::alice_id()}}},
        {"banned", {std::nullopt, banned{samples::a_room(), samples::alice_id()}}},
        {"room_ended", {std::nullopt, room_ended{samples::a_room()}}},
        {"error", {5, make_error(relay_error::room_full, "the room is full")}},
        {"ping", {std::nullopt, ping{1}}},
        {"pong", {std::nullopt, pong{1}}},
        {"shutdown", {std::nullopt, shutdown{5000}}},
    };
    std::uint64_t seq = 1;
    for (const auto& d : samples::all_deltas())
        out.push_back({"delta " + std::to_string(d.index()), {std::nullopt, delta_message{{room::stream::full, delta_seq(seq++), d}}}});
    return out;
}

}  // namespace

TEST_CASE("every client message round-trips through its canonical encoding", "[proto][control]") {
    for (const auto& [name, message] : client_samples()) {
        SECTION(name) {
            const std::string text = encode(message);
            auto decoded = decode_client_message(text);
            if (!decoded.ok()) FAIL(name << ": " << to_string(decoded.error().code) << " " << decoded.error().detail);
            CHECK(decoded->request_id == message.request_id);
            CHECK(decoded->body.index() == message.body.index());
            CHECK(encode(*decoded) == text);
            if (auto* a = std::get_if<room_action>(&message.body))
                CHECK(same_action(std::get<room_action>(decoded->body).action, a->action));
            if (auto* h = std::get_if<hello>(&message.body)) CHECK(std::get<hello>(decoded->body) == *h);
            if (auto* j = std::get_if<join_room>(&message.body)) CHECK(std::get<join_room>(decoded->body) == *j);
            if (auto* c = std::get_if<create_room>(&message.body)) CHECK(std::get<create_room>(decoded->body) == *c);
            if (auto* a = std::get_if<auth>(&message.body)) CHECK(std::get<auth>(decoded->body) == *a);
        }
    }
}

TEST_CASE("every relay message round-trips through its canonical encoding", "[proto][control]") {
    for (const auto& [name, message] : server_samples()) {
        SECTION(name) {
            const std::string text = encode(message);
            auto decoded = decode_server_message(text);
            if (!decoded.ok()) FAIL(name << ": " << to_string(decoded.error().code) << " " << decoded.error().detail);
            CHECK(decoded->request_id == message.request_id);
            CHECK(decoded->body.index() == message.body.index());
            CHECK(encode(*decoded) == text);
            if (auto* d = std::get_if<delta_message>(&message.body)) CHECK(std::get<delta_message>(decoded->body).delta == d->delta);
            if (auto* w = std::get_if<welcome>(&message.body)) {
                const auto& got = std::get<welcome>(decoded->body);
                CHECK(got.self == w->self);
                CHECK(got.follow == w->follow);
                CHECK(got.snapshot.snapshot == w->snapshot.snapshot);
                CHECK(got.snapshot.parts == w->snapshot.parts);
            }
            if (auto* s = std::get_if<snapshot_message>(&message.body)) {
                const auto& got = std::get<snapshot_message>(decoded->body);
                CHECK(got.snapshot == s->snapshot);
                CHECK(got.part == s->part);
                CHECK(got.parts == s->parts);
            }
            if (auto* p = std::get_if<audience_page_message>(&message.body))
                CHECK(std::get<audience_page_message>(decoded->body).page == p->page);
            if (auto* d = std::get_if<directory_listing>(&message.body)) CHECK(std::get<directory_listing>(decoded->body) == *d);
            if (auto* e = std::get_if<error_message>(&message.body)) CHECK(std::get<error_message>(decoded->body) == *e);
            if (auto* k = std::get_if<kicked>(&message.body)) CHECK(std::get<kicked>(decoded->body) == *k);
        }
    }
}

TEST_CASE("the envelope comes first: v, type, request_id", "[proto][control]") {
    const std::string text = encode(client_message{12, ping{3}});
    CHECK(text == R"({"v":1,"type":"ping","request_id":12,"nonce":3})");
}

TEST_CASE("bad control input yields the matching error and names the field", "[proto][control]") {
    const std::string id32(32, 'a');
    const std::string key64(64, 'b');
    struct row {
        const char* name;
        std::string text;
        proto_error expected;
        std::string detail;
    };
    const std::vector<row> rows = {
        {"not an object", "[1]", proto_error::invalid_json, "message is not an object"},
        {"no version", R"({"type":"ping","nonce":1})", proto_error::missing_field, "v"},
        {"version 2", R"({"v":2,"type":"ping","nonce":1})", proto_error::unsupported_version, "v"},
        {"version negative", R"({"v":-1,"type":"ping","nonce":1})", proto_error::unsupported_version, "v"},
        {"version as string", R"({"v":"1","type":"ping","nonce":1})", proto_error::wrong_type, "v"},
        {"version as float", R"({"v":1.0,"type":"ping","nonce":1})", proto_error::wrong_type, "v"},
        {"no type", R"({"v":1,"nonce":1})", proto_error::missing_field, "type"},
        {"unknown type", R"({"v":1,"type":"teleport"})", proto_error::unknown_type, "type"},
        {"relay-only type", R"({"v":1,"type":"welcome"})", proto_error::wrong_direction, "type"},
        {"unknown field", R"({"v":1,"type":"ping","nonce":1,"extra":true})", proto_error::unknown_field, "extra"},
        {"missing field", R"({"v":1,"type":"ping"})", proto_error::missing_field, "nonce"},
        {"wrong type", R"({"v":1,"type":"ping","nonce":"1"})", proto_error::wrong_type, "nonce"},
        {"negative", R"({"v":1,"type":"ping","nonce":-1})", proto_error::out_of_range, "nonce"},
        {"over u32", R"({"v":1,"type":"ping","nonce":4294967296})", proto_error::out_of_range, "nonce"},
        {"request_id over u32", R"({"v":1,"type":"ping","request_id":4294967296,"nonce":1})", proto_error::out_of_range,
         "request_id"},
        {"bool as int", R"({"v":1,"type":"leave","quietly":1})", proto_error::wrong_type, "quietly"},
        {"id wrong length", R"({"v":1,"type":"kick","target":"abcd"})", proto_error::wrong_length, "target"},
        {"id uppercase", "{\"v\":1,\"type\":\"kick\",\"target\":\"" + std::string(32, 'A') + "\"}", proto_error::bad_encoding,
         "target"},
        {"id not hex", "{\"v\":1,\"type\":\"kick\",\"target\":\"" + std::string(32, 'g') + "\"}", proto_error::bad_encoding,
         "target"},
        {"key wrong length", "{\"v\":1,\"type\":\"hello\",\"key\":\"" + id32 + "\",\"client\":\"x\",\"client_version\":\"1\"}",
         proto_error::wrong_length, "key"},
        {"empty client name", "{\"v\":1,\"type\":\"hello\",\"key\":\"" + key64 + "\",\"client\":\"\",\"client_version\":\"1\"}",
         proto_error::empty_payload, "client"},
        {"long client name",
         "{\"v\":1,\"type\":\"hello\",\"key\":\"" + key64 + "\",\"client\":\"" + std::string(65, 'x') + "\",\"client_version\":\"1\"}",
         proto_error::too_long, "client"},
        {"signature short", R"({"v":1,"type":"auth","signature":"AAAA"})", proto_error::wrong_length, "signature"},
        {"signature not base64", R"({"v":1,"type":"auth","signature":"!!!!"})", proto_error::bad_encoding, "signature"},
        {"profile too long", "{\"v\":1,\"type\":\"set_profile\",\"profile\":\"" + std::string(1368, 'A') + "\"}",
         proto_error::too_long, "profile"},
        {"unknown enum", R"({"v":1,"type":"resync","stream":"backstage"})", proto_error::unknown_value, "stream"},
        {"open room without title", R"({"v":1,"type":"create_room","kind":"open","stage_only":false})",
         proto_error::invalid_combination, "title"},
        {"closed room with title", R"({"v":1,"type":"create_room","kind":"closed","stage_only":false,"title":"x"})",
         proto_error::invalid_combination, "title"},
        {"open room with an invite to keep",
         "{\"v\":1,\"type\":\"create_room\",\"kind\":\"open\",\"stage_only\":false,\"title\":\"x\",\"invite\":\"" +
             key64 + "\"}",
         proto_error::invalid_combination, "invite"},
        {"claim wrong length",
         R"({"v":1,"type":"create_room","kind":"closed","stage_only":false,"claim":"abcd"})", proto_error::wrong_length,
         "claim"},
        {"claim not hex",
         "{\"v\":1,\"type\":\"create_room\",\"kind\":\"closed\",\"stage_only\":false,\"claim\":\"" + std::string(32, 'g') +
             "\"}",
         proto_error::bad_encoding, "claim"},
        {"invite to keep wrong length",
         "{\"v\":1,\"type\":\"create_room\",\"kind\":\"closed\",\"stage_only\":false,\"invite\":\"" + id32 + "\"}",
         proto_error::wrong_length, "invite"},
        {"page limit zero", R"({"v":1,"type":"audience_page","offset":0,"limit":0})", proto_error::out_of_range, "limit"},
        {"page limit huge", R"({"v":1,"type":"audience_page","offset":0,"limit":501})", proto_error::out_of_range, "limit"},
        {"duplicate type", R"({"v":1,"type":"ping","type":"pong","nonce":1})", proto_error::duplicate_key, "type"},
        {"non-UTF-8", "{\"v\":1,\"type\":\"ping\",\"nonce\":1,\"x\":\"\xc0\xaf\"}", proto_error::invalid_utf8, "message"},
        {"deep nesting", std::string(60'000, '['), proto_error::too_deep, "depth"},
        {"oversized", "{\"v\":1,\"type\":\"ping\",\"nonce\":1,\"pad\":\"" + std::string(max_client_message_size, ' ') + "\"}",
         proto_error::message_too_large, "message"},
        {"truncated", R"({"v":1,"type":"ping","nonce":)", proto_error::invalid_json, ""},
    };
    for (const auto& r : rows) {
        SECTION(r.name) {
            auto decoded = decode_client_message(r.text);
            REQUIRE_FALSE(decoded.ok());
            CHECK(to_string(decoded.error().code) == to_string(r.expected));
            if (!r.detail.empty()) CHECK(decoded.error().detail == r.detail);
        }
    }
}

TEST_CASE("errors inside nested relay messages carry the full path", "[proto][control]") {
    server_message m{std::nullopt, welcome{samples::bob(), room::stream::stage, {samples::stage_snapshot(), 0, 1}}};
    std::string text = encode(m);
    // Break the role of the first stage member.
    const auto at = text.find("\"role\":\"host\"");
    REQUIRE(at != std::string::npos);
    text.replace(at, 13, "\"role\":\"boss\"");
    auto decoded = decode_server_message(text);
    REQUIRE_FALSE(decoded.ok());
    CHECK(decoded.error().code == proto_error::unknown_value);
    CHECK(decoded.error().detail == "snapshot.members[0].role");
}

TEST_CASE("relay messages enforce their own consistency rules", "[proto][control]") {
    struct row {
        const char* name;
        server_message message;
        std::string from;
        std::string to;
        proto_error expected;
    };
    const std::vector<row> rows = {
        {"welcome follows full but carries a stage snapshot",
         {std::nullopt, welcome{samples::bob(), room::stream::stage, {samples::stage_snapshot(), 0, 1}}},
         "\"follow\":\"stage\"", "\"follow\":\"full\"", proto_error::invalid_combination},
        {"part beyond parts", {std::nullopt, snapshot_message{samples::full_snapshot(), 1, 2}}, "\"part\":1", "\"part\":2",
         proto_error::invalid_combination},
        {"closed room_created without invite",
         {std::nullopt, room_created{samples::a_room(), room::room_kind::open, std::nullopt}}, "\"open\"", "\"closed\"",
         proto_error::invalid_combination},
        {"room_created without its claim",
         {std::nullopt, room_created{samples::a_room(), room::room_kind::open, std::nullopt, samples::a_claim()}},
         ",\"claim\":\"c0c1c2c3c4c5c6c7c8c9cacbcccdcecf\"", "", proto_error::missing_field},
        {"room_created with a short claim",
         {std::nullopt, room_created{samples::a_room(), room::room_kind::open, std::nullopt, samples::a_claim()}},
         "c0c1c2c3c4c5c6c7c8c9cacbcccdcecf", "c0c1c2c3c4c5c6c7c8c9cacbcccdce", proto_error::wrong_length},
        {"seq beyond 2^53", {std::nullopt, delta_message{{room::stream::stage, delta_seq(5), room::delta::room_ended{}}}},
         "\"seq\":5", "\"seq\":9007199254740992", proto_error::out_of_range},
        {"error code outside the table", {std::nullopt, make_error(relay_error::internal, "x")}, "500", "600",
         proto_error::out_of_range},
        {"unknown delta", {std::nullopt, delta_message{{room::stream::stage, delta_seq(5), room::delta::room_ended{}}}},
         "room_ended", "room_paused", proto_error::unknown_value},
        {"role_changed entry for someone else",
         {std::nullopt, delta_message{{room::stream::stage, delta_seq(5), samples::all_deltas()[3]}}},
         "\"entry\":{\"id\":\"2021", "\"entry\":{\"id\":\"1021", proto_error::invalid_combination},
        {"client-only type", {std::nullopt, ping{1}}, "\"ping\"", "\"hello\"", proto_error::wrong_direction},
    };
    for (const auto& r : rows) {
        SECTION(r.name) {
            std::string text = encode(r.message);
            const auto at = text.find(r.from);
            REQUIRE(at != std::string::npos);
            text.replace(at, r.from.size(), r.to);
            auto decoded = decode_server_message(text);
            REQUIRE_FALSE(decoded.ok());
            CHECK(to_string(decoded.error().code) == to_string(r.expected));
        }
    }
}

TEST_CASE("a room_action holding join or disconnect cannot be encoded", "[proto][control]") {
    CHECK_THROWS_AS(encode(client_message{std::nullopt, room_action{room::action::join{}}}), std::invalid_argument);
    CHECK_THROWS_AS(encode(client_message{std::nullopt, room_action{room::action::disconnect{}}}), std::invalid_argument);
}

TEST_CASE("make_error uses the code's own name and keeps the message within its limit", "[proto][control]") {
    const auto e = make_error(relay_error::slow_consumer_disconnected, std::string(300, 'x'));
    CHECK(e.code == 507);
    CHECK(e.name == "slow_consumer_disconnected");
    CHECK(e.message.size() == max_error_message_length);
    const auto d = make_error(decode_error{proto_error::unknown_field, "extra"});
    CHECK(d.code == 108);
    CHECK(d.message == "extra");
    // Cut on a character boundary: 255 ASCII bytes then a 2-byte character straddling the limit.
    const auto u = make_error(relay_error::internal, std::string(255, 'x') + "\xc3\xa9");
    CHECK(u.message.size() == 255);
}
