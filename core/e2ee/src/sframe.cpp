// RFC 9605 header codec and ChaCha20-Poly1305 frame sealing.
#include "stoa/e2ee/sframe.hpp"

#include "sodium_support.hpp"

namespace stoa::e2ee {

static_assert(sframe_key_size == crypto_aead_chacha20poly1305_ietf_KEYBYTES);
static_assert(sframe_nonce_size == crypto_aead_chacha20poly1305_ietf_NPUBBYTES);
static_assert(sframe_tag_size == crypto_aead_chacha20poly1305_ietf_ABYTES);

namespace {

constexpr std::uint8_t extended_kid_flag = 0x80;
constexpr std::uint8_t extended_counter_flag = 0x08;

std::size_t minimal_length(std::uint64_t value) noexcept {
    std::size_t length = 1;
    while (length < 8 && (value >> (8 * length)) != 0) ++length;
    return length;
}

std::size_t field_size(std::uint64_t value) noexcept { return value < 8 ? 0 : minimal_length(value); }

void write_big_endian(std::uint64_t value, std::size_t length, std::uint8_t* out) noexcept {
    for (std::size_t i = 0; i < length; ++i) out[i] = static_cast<std::uint8_t>(value >> (8 * (length - 1 - i)));
}

// One nibble of the config byte: X|K or Y|C. `extended` set means the low three bits are length - 1.
struct field_spec {
    bool extended;
    std::uint8_t bits;
};

result<std::uint64_t, e2ee_error> read_field(field_spec spec, byte_reader& reader) noexcept {
    if (!spec.extended) return std::uint64_t{spec.bits};
    const std::size_t length = std::size_t{spec.bits} + 1;
    auto value = reader.read_uint(length);
    if (!value) return fail(e2ee_error::truncated);
    // Minimal encoding is a MUST in RFC 9605 4.3: no leading zero byte, no extended form for 0-7.
    if (*value < 8 || minimal_length(*value) != length) return fail(e2ee_error::bad_header);
    return *value;
}

}  // namespace

std::size_t encoded_header_size(const sframe_header& header) noexcept {
    return 1 + field_size(header.kid) + field_size(header.counter);
}

std::size_t encode_header(const sframe_header& header, mutable_byte_view out) noexcept {
    const std::size_t kid_size = field_size(header.kid);
    const std::size_t counter_size = field_size(header.counter);
    std::uint8_t config = 0;
    config |= kid_size == 0 ? static_cast<std::uint8_t>(header.kid << 4)
                            : static_cast<std::uint8_t>(extended_kid_flag | ((kid_size - 1) << 4));
    config |= counter_size == 0 ? static_cast<std::uint8_t>(header.counter)
                                : static_cast<std::uint8_t>(extended_counter_flag | (counter_size - 1));
    out[0] = config;
    write_big_endian(header.kid, kid_size, out.data() + 1);
    write_big_endian(header.counter, counter_size, out.data() + 1 + kid_size);
    return 1 + kid_size + counter_size;
}

result<parsed_sframe_header, e2ee_error> parse_header(byte_view frame) noexcept {
    byte_reader reader(frame);
    auto config = reader.read_u8();
    if (!config) return fail(e2ee_error::truncated);
    const field_spec kid_spec{(*config & extended_kid_flag) != 0, static_cast<std::uint8_t>((*config >> 4) & 0x07)};
    const field_spec counter_spec{(*config & extended_counter_flag) != 0, static_cast<std::uint8_t>(*config & 0x07)};
    auto kid = read_field(kid_spec, reader);
    if (!kid) return fail(kid.error());
    auto counter = read_field(counter_spec, reader);
    if (!counter) return fail(counter.error());
    return parsed_sframe_header{sframe_header{*kid, *counter}, reader.offset()};
}

result<std::uint64_t, e2ee_error> make_kid(epoch_id epoch, sender_index sender) noexcept {
    if (sender.value > max_kid_sender) return fail(e2ee_error::sender_index_out_of_range);
    if (epoch.value > max_kid_epoch) return fail(e2ee_error::unknown_kid);
    return (epoch.value << kid_sender_bits) | sender.value;
}

kid_parts split_kid(std::uint64_t kid) noexcept {
    return {epoch_id(kid >> kid_sender_bits), sender_index(static_cast<std::uint32_t>(kid & max_kid_sender))};
}

sframe_key sframe_key::derive(const secret_key& base_key, std::uint64_t kid) {
    detail::ensure_sodium();
    std::uint8_t sframe_secret[detail::hkdf_hash_size];
    detail::hkdf_extract({}, base_key.view(), sframe_secret);
    std::uint8_t suffix[10];
    write_big_endian(kid, 8, suffix);
    write_big_endian(sframe_cipher_suite, 2, suffix + 8);
    sframe_key out;
    out.kid_ = kid;
    const byte_view key_info[] = {as_bytes("SFrame 1.0 Secret key "), byte_view(suffix, sizeof suffix)};
    detail::hkdf_expand(sframe_secret, key_info, out.key_.mutable_view());
    const byte_view salt_info[] = {as_bytes("SFrame 1.0 Secret salt "), byte_view(suffix, sizeof suffix)};
    detail::hkdf_expand(sframe_secret, salt_info, out.salt_.mutable_view());
    sodium_memzero(sframe_secret, sizeof sframe_secret);
    return out;
}

void sframe_key::nonce_for(std::uint64_t counter, std::uint8_t* nonce) const noexcept {
    // nonce = salt XOR encode_big_endian(counter, 12): the counter occupies the last 8 bytes.
    for (std::size_t i = 0; i < sframe_nonce_size; ++i) nonce[i] = salt_.data()[i];
    for (std::size_t i = 0; i < 8; ++i) nonce[sframe_nonce_size - 1 - i] ^= static_cast<std::uint8_t>(counter >> (8 * i));
}

result<std::size_t, e2ee_error> sframe_key::seal(std::uint64_t counter, byte_view plaintext,
                                                 mutable_byte_view out) const noexcept {
    if (plaintext.size() > sframe_max_plaintext_size) return fail(e2ee_error::too_large);
    const sframe_header header{kid_, counter};
    const std::size_t header_size = encoded_header_size(header);
    const std::size_t total = protected_size(header_size, plaintext.size());
    if (out.size() < total) return fail(e2ee_error::buffer_too_small);
    encode_header(header, out);
    std::uint8_t nonce[sframe_nonce_size];
    nonce_for(counter, nonce);
    unsigned long long written = 0;
    crypto_aead_chacha20poly1305_ietf_encrypt(out.data() + header_size, &written, plaintext.data(), plaintext.size(),
                                              out.data(), header_size, nullptr, nonce, key_.data());
    return header_size + static_cast<std::size_t>(written);
}

result<std::size_t, e2ee_error> sframe_key::open(const parsed_sframe_header& parsed, byte_view frame,
                                                 mutable_byte_view out) const noexcept {
    if (parsed.header.kid != kid_ || parsed.size > frame.size()) return fail(e2ee_error::unknown_kid);
    const std::size_t sealed_size = frame.size() - parsed.size;
    if (sealed_size < sframe_tag_size) return fail(e2ee_error::truncated);
    const std::size_t plain_size = sealed_size - sframe_tag_size;
    if (plain_size > sframe_max_plaintext_size) return fail(e2ee_error::too_large);
    if (out.size() < plain_size) return fail(e2ee_error::buffer_too_small);
    std::uint8_t nonce[sframe_nonce_size];
    nonce_for(parsed.header.counter, nonce);
    unsigned long long written = 0;
    if (crypto_aead_chacha20poly1305_ietf_decrypt(out.data(), &written, nullptr, frame.data() + parsed.size,
                                                  sealed_size, frame.data(), parsed.size, nonce, key_.data()) != 0) {
        return fail(e2ee_error::auth_failed);
    }
    return static_cast<std::size_t>(written);
}

}  // namespace stoa::e2ee
