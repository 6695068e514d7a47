// RFC 9605 header encoding, KID layout, frame sealing, and the checked-in golden vectors.
#include <catch2/catch.hpp>

#include <fstream>

#include "e2ee_test_support.hpp"
#include "sframe_vector_cases.hpp"
#include "stoa/e2ee/sframe.hpp"

using namespace stoa;
using namespace stoa::e2ee;

namespace {
std::string encode_hex(std::uint64_t kid, std::uint64_t counter) {
    std::array<std::uint8_t, sframe_max_header_size> buffer{};
    const std::size_t size = encode_header(sframe_header{kid, counter}, buffer);
    CHECK(size == encoded_header_size(sframe_header{kid, counter}));
    return to_hex(byte_view(buffer).first(size));
}
}  // namespace

TEST_CASE("SFrame header encodes as RFC 9605 section 4.3", "[e2ee][sframe]") {
    struct row {
        std::uint64_t kid;
        std::uint64_t counter;
        const char* hex;
    };
    // Config byte X|KKK|Y|CCC: values 0-7 inline, else the flag plus (length - 1), minimal big-endian bytes.
    const row rows[] = {
        {0, 0, "00"},
        {7, 7, "77"},
        {1, 2, "12"},
        {0, 8, "0808"},
        {8, 0, "8008"},
        {7, 0xff, "78ff"},
        {0xff, 0x100, "89ff0100"},
        {1, 0x1234, "191234"},
        {0x0102030405060708ULL, 0, "f00102030405060708"},
        {0, 0x0102030405060708ULL, "0f0102030405060708"},
        {0xffffffffffffffffULL, 0xffffffffffffffffULL, "ffffffffffffffffffffffffffffffffff"},
    };
    for (const auto& r : rows) {
        CAPTURE(r.kid, r.counter);
        CHECK(encode_hex(r.kid, r.counter) == r.hex);
        const bytes encoded = from_hex(r.hex).value();
        auto parsed = parse_header(encoded);
        REQUIRE(parsed.ok());
        CHECK(parsed->header == sframe_header{r.kid, r.counter});
        CHECK(parsed->size == encoded.size());
    }
}

TEST_CASE("SFrame header parser rejects truncated and non-minimal headers", "[e2ee][sframe]") {
    struct row {
        const char* hex;
        e2ee_error error;
    };
    const row rows[] = {
        {"", e2ee_error::truncated},
        {"80", e2ee_error::truncated},            // KID of 1 byte announced, none present
        {"08", e2ee_error::truncated},            // CTR of 1 byte announced, none present
        {"f00102", e2ee_error::truncated},        // 8-byte KID cut short
        {"8005", e2ee_error::bad_header},         // KID 5 must be inline
        {"0807", e2ee_error::bad_header},         // CTR 7 must be inline
        {"900008", e2ee_error::bad_header},       // 2-byte KID with a leading zero
        {"090008", e2ee_error::bad_header},       // 2-byte CTR 0x0008 has a leading zero
    };
    for (const auto& r : rows) {
        CAPTURE(r.hex);
        auto parsed = parse_header(from_hex(r.hex).value());
        REQUIRE_FALSE(parsed.ok());
        CHECK(parsed.error() == r.error);
    }
}

TEST_CASE("SFrame header round-trips for values at every byte length", "[e2ee][sframe]") {
    test::seeded_random random(11);
    for (int i = 0; i < 2000; ++i) {
        const unsigned kid_bits = static_cast<unsigned>(random.uniform(65));
        const unsigned counter_bits = static_cast<unsigned>(random.uniform(65));
        const std::uint64_t kid = kid_bits == 0 ? 0 : random.next_u64() >> (64 - kid_bits);
        const std::uint64_t counter = counter_bits == 0 ? 0 : random.next_u64() >> (64 - counter_bits);
        std::array<std::uint8_t, sframe_max_header_size + 3> buffer{};
        const std::size_t size = encode_header(sframe_header{kid, counter}, buffer);
        // Trailing bytes (the ciphertext) are not part of the header.
        auto parsed = parse_header(buffer);
        REQUIRE(parsed.ok());
        CHECK(parsed->header == sframe_header{kid, counter});
        CHECK(parsed->size == size);
    }
}

TEST_CASE("KID packs epoch above a 24-bit sender index", "[e2ee][sframe]") {
    CHECK(make_kid(epoch_id(1), sender_index(5)).value() == 0x1000005);
    const kid_parts parts = split_kid(0x2a00270f);
    CHECK(parts.epoch == epoch_id(42));
    CHECK(parts.sender == sender_index(9999));
    CHECK(make_kid(epoch_id(1), sender_index(1U << 24)).error() == e2ee_error::sender_index_out_of_range);
    CHECK(make_kid(epoch_id(max_kid_epoch + 1), sender_index(0)).error() == e2ee_error::unknown_kid);
}

TEST_CASE("sframe_key seals and opens; any changed byte fails authentication", "[e2ee][sframe]") {
    const secret_key base = test::vector_epoch_secret();
    const sframe_key key = sframe_key::derive(base, 0x1000002);
    const bytes plaintext = {0xfc, 1, 2, 3, 4, 5, 6, 7, 8, 9};
    bytes frame(protected_size(sframe_max_header_size, plaintext.size()));
    const std::size_t size = key.seal(300, plaintext, frame).value();
    frame.resize(size);

    bytes out(plaintext.size());
    auto parsed = parse_header(frame).value();
    REQUIRE(key.open(parsed, frame, out).value() == plaintext.size());
    CHECK(out == plaintext);

    for (std::size_t i = 0; i < frame.size(); ++i) {
        bytes tampered = frame;
        tampered[i] ^= 0x01;
        auto reparsed = parse_header(tampered);
        if (!reparsed) continue;  // a header byte change can make the header itself invalid
        if (reparsed->header.kid != key.kid()) continue;
        CAPTURE(i);
        CHECK(key.open(*reparsed, tampered, out).error() == e2ee_error::auth_failed);
    }
    CHECK(key.open(parsed, byte_view(frame).first(parsed.size + sframe_tag_size - 1), out).error() ==
          e2ee_error::truncated);
    bytes small(1);
    CHECK(key.open(parsed, frame, small).error() == e2ee_error::buffer_too_small);
    const bytes huge(sframe_max_plaintext_size + 1);
    bytes big_out(protected_size(sframe_max_header_size, huge.size()));
    CHECK(key.seal(1, huge, big_out).error() == e2ee_error::too_large);
}

TEST_CASE("golden vectors in tests/vectors/sframe_vectors.json still hold", "[e2ee][sframe][vectors]") {
    std::ifstream file(std::string(STOA_SOURCE_DIR) + "/tests/vectors/sframe_vectors.json");
    REQUIRE(file.good());
    const nlohmann::json checked_in = nlohmann::json::parse(file);
    REQUIRE(checked_in.at("cipher_suite").get<int>() == sframe_cipher_suite);
    const auto& vectors = checked_in.at("vectors");
    REQUIRE(vectors.size() == test::sframe_vector_cases().size());
    for (std::size_t i = 0; i < vectors.size(); ++i) {
        const auto& stored = vectors[i];
        CAPTURE(i);
        const auto expected = test::compute_sframe_vector(test::sframe_vector_cases()[i]);
        CHECK(stored.at("kid") == expected.at("kid"));
        CHECK(stored.at("base_key") == expected.at("base_key"));
        CHECK(stored.at("header") == expected.at("header"));
        CHECK(stored.at("protected") == expected.at("protected"));

        // And the stored frame opens to the stored plaintext with a key derived from the stored secret.
        const bytes secret_raw = from_hex(stored.at("epoch_secret").get<std::string>()).value();
        const secret_key epoch_secret(std::span<const std::uint8_t, 32>(secret_raw.data(), 32));
        const auto sender = sender_index(stored.at("sender_index").get<std::uint32_t>());
        const sframe_key key =
            sframe_key::derive(sender_base_key(epoch_secret, sender), stored.at("kid").get<std::uint64_t>());
        const bytes frame = from_hex(stored.at("protected").get<std::string>()).value();
        auto parsed = parse_header(frame);
        REQUIRE(parsed.ok());
        CHECK(parsed->header.counter == stored.at("counter").get<std::uint64_t>());
        bytes plaintext(frame.size());
        auto size = key.open(*parsed, frame, plaintext);
        REQUIRE(size.ok());
        plaintext.resize(*size);
        CHECK(to_hex(plaintext) == stored.at("plaintext").get<std::string>());
    }
}
