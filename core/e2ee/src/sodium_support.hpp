// Private helpers shared by the e2ee sources: libsodium start-up, HKDF-SHA256 on libsodium's
// HMAC, BLAKE2b, and domain-separated transcripts. Not installed: users never include sodium.h.
#pragma once

#include <sodium.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "stoa/common/bytes.hpp"

namespace stoa::e2ee::detail {

// sodium_init() is safe to call many times but not concurrently before the first call returns;
// a function-local static gives exactly one call under C++'s thread-safe static initialisation.
void ensure_sodium();

// RFC 5869 HKDF with SHA-256, built on crypto_auth_hmacsha256 (present in --enable-minimal).
inline constexpr std::size_t hkdf_hash_size = crypto_auth_hmacsha256_BYTES;
void hkdf_extract(byte_view salt, byte_view input_key_material, std::span<std::uint8_t, hkdf_hash_size> prk) noexcept;
// `info` is given in pieces so callers need not allocate to concatenate; out.size() <= 255 * 32.
void hkdf_expand(std::span<const std::uint8_t> prk, std::span<const byte_view> info_parts,
                 std::span<std::uint8_t> out) noexcept;

// Transcript = label || 0x00 || fields. No label contains 0x00 and no two labels are equal, so
// no transcript of one kind can be read as another kind (signatures never cross purposes).
inline void append_label(bytes& out, std::string_view label) {
    // resize-and-copy rather than insert + push_back, which trips a GCC 12 -Wstringop-overflow false positive.
    const std::size_t at = out.size();
    out.resize(at + label.size() + 1);
    for (std::size_t i = 0; i < label.size(); ++i) out[at + i] = static_cast<std::uint8_t>(label[i]);
    out[at + label.size()] = 0;
}

}  // namespace stoa::e2ee::detail
