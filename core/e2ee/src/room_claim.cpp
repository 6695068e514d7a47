// The room id derivation shared by the relay (which enforces it) and the client (which may check it).
#include "stoa/e2ee/room_claim.hpp"

#include <string_view>

#include "sodium_support.hpp"

namespace stoa::e2ee {

namespace {
// The 0x00 after the label keeps this transcript apart from every other labelled hash.
constexpr std::string_view room_id_label = "stoa room id v1";
}  // namespace

room_id derive_room_id(const public_key& creator, const room_claim& claim) noexcept {
    detail::ensure_sodium();
    std::uint8_t digest[32];
    const std::uint8_t separator = 0;
    crypto_generichash_state state;
    crypto_generichash_init(&state, nullptr, 0, sizeof digest);
    crypto_generichash_update(&state, reinterpret_cast<const std::uint8_t*>(room_id_label.data()), room_id_label.size());
    crypto_generichash_update(&state, &separator, 1);
    crypto_generichash_update(&state, creator.value.data(), creator.value.size());
    crypto_generichash_update(&state, claim.value.data(), claim.value.size());
    crypto_generichash_final(&state, digest, sizeof digest);
    room_id id;
    for (std::size_t i = 0; i < room_id::size; ++i) id.value[i] = digest[i];
    sodium_memzero(digest, sizeof digest);
    return id;
}

}  // namespace stoa::e2ee
