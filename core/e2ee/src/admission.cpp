// Session nonces and closed-room admission tags.
#include "stoa/e2ee/admission.hpp"

#include "sodium_support.hpp"

namespace stoa::e2ee {

namespace {
constexpr std::string_view admission_label = "stoa admission v1";
}  // namespace

session_nonce fresh_session_nonce(random_source& random) {
    session_nonce nonce{};
    random.fill(nonce);
    return nonce;
}

bool is_set(const admission_secret& secret) noexcept {
    std::uint8_t any = 0;
    for (const auto b : secret.view()) any |= b;
    return any != 0;
}

std::array<std::uint8_t, admission_tag_size> admission_tag(const admission_secret& secret, const room_id& room,
                                                           const public_key& member, const session_nonce& nonce) {
    detail::ensure_sodium();
    bytes input;
    detail::append_label(input, admission_label);
    input.insert(input.end(), room.value.begin(), room.value.end());
    input.insert(input.end(), member.value.begin(), member.value.end());
    input.insert(input.end(), nonce.begin(), nonce.end());
    std::array<std::uint8_t, admission_tag_size> tag{};
    crypto_generichash(tag.data(), tag.size(), input.data(), input.size(), secret.data(), admission_secret::size);
    return tag;
}

bytes encode_admission(const session_nonce& nonce, const room_id& room, const public_key& member,
                       const admission_secret* secret) {
    bytes out;
    out.reserve(closed_admission_size);
    out.push_back(admission_format_version);
    out.insert(out.end(), nonce.begin(), nonce.end());
    if (secret != nullptr && is_set(*secret)) {
        const auto tag = admission_tag(*secret, room, member, nonce);
        out.insert(out.end(), tag.begin(), tag.end());
    }
    return out;
}

result<admission_proof, e2ee_error> parse_admission(byte_view data) {
    if (data.empty()) return fail(e2ee_error::truncated);
    if (data[0] != admission_format_version) return fail(e2ee_error::bad_version);
    if (data.size() != open_admission_size && data.size() != closed_admission_size) {
        // Between the two sizes the tag is cut short.
        return fail(data.size() > closed_admission_size ? e2ee_error::too_large : e2ee_error::truncated);
    }
    admission_proof proof;
    std::copy(data.begin() + 1, data.begin() + 1 + session_nonce_size, proof.nonce.begin());
    if (data.size() == closed_admission_size) {
        std::array<std::uint8_t, admission_tag_size> tag{};
        std::copy(data.begin() + open_admission_size, data.end(), tag.begin());
        proof.tag = tag;
    }
    return proof;
}

bool admission_valid(const admission_proof& proof, const admission_secret& secret, const room_id& room,
                     const public_key& member) {
    if (!proof.tag || !is_set(secret)) return false;
    const auto expected = admission_tag(secret, room, member, proof.nonce);
    return detail::constant_time_equal(expected.data(), proof.tag->data(), admission_tag_size);
}

}  // namespace stoa::e2ee
