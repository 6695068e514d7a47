// Wire formats of epoch key material: the signed key update, the package sealed to one
// recipient, and the join announcement broadcast to existing members. Byte layouts are in
// docs/security.md, "Key packages".
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "stoa/common/bytes.hpp"
#include "stoa/common/ids.hpp"
#include "stoa/common/result.hpp"
#include "stoa/e2ee/admission.hpp"
#include "stoa/e2ee/e2ee_error.hpp"
#include "stoa/e2ee/identity.hpp"
#include "stoa/e2ee/key_schedule.hpp"
#include "stoa/e2ee/secret.hpp"

namespace stoa::e2ee {

// 2: packages carry the admission secret and the recipient's session nonce (issue 12).
inline constexpr std::uint8_t key_format_version = 2;
enum class key_message_type : std::uint8_t { package = 1, announcement = 2 };

// The distributor's statement "epoch E of room R is of this kind and generation, and its secrets
// hash to this commitment". One signature per rekey, shared by every package and announcement.
struct key_update {
    room_id room{};
    epoch_id epoch{};
    epoch_kind kind = epoch_kind::fresh;
    // The roster secret's generation: the number of the fresh epoch that introduced it.
    roster_generation generation{};
    signature sig{};
};

// What a recipient learns from its package.
struct key_package {
    key_update update;
    secret_key epoch_secret;
    secret_key roster_secret;
    // The closed room's current admission secret (all zeros in open rooms), so any member who
    // becomes host can check joiners' admission tags. Covered by the signed commitment.
    admission_secret admission{};
    // The recipient's session nonce from its roster entry. Not signed (it differs per recipient),
    // but sealed: only a holder of E and R could re-seal it, and they can decrypt the room anyway.
    session_nonce recipient_session{};
};

// version, type, kind, room, epoch, generation, epoch secret, roster secret, admission secret,
// recipient session nonce, signature.
inline constexpr std::size_t key_package_size =
    1 + 1 + 1 + 16 + 8 + 8 + 32 + 32 + 32 + session_nonce_size + signature_size;                // 211
inline constexpr std::size_t sealed_key_package_size = key_package_size + sealed_box_overhead;  // 259
// Where the recipient's session nonce sits in the plaintext: the distributor patches it per recipient.
inline constexpr std::size_t key_package_session_offset = key_package_size - signature_size - session_nonce_size;
// version, type, kind, room, epoch, generation, signature.
inline constexpr std::size_t announcement_size = 1 + 1 + 1 + 16 + 8 + 8 + signature_size;  // 99

// "stoa key update v1" 0x00 || room || u64 epoch || u8 kind || u64 generation || commitment.
[[nodiscard]] bytes key_update_transcript(const room_id& room, epoch_id epoch, epoch_kind kind,
                                          roster_generation generation, const commitment& secrets);
[[nodiscard]] key_update sign_key_update(const identity& distributor, const room_id& room, epoch_id epoch,
                                         epoch_kind kind, roster_generation generation, const commitment& secrets);
// Checks the signature against the commitment the recipient computed from the secrets it holds.
[[nodiscard]] status<e2ee_error> verify_key_update(const key_update& update, const commitment& secrets,
                                                   const public_key& distributor);

void encode_key_package(const key_package& package, std::span<std::uint8_t, key_package_size> out) noexcept;
[[nodiscard]] result<key_package, e2ee_error> parse_key_package(byte_view plaintext);

[[nodiscard]] bytes encode_announcement(const key_update& update);
[[nodiscard]] result<key_update, e2ee_error> parse_announcement(byte_view message);

}  // namespace stoa::e2ee
