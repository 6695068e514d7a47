// The inputs of tests/vectors/sframe_vectors.json and the computation that turns each into its
// expected bytes; shared by the generator program and the test that checks the checked-in file.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "stoa/common/bytes.hpp"
#include "stoa/e2ee/key_schedule.hpp"
#include "stoa/e2ee/sframe.hpp"

namespace stoa::e2ee::test {

struct sframe_vector_case {
    std::uint64_t epoch;
    std::uint32_t sender;
    std::uint64_t counter;
    std::string plaintext_hex;
};

// Chosen to exercise each header form: inline CTR, 1-byte and 8-byte CTR, small and wide KIDs.
inline const std::vector<sframe_vector_case>& sframe_vector_cases() {
    static const std::vector<sframe_vector_case> cases = {
        {0, 0, 0, ""},
        {0, 7, 7, "fc"},
        {1, 2, 8, "fc0102030405060708090a0b0c0d0e0f"},
        {1, 2, 255, "78e1a3"},
        {42, 9999, 65536, "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
                          "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f"
                          "404142434445464748494a4b4c4d4e4f"},
        {0xffffffffffULL, 0xffffff, 0xffffffffffffffffULL, "ff"},
    };
    return cases;
}

inline secret_key vector_epoch_secret() {
    secret_key secret;
    for (std::size_t i = 0; i < secret_key::size; ++i) secret.mutable_view()[i] = static_cast<std::uint8_t>(i);
    return secret;
}

inline nlohmann::json compute_sframe_vector(const sframe_vector_case& c) {
    const secret_key epoch_secret = vector_epoch_secret();
    const std::uint64_t kid = make_kid(epoch_id(c.epoch), sender_index(c.sender)).value();
    const secret_key base_key = sender_base_key(epoch_secret, sender_index(c.sender));
    const sframe_key key = sframe_key::derive(base_key, kid);
    const bytes plaintext = from_hex(c.plaintext_hex).value();
    bytes frame(protected_size(sframe_max_header_size, plaintext.size()));
    const std::size_t size = key.seal(c.counter, plaintext, frame).value();
    frame.resize(size);
    const std::size_t header_size = encoded_header_size(sframe_header{kid, c.counter});
    return nlohmann::json{
        {"epoch_secret", to_hex(epoch_secret.view())},
        {"epoch", c.epoch},
        {"sender_index", c.sender},
        {"counter", c.counter},
        {"kid", kid},
        {"base_key", to_hex(base_key.view())},
        {"plaintext", c.plaintext_hex},
        {"header", to_hex(byte_view(frame).first(header_size))},
        {"protected", to_hex(frame)},
    };
}

inline nlohmann::json compute_sframe_vectors() {
    nlohmann::json vectors = nlohmann::json::array();
    for (const auto& c : sframe_vector_cases()) vectors.push_back(compute_sframe_vector(c));
    return nlohmann::json{
        {"description",
         "Stoa SFrame (RFC 9605) frames: KID = epoch << 24 | sender_index, base_key = HKDF-Expand(epoch_secret, "
         "\"stoa v1 sender base key\" 0x00 u32 sender_index, 32), cipher suite 0xF001 = ChaCha20-Poly1305 IETF "
         "with HKDF-SHA256. See docs/security.md."},
        {"generated_by", "build/<dir>/tests/e2ee/stoa_e2ee_sframe_vectors > tests/vectors/sframe_vectors.json"},
        {"cipher_suite", sframe_cipher_suite},
        {"vectors", vectors},
    };
}

}  // namespace stoa::e2ee::test
