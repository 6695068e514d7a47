// Encoding, parsing, signing and verifying of key packages and announcements.
#include "stoa/e2ee/key_package.hpp"

#include "sodium_support.hpp"

namespace stoa::e2ee {

namespace {
constexpr std::string_view key_update_label = "stoa key update v1";

void write_update_fields(byte_writer& writer, key_message_type type, const key_update& update) {
    writer.write_u8(key_format_version);
    writer.write_u8(static_cast<std::uint8_t>(type));
    writer.write_u8(static_cast<std::uint8_t>(update.kind));
    writer.write_bytes(update.room.value);
    writer.write_u64(update.epoch.value);
    writer.write_u64(update.generation.value);
}

// Reads version, type, kind, room, epoch and generation; the signature is read by the caller
// because it comes last and the package carries secrets before it.
result<key_update, e2ee_error> read_update_fields(byte_reader& reader, key_message_type expected) {
    auto version = reader.read_u8();
    auto type = reader.read_u8();
    auto kind = reader.read_u8();
    auto room = reader.read_bytes(room_id::size);
    auto epoch = reader.read_u64();
    auto generation = reader.read_u64();
    if (!version || !type || !kind || !room || !epoch || !generation) return fail(e2ee_error::truncated);
    if (*version != key_format_version || *type != static_cast<std::uint8_t>(expected)) {
        return fail(e2ee_error::bad_version);
    }
    if (*kind != static_cast<std::uint8_t>(epoch_kind::fresh) &&
        *kind != static_cast<std::uint8_t>(epoch_kind::join_ratchet)) {
        return fail(e2ee_error::bad_version);
    }
    key_update update;
    for (std::size_t i = 0; i < room_id::size; ++i) update.room.value[i] = (*room)[i];
    update.epoch = epoch_id(*epoch);
    update.kind = static_cast<epoch_kind>(*kind);
    update.generation = roster_generation(*generation);
    return update;
}

status<e2ee_error> read_signature(byte_reader& reader, signature& out) {
    auto raw = reader.read_bytes(signature_size);
    if (!raw) return fail(e2ee_error::truncated);
    for (std::size_t i = 0; i < signature_size; ++i) out[i] = (*raw)[i];
    if (!reader.empty()) return fail(e2ee_error::bad_version);
    return {};
}
}  // namespace

bytes key_update_transcript(const room_id& room, epoch_id epoch, epoch_kind kind, roster_generation generation,
                            const commitment& secrets) {
    bytes out;
    detail::append_label(out, key_update_label);
    byte_writer writer(out);
    writer.write_bytes(room.value);
    writer.write_u64(epoch.value);
    writer.write_u8(static_cast<std::uint8_t>(kind));
    writer.write_u64(generation.value);
    writer.write_bytes(secrets);
    return out;
}

key_update sign_key_update(const identity& distributor, const room_id& room, epoch_id epoch, epoch_kind kind,
                           roster_generation generation, const commitment& secrets) {
    return key_update{room, epoch, kind, generation,
                      distributor.sign(key_update_transcript(room, epoch, kind, generation, secrets))};
}

status<e2ee_error> verify_key_update(const key_update& update, const commitment& secrets,
                                     const public_key& distributor) {
    return verify_signature(
        distributor, key_update_transcript(update.room, update.epoch, update.kind, update.generation, secrets),
        update.sig);
}

void encode_key_package(const key_package& package, std::span<std::uint8_t, key_package_size> out) noexcept {
    // Written in place (not through a growing vector) so no stray copy of the secrets is left behind.
    std::size_t at = 0;
    auto put = [&](byte_view data) {
        for (auto b : data) out[at++] = b;
    };
    std::uint8_t fixed[1 + 1 + 1 + 16 + 8 + 8];
    std::size_t f = 0;
    fixed[f++] = key_format_version;
    fixed[f++] = static_cast<std::uint8_t>(key_message_type::package);
    fixed[f++] = static_cast<std::uint8_t>(package.update.kind);
    for (auto b : package.update.room.value) fixed[f++] = b;
    for (int i = 7; i >= 0; --i) fixed[f++] = static_cast<std::uint8_t>(package.update.epoch.value >> (8 * i));
    for (int i = 7; i >= 0; --i) fixed[f++] = static_cast<std::uint8_t>(package.update.generation.value >> (8 * i));
    put(fixed);
    put(package.epoch_secret.view());
    put(package.roster_secret.view());
    put(package.admission.view());
    put(package.recipient_session);
    put(package.update.sig);
}

result<key_package, e2ee_error> parse_key_package(byte_view plaintext) {
    if (plaintext.size() > key_package_size) return fail(e2ee_error::too_large);
    byte_reader reader(plaintext);
    auto update = read_update_fields(reader, key_message_type::package);
    if (!update) return fail(update.error());
    auto epoch_secret = reader.read_bytes(secret_key::size);
    auto roster_secret = reader.read_bytes(secret_key::size);
    auto admission = reader.read_bytes(secret_key::size);
    auto session = reader.read_bytes(session_nonce_size);
    if (!epoch_secret || !roster_secret || !admission || !session) return fail(e2ee_error::truncated);
    key_package package{*update, secret_key(epoch_secret->first<32>()), secret_key(roster_secret->first<32>()),
                        admission_secret(admission->first<32>()), {}};
    std::copy(session->begin(), session->end(), package.recipient_session.begin());
    if (auto s = read_signature(reader, package.update.sig); !s) return fail(s.error());
    return package;
}

bytes encode_announcement(const key_update& update) {
    bytes out;
    out.reserve(announcement_size);
    byte_writer writer(out);
    write_update_fields(writer, key_message_type::announcement, update);
    writer.write_bytes(update.sig);
    return out;
}

result<key_update, e2ee_error> parse_announcement(byte_view message) {
    if (message.size() > announcement_size) return fail(e2ee_error::too_large);
    byte_reader reader(message);
    auto update = read_update_fields(reader, key_message_type::announcement);
    if (!update) return fail(update.error());
    // Only a join ratchet can be announced in the clear: a fresh secret must be sealed.
    if (update->kind != epoch_kind::join_ratchet) return fail(e2ee_error::bad_version);
    if (auto s = read_signature(reader, update->sig); !s) return fail(s.error());
    return std::move(update).value();
}

}  // namespace stoa::e2ee
