// The signed authentication transcript (see auth.hpp and docs/protocol.md, "Handshake").
#include "stoa/proto/auth.hpp"

#include <stdexcept>

namespace stoa::proto {

bytes auth_transcript(std::string_view context, const auth_challenge& challenge) {
    if (context.size() > max_auth_context_length) throw std::invalid_argument("auth context over 65,535 bytes");
    bytes out;
    out.reserve(auth_domain.size() + 2 + context.size() + challenge.size());
    byte_writer w(out);
    w.write_bytes(as_bytes(auth_domain));
    w.write_u16(static_cast<std::uint16_t>(context.size()));
    w.write_bytes(as_bytes(context));
    w.write_bytes(challenge);
    return out;
}

}  // namespace stoa::proto
