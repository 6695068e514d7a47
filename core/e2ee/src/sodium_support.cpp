// libsodium start-up, HKDF-SHA256 and the secret wiping used by every e2ee type.
#include "sodium_support.hpp"

#include <algorithm>
#include <stdexcept>

#include "stoa/e2ee/secret.hpp"

namespace stoa::e2ee::detail {

void ensure_sodium() {
    static const int initialised = sodium_init();
    // 1 means "already initialised by someone else", which is fine; only -1 is a failure.
    if (initialised < 0) throw std::runtime_error("sodium_init failed");
}

void wipe(void* data, std::size_t size) noexcept { sodium_memzero(data, size); }

bool constant_time_equal(const void* a, const void* b, std::size_t size) noexcept {
    return sodium_memcmp(a, b, size) == 0;
}

void hkdf_extract(byte_view salt, byte_view input_key_material, std::span<std::uint8_t, hkdf_hash_size> prk) noexcept {
    static constexpr std::uint8_t no_salt = 0;
    crypto_auth_hmacsha256_state state;
    // An empty salt is HMAC with an empty key, which RFC 5869 defines as equal to HashLen zeros.
    crypto_auth_hmacsha256_init(&state, salt.empty() ? &no_salt : salt.data(), salt.size());
    crypto_auth_hmacsha256_update(&state, input_key_material.data(), input_key_material.size());
    crypto_auth_hmacsha256_final(&state, prk.data());
    sodium_memzero(&state, sizeof state);
}

void hkdf_expand(std::span<const std::uint8_t> prk, std::span<const byte_view> info_parts,
                 std::span<std::uint8_t> out) noexcept {
    std::uint8_t block[hkdf_hash_size];
    std::size_t produced = 0;
    for (std::uint8_t counter = 1; produced < out.size(); ++counter) {
        crypto_auth_hmacsha256_state state;
        crypto_auth_hmacsha256_init(&state, prk.data(), prk.size());
        if (counter > 1) crypto_auth_hmacsha256_update(&state, block, sizeof block);
        for (const auto& part : info_parts) crypto_auth_hmacsha256_update(&state, part.data(), part.size());
        crypto_auth_hmacsha256_update(&state, &counter, 1);
        crypto_auth_hmacsha256_final(&state, block);
        sodium_memzero(&state, sizeof state);
        const std::size_t take = std::min(sizeof block, out.size() - produced);
        for (std::size_t i = 0; i < take; ++i) out[produced + i] = block[i];
        produced += take;
    }
    sodium_memzero(block, sizeof block);
}

}  // namespace stoa::e2ee::detail
