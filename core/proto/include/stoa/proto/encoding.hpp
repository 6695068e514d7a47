// Text encodings of bytes in JSON: lowercase hex for fixed-size ids and keys, standard padded
// base64 (RFC 4648 section 4) for blobs. Decoders accept only the canonical form, so every
// value has exactly one spelling and re-encoding a decoded message reproduces it.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "stoa/common/bytes.hpp"

namespace stoa::proto {

[[nodiscard]] std::string encode_base64(byte_view data);
// nullopt on any character outside the alphabet, missing or misplaced '=', or non-zero pad bits.
[[nodiscard]] std::optional<bytes> decode_base64(std::string_view text);
[[nodiscard]] constexpr std::size_t base64_length(std::size_t byte_count) noexcept { return (byte_count + 2) / 3 * 4; }

// Lowercase only; nullopt on odd length or any other character.
[[nodiscard]] std::optional<bytes> decode_lower_hex(std::string_view text);

// True when `text` is well-formed UTF-8 (no overlongs, surrogates or code points over U+10FFFF).
[[nodiscard]] bool is_valid_utf8(std::string_view text) noexcept;

}  // namespace stoa::proto
