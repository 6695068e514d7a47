// A member's long-term key pair (Ed25519, with its X25519 twin for sealed key packages), the
// member id derived from it, and the proof of possession a member gives the relay at connect.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "stoa/common/bytes.hpp"
#include "stoa/common/ids.hpp"
#include "stoa/common/random.hpp"
#include "stoa/common/result.hpp"
#include "stoa/e2ee/e2ee_error.hpp"
#include "stoa/e2ee/secret.hpp"

namespace stoa::e2ee {

inline constexpr std::size_t signature_size = 64;       // crypto_sign_BYTES
inline constexpr std::size_t ed25519_secret_size = 64;  // crypto_sign_SECRETKEYBYTES
inline constexpr std::size_t seed_size = 32;            // crypto_sign_SEEDBYTES
inline constexpr std::size_t x25519_key_size = 32;      // crypto_box_PUBLICKEYBYTES
inline constexpr std::size_t sealed_box_overhead = 48;  // crypto_box_SEALBYTES

using signature = std::array<std::uint8_t, signature_size>;
using x25519_public_key = std::array<std::uint8_t, x25519_key_size>;

class identity {
public:
    // Draws the 32-byte seed from `random`; the key pair is a pure function of the seed.
    [[nodiscard]] static identity generate(random_source& random);
    [[nodiscard]] static identity from_seed(const secret_bytes<seed_size>& seed);

    identity(identity&& other) noexcept;
    identity& operator=(identity&& other) noexcept;
    identity(const identity&) = delete;
    identity& operator=(const identity&) = delete;
    ~identity();

    [[nodiscard]] const public_key& key() const noexcept { return public_key_; }
    [[nodiscard]] member_id id() const noexcept { return member_id_; }
    [[nodiscard]] const x25519_public_key& sealing_key() const noexcept { return x25519_public_; }

    // Detached Ed25519 signature. Callers build a domain-separated transcript first.
    [[nodiscard]] signature sign(byte_view message) const noexcept;

    // Opens a crypto_box_seal addressed to this identity's X25519 twin into `out`
    // (out.size() must be sealed.size() - sealed_box_overhead). Returns the plaintext size.
    [[nodiscard]] result<std::size_t, e2ee_error> open_sealed(byte_view sealed, mutable_byte_view out) const noexcept;

private:
    identity() = default;
    void wipe() noexcept;

    public_key public_key_{};
    member_id member_id_{};
    secret_bytes<ed25519_secret_size> secret_key_{};
    x25519_public_key x25519_public_{};
    secret_bytes<x25519_key_size> x25519_secret_{};
};

// First 16 bytes of BLAKE2b-256("stoa member id v1" || public key).
[[nodiscard]] member_id derive_member_id(const public_key& key) noexcept;

// The X25519 key that packages for this member are sealed to. Rejects points that are not on
// the curve, not in the main subgroup, or of low order.
[[nodiscard]] result<x25519_public_key, e2ee_error> sealing_key_for(const public_key& key) noexcept;

// crypto_box_seal of `plaintext` to `recipient`; out.size() must be plaintext.size() + sealed_box_overhead.
// Uses libsodium's own randomness for the ephemeral key (crypto_box_seal offers no other way).
[[nodiscard]] status<e2ee_error> seal_to(const x25519_public_key& recipient, byte_view plaintext,
                                         mutable_byte_view out) noexcept;

[[nodiscard]] status<e2ee_error> verify_signature(const public_key& key, byte_view message,
                                                  const signature& sig) noexcept;
[[nodiscard]] result<signature, e2ee_error> parse_signature(byte_view raw) noexcept;

}  // namespace stoa::e2ee
