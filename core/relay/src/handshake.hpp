// The first step of every connection: hello names a key, the relay answers with a random
// challenge, and auth signs it, proving possession of the key before anything else is allowed.
#pragma once

#include <cstdint>
#include <string_view>

#include "stoa/common/ids.hpp"
#include "stoa/common/random.hpp"
#include "stoa/common/result.hpp"
#include "stoa/proto/control_messages.hpp"

namespace stoa::relay {

enum class handshake_refusal : std::uint8_t {
    already_authenticated,  // hello twice, or auth after the handshake completed
    not_authenticated,      // auth before hello
    invalid_key,            // hello's key is not an Ed25519 point
    bad_signature,          // auth does not prove possession of the key
};

class handshake {
public:
    // The challenge to send back, which binds the next auth to this connection.
    [[nodiscard]] result<proto::challenge, handshake_refusal> on_hello(const proto::hello& hello,
                                                                       random_source& random);
    // `auth_context` names this relay, so a signature made for another relay does not verify here.
    [[nodiscard]] status<handshake_refusal> on_auth(const proto::auth& auth, std::string_view auth_context);

    // A handshake another node of the cluster completed: that node checked the signature.
    [[nodiscard]] static handshake vouched(const public_key& key);

    [[nodiscard]] bool complete() const noexcept { return phase_ == phase::ready; }
    // Meaningful once complete().
    [[nodiscard]] const public_key& key() const noexcept { return key_; }
    [[nodiscard]] const member_id& member() const noexcept { return member_; }

private:
    enum class phase : std::uint8_t { awaiting_hello, awaiting_auth, ready };

    phase phase_ = phase::awaiting_hello;
    proto::auth_challenge challenge_{};
    public_key key_{};
    member_id member_{};
};

}  // namespace stoa::relay
