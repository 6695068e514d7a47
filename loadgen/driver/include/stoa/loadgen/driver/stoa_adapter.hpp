// Stoa's own protocol behind protocol_adapter: every simulated member is a real
// client::client_session (real Ed25519/X25519 identity, real join, real key distribution, real
// per-sender encryption and speaker signatures).
#pragma once

#include <memory>
#include <string>

#include "stoa/e2ee/identity.hpp"
#include "stoa/loadgen/driver/protocol_adapter.hpp"

namespace stoa::loadgen {

struct stoa_adapter_config {
    std::string relay_context = "stoa relay";  // the relay's --origin, signed into every login
    // Verify each distinct speaker signature batch once per process and let every listener check
    // its own frames against the verified batch (false: every listener verifies every batch).
    bool share_signature_verdicts = true;
};

[[nodiscard]] std::unique_ptr<protocol_adapter> make_stoa_adapter(const stoa_adapter_config& config);

// A load member's identity, derived from its seed so every shard agrees on it without talking.
// Deterministic on purpose: these are test identities, never a user's.
[[nodiscard]] e2ee::identity load_identity(std::uint64_t identity_seed);

}  // namespace stoa::loadgen
