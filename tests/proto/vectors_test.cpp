// Golden vectors: tests/vectors/protocol/{client,relay,binary}/NAME.{json,hex}. Each is the
// canonical encoding of a sample below, decodes and re-encodes to itself, and appears verbatim
// in docs/protocol.md, so neither the files nor the document can drift from the code.
// Regenerate after an intended format change with:
//   STOA_UPDATE_VECTORS=1 build/h-proto/tests/proto/stoa_proto_tests "[vectors]"
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "samples.hpp"
#include "stoa/proto/binary.hpp"
#include "stoa/proto/control_codec.hpp"
#include "stoa/proto/room_json.hpp"
#include "stoa/room/errors.hpp"

using namespace stoa;
using namespace stoa::proto;
namespace fs = std::filesystem;

namespace {

const fs::path vector_dir = fs::path(STOA_SOURCE_DIR) / "tests" / "vectors" / "protocol";

std::map<std::string, client_message> client_vectors() {
    std::map<std::string, client_message> out = {
        {"hello", {1, hello{samples::alice_key(), "stoa-web", "0.1.0"}}},
        {"auth", {2, auth{[] {
                      auth_signature s{};
                      for (std::size_t i = 0; i < s.size(); ++i) s[i] = static_cast<std::uint8_t>(i);
                      return s;
                  }()}}},
        {"create_room", {3, create_room{room::room_kind::open, false, std::string("Friday jazz")}}},
        {"create_room_closed", {3, create_room{room::room_kind::closed, true, std::nullopt}}},
        {"create_room_reclaim", {3, create_room{room::room_kind::closed, true, std::nullopt, samples::a_claim(),
                                                samples::an_invite()}}},
        {"join", {4, join_room{samples::a_room(), std::nullopt, samples::blob(12)}}},
        {"join_closed", {4, join_room{samples::a_room(), samples::an_invite(), samples::blob(12)}}},
        {"audience_page", {5, audience_page_query{{0, 100}}}},
        {"resync", {6, resync{room::stream::stage}}},
        {"directory", {7, directory_query{0, 20}}},
        {"ping", {std::nullopt, ping{17}}},
        {"pong", {std::nullopt, pong{17}}},
    };
    for (const auto& a : samples::wire_actions()) {
        std::string name(action_type_name(a));
        if (auto* l = std::get_if<room::action::leave>(&a); l && l->quietly) name = "leave_quietly";
        if (auto* m = std::get_if<room::action::set_self_muted>(&a); m && !m->muted) name = "set_self_unmuted";
        out[name] = client_message{10, room_action{a}};
    }
    return out;
}

std::map<std::string, server_message> relay_vectors() {
    auto speaker = samples::bob();
    speaker.member_role = room::role::speaker;
    std::map<std::string, server_message> out = {
        {"challenge", {std::nullopt, challenge{[] {
                           auth_challenge c{};
                           for (std::size_t i = 0; i < c.size(); ++i) c[i] = static_cast<std::uint8_t>(0xe0 + i);
                           return c;
                       }()}}},
        {"welcome", {4, welcome{samples::bob(), room::stream::stage, {samples::stage_snapshot(), 0, 1}}}},
        {"follow_stream", {std::nullopt, follow_stream{samples::alice(), room::stream::full,
                                                       {[] {
                                                            auto s = samples::full_snapshot();
                                                            s.members.resize(1);
                                                            return s;
                                                        }(),
                                                        0, 1}}}},
        {"own_entry", {std::nullopt, own_entry{samples::bob()}}},
        {"room_created", {3, room_created{samples::a_room(), room::room_kind::open, std::nullopt, samples::a_claim()}}},
        {"room_created_closed",
         {3, room_created{samples::a_room(), room::room_kind::closed, samples::an_invite(), samples::a_claim()}}},
        {"error_room_exists", {3, make_error(relay_error::room_exists, "a room with this id is live")}},
        {"snapshot_stage", {6, snapshot_message{samples::stage_snapshot(), 0, 1}}},
        {"snapshot_full", {6, snapshot_message{[] {
                                  auto s = samples::full_snapshot();
                                  s.members.erase(s.members.begin());
                                  return s;
                              }(), 1, 2}}},
        {"audience_page", {5, audience_page_message{{0, 1, {samples::bob()}}}}},
        {"directory", {7, directory_listing{0, 1, {{samples::a_room(), "Friday jazz", 120}}}}},
        {"invited", {std::nullopt, invited{samples::alice_id()}}},
        {"kicked", {std::nullopt, kicked{samples::a_room(), samples::alice_id()}}},
        {"banned", {std::nullopt, banned{samples::a_room(), samples::alice_id()}}},
        {"room_ended", {std::nullopt, room_ended{samples::a_room()}}},
        {"error", {4, make_error(relay_error::room_not_found, "no such room")}},
        {"ping", {std::nullopt, ping{18}}},
        {"pong", {std::nullopt, pong{18}}},
        {"shutdown", {std::nullopt, shutdown{5000}}},
    };
    const std::pair<const char*, room::any_delta> deltas[] = {
        {"delta_member_joined", room::delta::member_joined{speaker}},
        {"delta_member_left", room::delta::member_left{samples::bob_id(), room::leave_reason::left}},
        {"delta_role_changed", room::delta::role_changed{samples::bob_id(), room::role::speaker, speaker}},
        {"delta_role_changed_no_entry", room::delta::role_changed{samples::bob_id(), room::role::listener, std::nullopt}},
        {"delta_hand_changed", room::delta::hand_changed{samples::bob_id(), true}},
        {"delta_invitation_changed", room::delta::invitation_changed{samples::bob_id(), true}},
        {"delta_mute_changed", room::delta::mute_changed{samples::alice_id(), true, false}},
        {"delta_host_changed", room::delta::host_changed{samples::alice_id()}},
        {"delta_profile_changed", room::delta::profile_changed{samples::alice_id(), samples::blob(12)}},
        {"delta_audience_count", room::delta::audience_count{120}},
        {"delta_room_ended", room::delta::room_ended{}},
    };
    std::uint64_t seq = 42;
    for (const auto& [name, change] : deltas) {
        const auto on = std::holds_alternative<room::delta::hand_changed>(change) ? room::stream::full : room::stream::stage;
        out[name] = server_message{std::nullopt, delta_message{{on, delta_seq(seq++), change}}};
    }
    return out;
}

std::map<std::string, binary_message> binary_vectors() {
    return {
        {"media", media_message{sender_index(7), samples::blob(12)}},
        {"speaker_signature", speaker_signature_message{sender_index(7), samples::blob(8)}},
        {"key_announcement", key_announcement_message{sender_index(1), samples::blob(8)}},
        {"key_bundle", key_bundle_message{sender_index(1), {{sender_index(7), samples::blob(4)}, {sender_index(9), samples::blob(3, 0x10)}}}},
        {"key_package", key_package_message{sender_index(1), samples::blob(4)}},
    };
}

std::string read_text(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

bool updating() { return std::getenv("STOA_UPDATE_VECTORS") != nullptr; }

// The vector file's text (without its final newline), after writing it first when updating.
std::string vector_text(const fs::path& p, const std::string& encoded) {
    if (updating()) {
        fs::create_directories(p.parent_path());
        std::ofstream(p, std::ios::binary) << encoded << '\n';
    }
    std::string text = read_text(p);
    if (!text.empty() && text.back() == '\n') text.pop_back();
    return text;
}

const std::string& protocol_doc() {
    static const std::string doc = read_text(fs::path(STOA_SOURCE_DIR) / "docs" / "protocol.md");
    return doc;
}

}  // namespace

TEST_CASE("client vectors are canonical, decode, and appear in docs/protocol.md", "[proto][vectors]") {
    for (const auto& [name, message] : client_vectors()) {
        SECTION(name) {
            const std::string encoded = encode(message);
            const std::string text = vector_text(vector_dir / "client" / (name + ".json"), encoded);
            CHECK(text == encoded);
            auto decoded = decode_client_message(text);
            REQUIRE(decoded.ok());
            CHECK(encode(*decoded) == text);
            CHECK(protocol_doc().find(text) != std::string::npos);
        }
    }
}

TEST_CASE("relay vectors are canonical, decode, and appear in docs/protocol.md", "[proto][vectors]") {
    for (const auto& [name, message] : relay_vectors()) {
        SECTION(name) {
            const std::string encoded = encode(message);
            const std::string text = vector_text(vector_dir / "relay" / (name + ".json"), encoded);
            CHECK(text == encoded);
            auto decoded = decode_server_message(text);
            REQUIRE(decoded.ok());
            CHECK(encode(*decoded) == text);
            CHECK(protocol_doc().find(text) != std::string::npos);
        }
    }
}

TEST_CASE("binary vectors are canonical, decode, and appear in docs/protocol.md", "[proto][vectors]") {
    for (const auto& [name, message] : binary_vectors()) {
        SECTION(name) {
            const std::string encoded = to_hex(encode_binary(message));
            const std::string text = vector_text(vector_dir / "binary" / (name + ".hex"), encoded);
            CHECK(text == encoded);
            auto raw = from_hex(text);
            REQUIRE(raw.has_value());
            const auto from = std::holds_alternative<key_package_message>(message) ? direction::relay_to_client
                                                                                  : direction::client_to_relay;
            auto decoded = decode_binary(*raw, from);
            REQUIRE(decoded.ok());
            CHECK(*decoded == message);
            CHECK(protocol_doc().find(text) != std::string::npos);
        }
    }
}

TEST_CASE("every file in the vector directory is a known vector", "[proto][vectors]") {
    const auto clients = client_vectors();
    const auto relays = relay_vectors();
    const auto binaries = binary_vectors();
    std::size_t files = 0;
    for (const auto& entry : fs::recursive_directory_iterator(vector_dir)) {
        if (!entry.is_regular_file()) continue;
        ++files;
        const std::string dir = entry.path().parent_path().filename().string();
        const std::string stem = entry.path().stem().string();
        INFO(entry.path().string());
        if (dir == "client") CHECK(clients.count(stem) == 1);
        else if (dir == "relay") CHECK(relays.count(stem) == 1);
        else if (dir == "binary") CHECK(binaries.count(stem) == 1);
        else FAIL("unexpected directory");
    }
    CHECK(files == clients.size() + relays.size() + binaries.size());
}

TEST_CASE("docs/protocol.md lists every proto, room and relay error code with its name", "[proto][vectors]") {
    auto listed = [](unsigned code, std::string_view name) {
        const std::string row = "| " + std::to_string(code) + " | `" + std::string(name) + "` |";
        return protocol_doc().find(row) != std::string::npos;
    };
    for (unsigned code = 100; code < 200; ++code) {
        const auto name = to_string(static_cast<proto_error>(code));
        if (name != "unknown_proto_error") CHECK(listed(code, name));
    }
    for (unsigned code = 500; code < 600; ++code) {
        const auto name = to_string(static_cast<relay_error>(code));
        if (name != "unknown_relay_error") CHECK(listed(code, name));
    }
    // The room's codes: anything named differently from an unused code is a real one.
    const auto unused = room::to_string(static_cast<room::room_error>(299));
    for (unsigned code = 200; code < 299; ++code) {
        const auto name = room::to_string(static_cast<room::room_error>(code));
        if (name != unused) CHECK(listed(code, name));
    }
}
