// Profile sealing: signed, padded, ChaCha20-Poly1305 under a per-member, per-generation key.
#include "stoa/e2ee/profile_crypto.hpp"

#include "sodium_support.hpp"

namespace stoa::e2ee {

namespace {
constexpr std::string_view profile_label = "stoa profile v1";
constexpr std::size_t nonce_size = crypto_aead_chacha20poly1305_ietf_NPUBBYTES;
constexpr std::size_t tag_size = crypto_aead_chacha20poly1305_ietf_ABYTES;

bytes profile_transcript(const room_id& room, roster_generation generation, sender_index owner,
                         const profile& content) {
    bytes out;
    detail::append_label(out, profile_label);
    byte_writer writer(out);
    writer.write_bytes(room.value);
    writer.write_u64(generation.value);
    writer.write_u32(owner.value);
    writer.write_u8(static_cast<std::uint8_t>(content.display_name.size()));
    writer.write_bytes(as_bytes(content.display_name));
    writer.write_u16(static_cast<std::uint16_t>(content.text.size()));
    writer.write_bytes(as_bytes(content.text));
    return out;
}

// AAD = the cleartext header || room id (the room is implied, not sent).
bytes profile_aad(byte_view header, const room_id& room) {
    bytes aad(header.begin(), header.end());
    aad.insert(aad.end(), room.value.begin(), room.value.end());
    return aad;
}

struct wiped_buffer {
    bytes data;
    ~wiped_buffer() {
        if (!data.empty()) sodium_memzero(data.data(), data.size());
    }
};
}  // namespace

result<bytes, e2ee_error> seal_profile(const profile& content, const identity& owner, sender_index owner_index,
                                       const room_id& room, roster_generation generation,
                                       const secret_key& roster_secret, random_source& random) {
    if (content.display_name.size() > max_display_name_size || content.text.size() > max_profile_text_size) {
        return fail(e2ee_error::too_large);
    }
    detail::ensure_sodium();
    const signature sig = owner.sign(profile_transcript(room, generation, owner_index, content));

    wiped_buffer plaintext;
    byte_writer writer(plaintext.data);
    plaintext.data.reserve(max_profile_plaintext_size);
    writer.write_u8(static_cast<std::uint8_t>(content.display_name.size()));
    writer.write_bytes(as_bytes(content.display_name));
    writer.write_u16(static_cast<std::uint16_t>(content.text.size()));
    writer.write_bytes(as_bytes(content.text));
    writer.write_bytes(sig);
    const std::size_t padded =
        (plaintext.data.size() + profile_padding_block - 1) / profile_padding_block * profile_padding_block;
    plaintext.data.resize(padded, 0);

    bytes out;
    out.reserve(profile_header_size + padded + tag_size);
    byte_writer header(out);
    header.write_u8(profile_format_version);
    header.write_u64(generation.value);
    header.write_u32(owner_index.value);
    std::uint8_t nonce[nonce_size];
    random.fill(nonce);
    header.write_bytes(byte_view(nonce, nonce_size));
    const bytes aad = profile_aad(out, room);
    const secret_key key = profile_key(roster_secret, generation, owner_index);
    const std::size_t header_end = out.size();
    out.resize(header_end + padded + tag_size);
    unsigned long long written = 0;
    crypto_aead_chacha20poly1305_ietf_encrypt(out.data() + header_end, &written, plaintext.data.data(), padded,
                                              aad.data(), aad.size(), nullptr, nonce, key.data());
    return out;
}

result<roster_generation, e2ee_error> profile_generation(byte_view sealed) {
    byte_reader reader(sealed);
    auto version = reader.read_u8();
    auto generation = reader.read_u64();
    if (!version || !generation) return fail(e2ee_error::truncated);
    if (*version != profile_format_version) return fail(e2ee_error::bad_version);
    return roster_generation(*generation);
}

result<profile, e2ee_error> open_profile(byte_view sealed, sender_index owner_index, const public_key& owner_key,
                                         const room_id& room, const secret_key& roster_secret) {
    if (sealed.size() > max_sealed_profile_size) return fail(e2ee_error::too_large);
    byte_reader reader(sealed);
    auto version = reader.read_u8();
    auto generation = reader.read_u64();
    auto index = reader.read_u32();
    auto nonce = reader.read_bytes(nonce_size);
    if (!version || !generation || !index || !nonce) return fail(e2ee_error::truncated);
    if (*version != profile_format_version) return fail(e2ee_error::bad_version);
    if (*index != owner_index.value) return fail(e2ee_error::sender_mismatch);
    const byte_view ciphertext = reader.rest();
    if (ciphertext.size() < tag_size) return fail(e2ee_error::truncated);
    const std::size_t plain_size = ciphertext.size() - tag_size;
    if (plain_size == 0 || plain_size % profile_padding_block != 0) return fail(e2ee_error::bad_profile);

    const bytes aad = profile_aad(sealed.first(profile_header_size), room);
    const secret_key key = profile_key(roster_secret, roster_generation(*generation), owner_index);
    wiped_buffer plaintext;
    plaintext.data.resize(plain_size);
    unsigned long long written = 0;
    if (crypto_aead_chacha20poly1305_ietf_decrypt(plaintext.data.data(), &written, nullptr, ciphertext.data(),
                                                  ciphertext.size(), aad.data(), aad.size(), nonce->data(),
                                                  key.data()) != 0) {
        return fail(e2ee_error::auth_failed);
    }
    byte_reader inner(plaintext.data);
    auto name_size = inner.read_u8();
    if (!name_size || *name_size > max_display_name_size) return fail(e2ee_error::bad_profile);
    auto name = inner.read_bytes(*name_size);
    auto text_size = inner.read_u16();
    if (!name || !text_size || *text_size > max_profile_text_size) return fail(e2ee_error::bad_profile);
    auto text = inner.read_bytes(*text_size);
    auto sig = inner.read_bytes(signature_size);
    if (!text || !sig) return fail(e2ee_error::bad_profile);
    // Padding must be zero so a profile has one encoding.
    for (auto b : inner.rest()) {
        if (b != 0) return fail(e2ee_error::bad_profile);
    }
    profile content{std::string(name->begin(), name->end()), std::string(text->begin(), text->end())};
    auto parsed_sig = parse_signature(*sig);
    if (!parsed_sig) return fail(e2ee_error::bad_profile);
    if (auto verified = verify_signature(
            owner_key, profile_transcript(room, roster_generation(*generation), owner_index, content), *parsed_sig);
        !verified) {
        return fail(verified.error());
    }
    return content;
}

}  // namespace stoa::e2ee
