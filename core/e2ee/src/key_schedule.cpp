// Key derivations of the e2ee module (HKDF-SHA256 and BLAKE2b), with their labels.
#include "stoa/e2ee/key_schedule.hpp"

#include "sodium_support.hpp"

namespace stoa::e2ee {

namespace {
constexpr std::string_view label_prefix = "stoa v1 ";
constexpr std::string_view commitment_label = "stoa epoch commitment v1";
}  // namespace

secret_key expand_secret(const secret_key& secret, std::string_view label, byte_view context) {
    static constexpr std::uint8_t separator = 0;
    const byte_view parts[] = {as_bytes(label_prefix), as_bytes(label), byte_view(&separator, 1), context};
    secret_key out;
    detail::hkdf_expand(secret.view(), parts, out.mutable_view());
    return out;
}

secret_key join_ratchet(const secret_key& epoch_secret, epoch_id next) {
    bytes context;
    byte_writer(context).write_u64(next.value);
    return expand_secret(epoch_secret, "join ratchet", context);
}

secret_key sender_base_key(const secret_key& epoch_secret, sender_index sender) {
    bytes context;
    byte_writer(context).write_u32(sender.value);
    return expand_secret(epoch_secret, "sender base key", context);
}

commitment epoch_commitment(const room_id& room, epoch_id epoch, epoch_kind kind, roster_generation generation,
                            const secret_key& epoch_secret, const secret_key& roster_secret,
                            const secret_key& admission_secret) {
    detail::ensure_sodium();
    bytes header;
    detail::append_label(header, commitment_label);
    byte_writer writer(header);
    writer.write_bytes(room.value);
    writer.write_u64(epoch.value);
    writer.write_u8(static_cast<std::uint8_t>(kind));
    writer.write_u64(generation.value);
    commitment out{};
    crypto_generichash_state state;
    crypto_generichash_init(&state, nullptr, 0, out.size());
    crypto_generichash_update(&state, header.data(), header.size());
    crypto_generichash_update(&state, epoch_secret.data(), secret_key::size);
    crypto_generichash_update(&state, roster_secret.data(), secret_key::size);
    crypto_generichash_update(&state, admission_secret.data(), secret_key::size);
    crypto_generichash_final(&state, out.data(), out.size());
    sodium_memzero(&state, sizeof state);
    return out;
}

secret_key profile_key(const secret_key& roster_secret, roster_generation generation, sender_index member) {
    bytes context;
    byte_writer writer(context);
    writer.write_u64(generation.value);
    writer.write_u32(member.value);
    return expand_secret(roster_secret, "profile key", context);
}

secret_key security_code_exporter(const secret_key& epoch_secret, epoch_id epoch) {
    bytes context;
    byte_writer(context).write_u64(epoch.value);
    return expand_secret(epoch_secret, "security code exporter", context);
}

}  // namespace stoa::e2ee
