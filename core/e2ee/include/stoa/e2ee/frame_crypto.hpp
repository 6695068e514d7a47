// Media frame protection for one member: the encryptor (own frames, monotonic counters) and the
// decryptor (per-sender keys and replay windows), both reading epoch secrets from a keyring.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <unordered_map>
#include <vector>

#include "stoa/common/bytes.hpp"
#include "stoa/common/ids.hpp"
#include "stoa/common/result.hpp"
#include "stoa/common/time.hpp"
#include "stoa/e2ee/e2ee_error.hpp"
#include "stoa/e2ee/keyring.hpp"
#include "stoa/e2ee/replay_window.hpp"
#include "stoa/e2ee/sframe.hpp"

namespace stoa::e2ee {

// What one protected or unprotected frame was, for the speaker signer and verifier.
struct frame_info {
    epoch_id epoch{};
    sender_index sender{};
    std::uint64_t kid = 0;
    std::uint64_t counter = 0;
    std::size_t size = 0;  // bytes written to the caller's buffer
};

class frame_encryptor {
public:
    // `counter_limit` is the last counter a key may use; lowered only by tests of exhaustion.
    explicit frame_encryptor(sender_index self,
                             std::uint64_t counter_limit = std::numeric_limits<std::uint64_t>::max());

    // Seals `plaintext` under the keyring's sending epoch into `out` (at least
    // max_protected_size(plaintext.size()) bytes). A new epoch starts a new key at counter 0; a key
    // never goes back, so a (key, nonce) pair is never used twice.
    [[nodiscard]] result<frame_info, e2ee_error> protect(const keyring& keys, byte_view plaintext,
                                                         mutable_byte_view out, time_point now);

    [[nodiscard]] static constexpr std::size_t max_protected_size(std::size_t plaintext_size) noexcept {
        return protected_size(sframe_max_header_size, plaintext_size);
    }

private:
    sender_index self_;
    std::uint64_t counter_limit_;
    std::optional<epoch_id> epoch_{};
    std::optional<sframe_key> key_{};
    std::uint64_t next_counter_ = 0;
    bool exhausted_ = false;
};

class frame_decryptor {
public:
    explicit frame_decryptor(std::size_t max_senders_per_epoch = 4096);

    // `relay_sender` is the sender index the relay stamped on the envelope; it must match the KID.
    // On any failure nothing changes (the replay window moves only for authentic frames).
    [[nodiscard]] result<frame_info, e2ee_error> unprotect(const keyring& keys, sender_index relay_sender,
                                                           byte_view frame, mutable_byte_view out, time_point now);

private:
    struct sender_state {
        sframe_key key;
        replay_window window;
    };
    struct epoch_state {
        epoch_id epoch;
        std::unordered_map<std::uint32_t, sender_state> senders;
    };
    void forget_expired(const keyring& keys, time_point now);

    std::size_t max_senders_per_epoch_;
    std::vector<epoch_state> epochs_;
};

}  // namespace stoa::e2ee
