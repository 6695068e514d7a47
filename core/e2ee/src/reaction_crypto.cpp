// Reaction sealing: signed by the member, ChaCha20-Poly1305 under a per-sender, per-epoch key.
#include "stoa/e2ee/reaction_crypto.hpp"

#include <algorithm>
#include <array>

#include "sodium_support.hpp"
#include "stoa/e2ee/key_schedule.hpp"

namespace stoa::e2ee {

namespace {
constexpr std::string_view reaction_label = "stoa reaction v1";
constexpr std::size_t nonce_size = crypto_aead_chacha20poly1305_ietf_NPUBBYTES;
constexpr std::size_t tag_size = crypto_aead_chacha20poly1305_ietf_ABYTES;
static_assert(reaction_header_size == 1 + 8 + 4 + nonce_size);
static_assert(sealed_reaction_size == reaction_header_size + reaction_plaintext_size + tag_size);

bytes reaction_transcript(const room_id& room, epoch_id epoch, sender_index sender, std::uint64_t counter,
                          std::uint8_t kind) {
    bytes out;
    detail::append_label(out, reaction_label);
    byte_writer writer(out);
    writer.write_bytes(room.value);
    writer.write_u64(epoch.value);
    writer.write_u32(sender.value);
    writer.write_u64(counter);
    writer.write_u8(kind);
    return out;
}

// AAD = the cleartext header || room id (the room is implied, not sent).
bytes reaction_aad(byte_view header, const room_id& room) {
    bytes aad(header.begin(), header.end());
    aad.insert(aad.end(), room.value.begin(), room.value.end());
    return aad;
}
}  // namespace

secret_key reaction_key(const secret_key& epoch_secret, sender_index sender) {
    bytes context;
    byte_writer(context).write_u32(sender.value);
    return expand_secret(epoch_secret, "reaction key", context);
}

bytes seal_reaction(std::uint8_t kind, std::uint64_t counter, const identity& owner, sender_index owner_index,
                    const room_id& room, epoch_id epoch, const secret_key& epoch_secret, random_source& random) {
    detail::ensure_sodium();
    const signature sig = owner.sign(reaction_transcript(room, epoch, owner_index, counter, kind));

    std::array<std::uint8_t, reaction_plaintext_size> plaintext{};
    bytes inner;
    inner.reserve(reaction_plaintext_size);
    byte_writer writer(inner);
    writer.write_u8(kind);
    writer.write_u64(counter);
    writer.write_bytes(owner.key().value);
    writer.write_bytes(sig);
    std::copy(inner.begin(), inner.end(), plaintext.begin());

    bytes out;
    out.reserve(sealed_reaction_size);
    byte_writer header(out);
    header.write_u8(reaction_format_version);
    header.write_u64(epoch.value);
    header.write_u32(owner_index.value);
    std::uint8_t nonce[nonce_size];
    random.fill(nonce);
    header.write_bytes(byte_view(nonce, nonce_size));
    const bytes aad = reaction_aad(out, room);
    const secret_key key = reaction_key(epoch_secret, owner_index);
    const std::size_t header_end = out.size();
    out.resize(header_end + reaction_plaintext_size + tag_size);
    unsigned long long written = 0;
    crypto_aead_chacha20poly1305_ietf_encrypt(out.data() + header_end, &written, plaintext.data(), plaintext.size(),
                                              aad.data(), aad.size(), nullptr, nonce, key.data());
    sodium_memzero(plaintext.data(), plaintext.size());
    return out;
}

result<epoch_id, e2ee_error> reaction_epoch(byte_view sealed) {
    byte_reader reader(sealed);
    auto version = reader.read_u8();
    auto epoch = reader.read_u64();
    if (!version || !epoch) return fail(e2ee_error::truncated);
    if (*version != reaction_format_version) return fail(e2ee_error::bad_version);
    return epoch_id(*epoch);
}

result<opened_reaction, e2ee_error> open_reaction(byte_view sealed, sender_index from, const room_id& room,
                                                  const secret_key& epoch_secret) {
    if (sealed.size() > sealed_reaction_size) return fail(e2ee_error::too_large);
    if (sealed.size() < sealed_reaction_size) return fail(e2ee_error::truncated);
    byte_reader reader(sealed);
    auto version = reader.read_u8();
    auto epoch = reader.read_u64();
    auto index = reader.read_u32();
    auto nonce = reader.read_bytes(nonce_size);
    if (!version || !epoch || !index || !nonce) return fail(e2ee_error::truncated);
    if (*version != reaction_format_version) return fail(e2ee_error::bad_version);
    if (*index != from.value) return fail(e2ee_error::sender_mismatch);
    const byte_view ciphertext = reader.rest();

    detail::ensure_sodium();
    const bytes aad = reaction_aad(sealed.first(reaction_header_size), room);
    const secret_key key = reaction_key(epoch_secret, from);
    std::array<std::uint8_t, reaction_plaintext_size> plaintext{};
    unsigned long long written = 0;
    if (crypto_aead_chacha20poly1305_ietf_decrypt(plaintext.data(), &written, nullptr, ciphertext.data(),
                                                  ciphertext.size(), aad.data(), aad.size(), nonce->data(),
                                                  key.data()) != 0) {
        return fail(e2ee_error::auth_failed);
    }
    byte_reader inner(byte_view(plaintext.data(), plaintext.size()));
    opened_reaction out;
    out.kind = *inner.read_u8();
    out.counter = *inner.read_u64();
    const auto key_bytes = *inner.read_bytes(public_key::size);
    std::copy(key_bytes.begin(), key_bytes.end(), out.sender_key.value.begin());
    auto parsed_sig = parse_signature(*inner.read_bytes(signature_size));
    sodium_memzero(plaintext.data(), plaintext.size());
    if (!parsed_sig) return fail(e2ee_error::bad_signature);
    if (auto verified = verify_signature(out.sender_key,
                                         reaction_transcript(room, epoch_id(*epoch), from, out.counter, out.kind),
                                         *parsed_sig);
        !verified) {
        return fail(verified.error());
    }
    return out;
}

}  // namespace stoa::e2ee
