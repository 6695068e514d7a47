// hello, challenge, auth: the relay learns a connection's identity only from a fresh signature.
#include "handshake.hpp"

#include <algorithm>

#include "stoa/e2ee/identity.hpp"
#include "stoa/proto/auth.hpp"

namespace stoa::relay {

result<proto::challenge, handshake_refusal> handshake::on_hello(const proto::hello& hello, random_source& random) {
    if (phase_ != phase::awaiting_hello) return fail(handshake_refusal::already_authenticated);
    if (!e2ee::sealing_key_for(hello.key).ok()) return fail(handshake_refusal::invalid_key);
    key_ = hello.key;
    random.fill(challenge_);
    phase_ = phase::awaiting_auth;
    return proto::challenge{challenge_};
}

status<handshake_refusal> handshake::on_auth(const proto::auth& auth, std::string_view auth_context) {
    if (phase_ != phase::awaiting_auth) {
        return fail(phase_ == phase::ready ? handshake_refusal::already_authenticated
                                           : handshake_refusal::not_authenticated);
    }
    const bytes transcript = proto::auth_transcript(auth_context, challenge_);
    e2ee::signature signature{};
    std::copy(auth.signature.begin(), auth.signature.end(), signature.begin());
    if (!e2ee::verify_signature(key_, transcript, signature).ok()) return fail(handshake_refusal::bad_signature);
    member_ = e2ee::derive_member_id(key_);
    phase_ = phase::ready;
    return {};
}

handshake handshake::vouched(const public_key& key) {
    handshake done;
    done.key_ = key;
    done.member_ = e2ee::derive_member_id(key);
    done.phase_ = phase::ready;
    return done;
}

}  // namespace stoa::relay
