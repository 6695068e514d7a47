// SFrame (RFC 9605) frame protection: the section 4.3 header, the section 4.4 key and salt
// derivation, and ChaCha20-Poly1305 IETF as the private-use cipher suite 0xF001.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "stoa/common/bytes.hpp"
#include "stoa/common/ids.hpp"
#include "stoa/common/result.hpp"
#include "stoa/e2ee/e2ee_error.hpp"
#include "stoa/e2ee/secret.hpp"

namespace stoa::e2ee {

// Private-use range 0xF000-0xFFFF of the IANA SFrame registry. Nh=32 (SHA-256), Nk=32, Nn=12, Nt=16.
inline constexpr std::uint16_t sframe_cipher_suite = 0xF001;
inline constexpr std::size_t sframe_key_size = 32;    // crypto_aead_chacha20poly1305_ietf_KEYBYTES
inline constexpr std::size_t sframe_nonce_size = 12;  // crypto_aead_chacha20poly1305_ietf_NPUBBYTES
inline constexpr std::size_t sframe_tag_size = 16;    // crypto_aead_chacha20poly1305_ietf_ABYTES
inline constexpr std::size_t sframe_max_header_size = 17;  // config byte + 8-byte KID + 8-byte CTR
// Opus packets are at most 1275 bytes; the rest leaves room for a client-defined inner header.
inline constexpr std::size_t sframe_max_plaintext_size = 4096;
inline constexpr std::size_t sframe_max_frame_size = sframe_max_header_size + sframe_max_plaintext_size + sframe_tag_size;

struct sframe_header {
    std::uint64_t kid = 0;
    std::uint64_t counter = 0;
    friend bool operator==(const sframe_header&, const sframe_header&) = default;
};

struct parsed_sframe_header {
    sframe_header header;
    std::size_t size = 0;  // bytes the header occupies at the start of the frame
};

// Minimal encoding (RFC 9605 4.3): values 0-7 inline in the config byte, larger values in the
// fewest big-endian bytes.
[[nodiscard]] std::size_t encoded_header_size(const sframe_header& header) noexcept;
// Writes the header at the start of `out` (which must hold encoded_header_size bytes); returns its size.
std::size_t encode_header(const sframe_header& header, mutable_byte_view out) noexcept;
// Rejects non-minimal encodings: a header has exactly one encoding, so the bytes authenticated
// as AAD are a function of (KID, CTR).
[[nodiscard]] result<parsed_sframe_header, e2ee_error> parse_header(byte_view frame) noexcept;

// KID = epoch << 24 | sender_index. 24 bits of sender index (16.7 million joins per room) and
// 40 bits of epoch (a rekey per second for 34,000 years).
inline constexpr unsigned kid_sender_bits = 24;
inline constexpr std::uint64_t max_kid_sender = (std::uint64_t{1} << kid_sender_bits) - 1;
inline constexpr std::uint64_t max_kid_epoch = (std::uint64_t{1} << (64 - kid_sender_bits)) - 1;

struct kid_parts {
    epoch_id epoch{};
    sender_index sender{};
};
[[nodiscard]] result<std::uint64_t, e2ee_error> make_kid(epoch_id epoch, sender_index sender) noexcept;
[[nodiscard]] kid_parts split_kid(std::uint64_t kid) noexcept;

[[nodiscard]] constexpr std::size_t protected_size(std::size_t header_size, std::size_t plaintext_size) noexcept {
    return header_size + plaintext_size + sframe_tag_size;
}

// The sframe_key and sframe_salt of one KID (RFC 9605 4.4.2):
//   sframe_secret = HKDF-Extract("", base_key)
//   sframe_key    = HKDF-Expand(sframe_secret, "SFrame 1.0 Secret key "  || u64 KID || u16 suite, 32)
//   sframe_salt   = HKDF-Expand(sframe_secret, "SFrame 1.0 Secret salt " || u64 KID || u16 suite, 12)
class sframe_key {
public:
    [[nodiscard]] static sframe_key derive(const secret_key& base_key, std::uint64_t kid);

    [[nodiscard]] std::uint64_t kid() const noexcept { return kid_; }

    // header || ChaCha20-Poly1305(key, salt XOR u96 counter, aad = header, plaintext). `out` must hold
    // protected_size(); returns the bytes written. Nothing is allocated.
    [[nodiscard]] result<std::size_t, e2ee_error> seal(std::uint64_t counter, byte_view plaintext,
                                                       mutable_byte_view out) const noexcept;
    // `parsed` must come from parse_header(frame) and carry this key's KID. Returns the plaintext size.
    [[nodiscard]] result<std::size_t, e2ee_error> open(const parsed_sframe_header& parsed, byte_view frame,
                                                       mutable_byte_view out) const noexcept;

private:
    void nonce_for(std::uint64_t counter, std::uint8_t* nonce) const noexcept;

    std::uint64_t kid_ = 0;
    secret_bytes<sframe_key_size> key_{};
    secret_bytes<sframe_nonce_size> salt_{};
};

}  // namespace stoa::e2ee
