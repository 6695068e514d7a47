// Verdicts on Ed25519 signatures shared by every receiver of the same bytes in one process:
// stoa-load's simulated listeners of a room all receive the byte-identical speaker signature
// batches, so each distinct batch is verified once and the others reuse the verdict. Keyed by
// BLAKE2b-256 over the public key, the message and the signature, so a batch that differs in any
// byte (an altered hash, a forged signature, another speaker's key) never matches a stored
// verdict and is verified on its own. Bad verdicts are kept too: every receiver of a forged batch
// still refuses it. Thread-safe; bounded (oldest verdict evicted first).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <unordered_map>

#include "stoa/common/bytes.hpp"
#include "stoa/common/result.hpp"
#include "stoa/e2ee/e2ee_error.hpp"
#include "stoa/e2ee/identity.hpp"

namespace stoa::e2ee {

struct signature_cache_stats {
    std::uint64_t verified = 0;  // Ed25519 verifications performed
    std::uint64_t shared = 0;    // checks answered from a stored verdict
};

class signature_cache {
public:
    static constexpr std::size_t default_capacity = 4096;
    explicit signature_cache(std::size_t capacity = default_capacity);

    // verify_signature(key, message, sig), from a stored verdict when these exact bytes were
    // checked before.
    [[nodiscard]] status<e2ee_error> verify(const public_key& key, byte_view message, const signature& sig);

    [[nodiscard]] signature_cache_stats stats() const;

private:
    using digest = std::array<std::uint8_t, 32>;
    struct digest_hash {
        std::size_t operator()(const digest& d) const noexcept {
            std::size_t out = 0;
            for (std::size_t i = 0; i < sizeof out; ++i) out = (out << 8) | d[i];
            return out;
        }
    };

    const std::size_t capacity_;
    mutable std::mutex mutex_;
    struct verdict {
        bool valid = false;
        e2ee_error error = e2ee_error::bad_signature;
    };
    std::unordered_map<digest, verdict, digest_hash> verdicts_;
    std::deque<digest> order_;
    signature_cache_stats stats_;
};

}  // namespace stoa::e2ee
