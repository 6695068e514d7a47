// The room's key distributor, run by the host's client: batches joins into one-way ratchet
// steps and leaves into fresh epochs, and emits signed, sealed key material. Sans-I/O.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include "stoa/common/bytes.hpp"
#include "stoa/common/ids.hpp"
#include "stoa/common/random.hpp"
#include "stoa/common/result.hpp"
#include "stoa/common/time.hpp"
#include "stoa/e2ee/e2ee_error.hpp"
#include "stoa/e2ee/identity.hpp"
#include "stoa/e2ee/key_package.hpp"
#include "stoa/e2ee/keyring.hpp"

namespace stoa::e2ee {

struct distributor_config {
    room_id room{};
    // Joins arriving within this window share one ratchet step, one signature and one announcement.
    duration join_batch_window = std::chrono::milliseconds(250);
    // Leaves within this window share one fresh epoch. With sealing to 10,000 members (about 0.7 s on
    // one core) and the senders' 300 ms switch delay this keeps a removed member's reach under 2 s.
    duration leave_batch_window = std::chrono::milliseconds(500);
    // A closed room's admission secret, handed on in every package (all zeros in open rooms).
    admission_secret admission{};
};

// One recipient's blob; the relay delivers each blob only to its recipient.
struct sealed_package {
    sender_index recipient{};
    bytes blob;
};

struct distributor_output {
    // The new epoch for the distributor's own keyring (it seals nothing to itself).
    std::optional<epoch_keys> own_epoch;
    // Broadcast to every member on a join ratchet step.
    std::optional<bytes> announcement;
    std::vector<sealed_package> packages;
    // Signatures made for this output: one per rekey, whatever the number of recipients.
    std::size_t signatures = 0;

    [[nodiscard]] bool empty() const noexcept { return !own_epoch && !announcement && packages.empty(); }
};

class key_distributor {
public:
    // `self` and `random` must outlive the distributor. `first_epoch` is 1 for a new room; a host
    // taking over passes the newest epoch it holds plus one, and its first tick issues a fresh epoch.
    key_distributor(const identity& self, sender_index self_index, distributor_config config,
                    random_source& random, epoch_id first_epoch);

    // Members present before the first tick receive the first fresh epoch; later ones are joiners.
    // `session` is the member's session nonce from its admission proof: every package sealed to it
    // carries the nonce, so it refuses packages made for an earlier session of the same key.
    [[nodiscard]] status<e2ee_error> member_added(sender_index member, const public_key& key, time_point now,
                                                  const session_nonce& session = {});
    // A new admission secret (after a kick or ban in a closed room): packages carry it from the
    // next epoch on, and the next rekey is a fresh epoch so the removed member never learns it.
    void rotate_admission(const admission_secret& secret, time_point now);
    [[nodiscard]] status<e2ee_error> member_removed(sender_index member, time_point now);
    // Issues whatever rekey is due at `now`.
    [[nodiscard]] distributor_output tick(time_point now);
    // When tick() next has work, for the caller's timer.
    [[nodiscard]] std::optional<time_point> next_deadline() const;
    // Reseals the current epoch to one member that lost it (a gap in announcements, a reconnect).
    [[nodiscard]] result<sealed_package, e2ee_error> resend(sender_index member) const;

    [[nodiscard]] std::optional<epoch_id> current_epoch() const noexcept;
    [[nodiscard]] std::size_t member_count() const noexcept { return members_.size(); }

private:
    struct member_record {
        public_key key;
        x25519_public_key sealing_key;
        session_nonce session;
    };
    distributor_output issue_fresh(time_point now);
    distributor_output issue_join_ratchet();
    // Seals `plaintext` with `record`'s session nonce patched in.
    [[nodiscard]] sealed_package seal_for(sender_index member, const member_record& record,
                                          secret_bytes<key_package_size>& plaintext) const;

    const identity& self_;
    sender_index self_index_;
    distributor_config config_;
    random_source& random_;
    epoch_id next_fresh_epoch_;
    std::optional<key_package> current_{};
    std::map<std::uint32_t, member_record> members_;
    std::set<std::uint32_t> pending_joins_;
    std::optional<time_point> joins_pending_since_{};
    std::optional<time_point> leaves_pending_since_{};
};

}  // namespace stoa::e2ee
