// Ed25519 identities, member ids, sealing to a member, and the connect-time proof of possession.
#include "stoa/e2ee/identity.hpp"

#include <stdexcept>

#include "sodium_support.hpp"

namespace stoa::e2ee {

static_assert(signature_size == crypto_sign_BYTES);
static_assert(ed25519_secret_size == crypto_sign_SECRETKEYBYTES);
static_assert(seed_size == crypto_sign_SEEDBYTES);
static_assert(x25519_key_size == crypto_box_PUBLICKEYBYTES);
static_assert(x25519_key_size == crypto_box_SECRETKEYBYTES);
static_assert(sealed_box_overhead == crypto_box_SEALBYTES);
static_assert(public_key::size == crypto_sign_PUBLICKEYBYTES);

namespace {
constexpr std::string_view member_id_label = "stoa member id v1";
}  // namespace

identity identity::generate(random_source& random) {
    secret_bytes<seed_size> seed;
    random.fill(seed.mutable_view());
    return from_seed(seed);
}

identity identity::from_seed(const secret_bytes<seed_size>& seed) {
    detail::ensure_sodium();
    identity self;
    crypto_sign_seed_keypair(self.public_key_.value.data(), self.secret_key_.data(), seed.data());
    self.member_id_ = derive_member_id(self.public_key_);
    // A freshly generated key is always a valid point, so the conversions cannot fail.
    if (crypto_sign_ed25519_pk_to_curve25519(self.x25519_public_.data(), self.public_key_.value.data()) != 0) {
        throw std::logic_error("generated Ed25519 key did not convert to X25519");
    }
    crypto_sign_ed25519_sk_to_curve25519(self.x25519_secret_.data(), self.secret_key_.data());
    return self;
}

identity::identity(identity&& other) noexcept
    : public_key_(other.public_key_),
      member_id_(other.member_id_),
      secret_key_(other.secret_key_),
      x25519_public_(other.x25519_public_),
      x25519_secret_(other.x25519_secret_) {
    other.wipe();
}

identity& identity::operator=(identity&& other) noexcept {
    if (this != &other) {
        public_key_ = other.public_key_;
        member_id_ = other.member_id_;
        secret_key_ = other.secret_key_;
        x25519_public_ = other.x25519_public_;
        x25519_secret_ = other.x25519_secret_;
        other.wipe();
    }
    return *this;
}

identity::~identity() { wipe(); }

void identity::wipe() noexcept {
    // The secret_bytes members wipe themselves at destruction; a moved-from identity is wiped now.
    detail::wipe(secret_key_.data(), ed25519_secret_size);
    detail::wipe(x25519_secret_.data(), x25519_key_size);
}

signature identity::sign(byte_view message) const noexcept {
    signature sig{};
    crypto_sign_detached(sig.data(), nullptr, message.data(), message.size(), secret_key_.data());
    return sig;
}

result<std::size_t, e2ee_error> identity::open_sealed(byte_view sealed, mutable_byte_view out) const noexcept {
    if (sealed.size() < sealed_box_overhead) return fail(e2ee_error::truncated);
    const std::size_t plain_size = sealed.size() - sealed_box_overhead;
    if (out.size() < plain_size) return fail(e2ee_error::buffer_too_small);
    if (crypto_box_seal_open(out.data(), sealed.data(), sealed.size(), x25519_public_.data(),
                             x25519_secret_.data()) != 0) {
        return fail(e2ee_error::auth_failed);
    }
    return plain_size;
}

member_id derive_member_id(const public_key& key) noexcept {
    detail::ensure_sodium();
    std::uint8_t digest[32];
    crypto_generichash_state state;
    crypto_generichash_init(&state, nullptr, 0, sizeof digest);
    crypto_generichash_update(&state, reinterpret_cast<const std::uint8_t*>(member_id_label.data()),
                              member_id_label.size());
    crypto_generichash_update(&state, key.value.data(), key.value.size());
    crypto_generichash_final(&state, digest, sizeof digest);
    member_id id;
    for (std::size_t i = 0; i < member_id::size; ++i) id.value[i] = digest[i];
    return id;
}

result<x25519_public_key, e2ee_error> sealing_key_for(const public_key& key) noexcept {
    detail::ensure_sodium();
    x25519_public_key out{};
    // libsodium 1.0.18 rejects small-order points and points outside the main subgroup here.
    if (crypto_sign_ed25519_pk_to_curve25519(out.data(), key.value.data()) != 0) {
        return fail(e2ee_error::invalid_public_key);
    }
    if (sodium_is_zero(out.data(), out.size())) return fail(e2ee_error::invalid_public_key);
    return out;
}

status<e2ee_error> seal_to(const x25519_public_key& recipient, byte_view plaintext, mutable_byte_view out) noexcept {
    if (out.size() != plaintext.size() + sealed_box_overhead) return fail(e2ee_error::buffer_too_small);
    if (crypto_box_seal(out.data(), plaintext.data(), plaintext.size(), recipient.data()) != 0) {
        return fail(e2ee_error::invalid_public_key);
    }
    return {};
}

status<e2ee_error> verify_signature(const public_key& key, byte_view message, const signature& sig) noexcept {
    detail::ensure_sodium();
    if (crypto_sign_verify_detached(sig.data(), message.data(), message.size(), key.value.data()) != 0) {
        return fail(e2ee_error::bad_signature);
    }
    return {};
}

result<signature, e2ee_error> parse_signature(byte_view raw) noexcept {
    if (raw.size() != signature_size) return fail(e2ee_error::truncated);
    signature sig{};
    for (std::size_t i = 0; i < signature_size; ++i) sig[i] = raw[i];
    return sig;
}

}  // namespace stoa::e2ee
