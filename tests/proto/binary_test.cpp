#include <catch2/catch.hpp>

#include <algorithm>

#include "samples.hpp"
#include "stoa/proto/binary.hpp"
#include "stoa/proto/limits.hpp"

using namespace stoa;
using namespace stoa::proto;

namespace {

bytes raw(std::initializer_list<int> values) {
    bytes out;
    for (int v : values) out.push_back(static_cast<std::uint8_t>(v));
    return out;
}

bytes with_payload(binary_type type, std::uint32_t sender, std::size_t payload_size) {
    bytes out = raw({static_cast<int>(type), 0, 0, 0, 0});
    out[1] = static_cast<std::uint8_t>(sender >> 24);
    out[4] = static_cast<std::uint8_t>(sender);
    bytes p = samples::blob(payload_size);
    out.insert(out.end(), p.begin(), p.end());
    return out;
}

key_bundle_message bundle_of(std::size_t entries, std::size_t blob_size) {
    key_bundle_message m{sender_index(3), {}};
    for (std::size_t i = 0; i < entries; ++i)
        m.entries.push_back({sender_index(static_cast<std::uint32_t>(1000 + i)), samples::blob(blob_size, static_cast<std::uint8_t>(i))});
    return m;
}

}  // namespace

TEST_CASE("every binary message type round-trips in its direction", "[proto][binary]") {
    struct row {
        const char* name;
        binary_message message;
        direction from;
    };
    const std::vector<row> rows = {
        {"media smallest", media_message{sender_index(0), samples::blob(1)}, direction::client_to_relay},
        {"media largest", media_message{sender_index(0xffffffff), samples::blob(max_media_payload)},
         direction::relay_to_client},
        {"speaker_signature", speaker_signature_message{sender_index(5), samples::blob(64)}, direction::client_to_relay},
        {"key_announcement", key_announcement_message{sender_index(6), samples::blob(max_key_announcement_payload)},
         direction::relay_to_client},
        {"key_bundle one entry", bundle_of(1, 80), direction::client_to_relay},
        {"key_bundle many", bundle_of(300, 90), direction::client_to_relay},
        {"key_package", key_package_message{sender_index(8), samples::blob(max_key_blob)}, direction::relay_to_client},
        {"reaction from a client", reaction_message{sender_index(9), samples::blob(146)}, direction::client_to_relay},
        {"reaction to a client", reaction_message{sender_index(9), samples::blob(max_reaction_payload)},
         direction::relay_to_client},
    };
    for (const auto& r : rows) {
        SECTION(r.name) {
            const bytes wire = encode_binary(r.message);
            auto decoded = decode_binary(wire, r.from);
            REQUIRE(decoded.ok());
            CHECK(*decoded == r.message);
            CHECK(encode_binary(*decoded) == wire);
            auto header = peek_binary_header(wire);
            REQUIRE(header.ok());
            CHECK(static_cast<std::uint8_t>(header->type) == wire[0]);
        }
    }
}

TEST_CASE("media layout is type, big-endian sender_index, then the payload unchanged", "[proto][binary]") {
    bytes wire;
    encode_media(wire, sender_index(0x01020304), raw({0xde, 0xad}));
    CHECK(wire == raw({0x01, 0x01, 0x02, 0x03, 0x04, 0xde, 0xad}));
    auto header = peek_binary_header(wire);
    REQUIRE(header.ok());
    CHECK(header->type == binary_type::media);
    CHECK(header->sender == sender_index(0x01020304));
}

TEST_CASE("the relay forwards the received media buffer unchanged to every listener", "[proto][binary]") {
    // Both directions use one encoding, so what a listener decodes is what the speaker sent.
    const bytes sent = encode_binary(media_message{sender_index(42), samples::blob(160)});
    auto at_relay = decode_binary(sent, direction::client_to_relay);
    auto at_listener = decode_binary(sent, direction::relay_to_client);
    REQUIRE(at_relay.ok());
    REQUIRE(at_listener.ok());
    CHECK(*at_relay == *at_listener);
}

TEST_CASE("relay-visible bytes of a media message hold no member id or public key", "[proto][binary]") {
    const auto member = samples::alice();
    bytes wire;
    encode_media(wire, member.index, bytes(200, 0xee));  // stands in for SFrame ciphertext
    // The routing header is exactly type + sender_index; everything else is the SFrame payload.
    REQUIRE(wire.size() == binary_header_size + 200);
    const byte_view header(wire.data(), binary_header_size);
    auto contains = [&](byte_view haystack, byte_view needle) {
        return std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end()) != haystack.end();
    };
    CHECK_FALSE(contains(wire, member.id.value));
    CHECK_FALSE(contains(wire, member.key.value));
    CHECK_FALSE(contains(header, byte_view(member.id.value.data(), 2)));
    CHECK(header[0] == 0x01);
}

TEST_CASE("bad binary input yields the matching error", "[proto][binary]") {
    struct row {
        const char* name;
        bytes input;
        direction from;
        proto_error expected;
    };
    bytes bundle_trailing = encode_binary(bundle_of(2, 10));
    bundle_trailing.push_back(0);
    bytes bundle_truncated = encode_binary(bundle_of(2, 10));
    bundle_truncated.pop_back();
    bytes bundle_zero_blob = raw({0x04, 0, 0, 0, 1, 0, 1, 0, 0, 0, 2, 0, 0});
    bytes bundle_zero_count = raw({0x04, 0, 0, 0, 1, 0, 0});
    bytes bundle_many = raw({0x04, 0, 0, 0, 1, 0x04, 0x01});  // 1025 entries
    bytes bundle_big_blob = raw({0x04, 0, 0, 0, 1, 0, 1, 0, 0, 0, 2, 0x04, 0x01});
    bundle_big_blob.resize(bundle_big_blob.size() + 1025, 0xaa);
    bytes bundle_huge(max_key_bundle_size + 1, 0);
    bundle_huge[0] = 0x04;

    const std::vector<row> rows = {
        {"empty", {}, direction::client_to_relay, proto_error::truncated},
        {"unknown type 0", raw({0x00, 0, 0, 0, 1, 9}), direction::client_to_relay, proto_error::unknown_type},
        {"unknown type 0x08", raw({0x08, 0, 0, 0, 1, 9}), direction::client_to_relay, proto_error::unknown_type},
        {"empty reaction", raw({0x07, 0, 0, 0, 1}), direction::client_to_relay, proto_error::empty_payload},
        {"reaction over its limit", with_payload(binary_type::reaction, 1, max_reaction_payload + 1),
         direction::relay_to_client, proto_error::message_too_large},
        {"unknown type 0xff", raw({0xff}), direction::client_to_relay, proto_error::unknown_type},
        {"header cut", raw({0x01, 0, 0}), direction::client_to_relay, proto_error::truncated},
        {"media no payload", raw({0x01, 0, 0, 0, 1}), direction::client_to_relay, proto_error::empty_payload},
        {"media oversized", with_payload(binary_type::media, 1, max_media_payload + 1), direction::client_to_relay,
         proto_error::message_too_large},
        {"signature oversized", with_payload(binary_type::speaker_signature, 1, 1025), direction::client_to_relay,
         proto_error::message_too_large},
        {"announcement empty", raw({0x03, 0, 0, 0, 1}), direction::client_to_relay, proto_error::empty_payload},
        {"key_package from a client", with_payload(binary_type::key_package, 1, 10), direction::client_to_relay,
         proto_error::wrong_direction},
        {"key_bundle from the relay", encode_binary(bundle_of(1, 10)), direction::relay_to_client,
         proto_error::wrong_direction},
        {"bundle trailing byte", bundle_trailing, direction::client_to_relay, proto_error::trailing_bytes},
        {"bundle truncated", bundle_truncated, direction::client_to_relay, proto_error::truncated},
        {"bundle without count", raw({0x04, 0, 0, 0, 1, 0}), direction::client_to_relay, proto_error::truncated},
        {"bundle zero count", bundle_zero_count, direction::client_to_relay, proto_error::empty_payload},
        {"bundle zero-length blob", bundle_zero_blob, direction::client_to_relay, proto_error::empty_payload},
        {"bundle too many entries", bundle_many, direction::client_to_relay, proto_error::too_many_items},
        {"bundle blob over limit", bundle_big_blob, direction::client_to_relay, proto_error::too_long},
        {"bundle over size limit", bundle_huge, direction::client_to_relay, proto_error::message_too_large},
    };
    for (const auto& r : rows) {
        SECTION(r.name) {
            auto decoded = decode_binary(r.input, r.from);
            REQUIRE_FALSE(decoded.ok());
            CHECK(decoded.error().code == r.expected);
            CHECK_FALSE(decoded.error().detail.empty());
        }
    }
}

TEST_CASE("key_bundle_view iterates entries in place without copying", "[proto][binary]") {
    const auto message = bundle_of(50, 33);
    const bytes wire = encode_binary(message);
    auto view = key_bundle_view::parse(wire);
    REQUIRE(view.ok());
    CHECK(view->distributor() == sender_index(3));
    CHECK(view->size() == 50);
    std::size_t i = 0;
    for (const auto entry : *view) {
        REQUIRE(i < message.entries.size());
        CHECK(entry.recipient == message.entries[i].recipient);
        CHECK(std::equal(entry.blob.begin(), entry.blob.end(), message.entries[i].blob.begin(),
                         message.entries[i].blob.end()));
        // The blob is a view into the received buffer, not a copy.
        CHECK(entry.blob.data() >= wire.data());
        CHECK(entry.blob.data() + entry.blob.size() <= wire.data() + wire.size());
        ++i;
    }
    CHECK(i == 50);

    SECTION("each entry becomes a key_package for its recipient") {
        const auto first = *view->begin();
        bytes package;
        encode_key_package(package, view->distributor(), first.blob);
        auto decoded = decode_binary(package, direction::relay_to_client);
        REQUIRE(decoded.ok());
        const auto& p = std::get<key_package_message>(*decoded);
        CHECK(p.distributor == sender_index(3));
        CHECK(p.blob == message.entries[0].blob);
    }
}

TEST_CASE("key_bundle_view refuses other message types", "[proto][binary]") {
    const bytes media = encode_binary(media_message{sender_index(1), samples::blob(3)});
    auto view = key_bundle_view::parse(media);
    REQUIRE_FALSE(view.ok());
    CHECK(view.error().code == proto_error::unknown_type);
}

TEST_CASE("split_key_bundle keeps each message within the count and size limits", "[proto][binary]") {
    std::vector<key_bundle_entry> entries;
    for (std::uint32_t i = 0; i < 3000; ++i) entries.push_back({sender_index(i), samples::blob(200, static_cast<std::uint8_t>(i))});
    const auto messages = split_key_bundle(sender_index(11), entries);
    REQUIRE(messages.size() > 1);
    std::size_t seen = 0;
    for (const auto& wire : messages) {
        CHECK(wire.size() <= max_key_bundle_size);
        auto view = key_bundle_view::parse(wire);
        REQUIRE(view.ok());
        CHECK(view->size() <= max_key_bundle_entries);
        for (const auto entry : *view) {
            CHECK(entry.recipient == entries[seen].recipient);
            ++seen;
        }
    }
    CHECK(seen == entries.size());
}

TEST_CASE("encoders refuse to build messages the peer must reject", "[proto][binary]") {
    CHECK_THROWS_AS(encode_binary(media_message{sender_index(1), {}}), std::invalid_argument);
    CHECK_THROWS_AS(encode_binary(media_message{sender_index(1), samples::blob(max_media_payload + 1)}),
                    std::invalid_argument);
    CHECK_THROWS_AS(encode_binary(key_bundle_message{sender_index(1), {}}), std::invalid_argument);
    CHECK_THROWS_AS(encode_binary(bundle_of(max_key_bundle_entries + 1, 1)), std::invalid_argument);
}

TEST_CASE("key_request carries the requester's index and the epoch it holds, both ways", "[proto][binary]") {
    const bytes epoch{0, 0, 0, 0, 0, 0, 0, 42};
    const bytes encoded = encode_binary(key_request_message{sender_index(7), epoch});
    CHECK(encoded.size() == binary_header_size + 8);
    CHECK(encoded[0] == 0x06);
    for (const auto from : {direction::client_to_relay, direction::relay_to_client}) {
        auto decoded = decode_binary(encoded, from);
        REQUIRE(decoded.ok());
        CHECK(std::get<key_request_message>(decoded.value()) == key_request_message{sender_index(7), epoch});
    }
    bytes oversized = encoded;
    oversized.push_back(0);
    CHECK(peek_binary_header(oversized).error().code == proto_error::message_too_large);
}
