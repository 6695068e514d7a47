// Every member's epoch keys: verifies and installs what the distributor sends, keeps old epochs
// for a grace period so decryption never gaps during a rekey, and picks the epoch to send with.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <vector>

#include "stoa/common/bytes.hpp"
#include "stoa/common/ids.hpp"
#include "stoa/common/result.hpp"
#include "stoa/common/time.hpp"
#include "stoa/e2ee/admission.hpp"
#include "stoa/e2ee/e2ee_error.hpp"
#include "stoa/e2ee/identity.hpp"
#include "stoa/e2ee/key_schedule.hpp"
#include "stoa/e2ee/secret.hpp"

namespace stoa::e2ee {

struct keyring_config {
    room_id room{};
    // How long a superseded epoch still decrypts: covers frames in flight and the senders' switch delay.
    duration grace_period = std::chrono::seconds(5);
    // A sender switches to a new epoch this long after learning it, so receivers already hold it.
    duration switch_delay = std::chrono::milliseconds(300);
    // Bound on retained epochs, whatever the grace period (a join storm advances the epoch fast).
    std::size_t max_epochs = 8;
};

// Everything one epoch installs.
struct epoch_keys {
    epoch_id epoch{};
    epoch_kind kind = epoch_kind::fresh;
    roster_generation generation{};
    secret_key epoch_secret{};
    secret_key roster_secret{};
    secret_key admission{};  // the closed room's admission secret at this epoch; zeros in open rooms
};

// Who the member's roster says runs key distribution (the host): its sender index and key.
struct distributor_ref {
    sender_index index{};
    public_key key{};
};

class keyring {
public:
    explicit keyring(keyring_config config);

    // The distributor installs its own epochs directly.
    [[nodiscard]] status<e2ee_error> install(const epoch_keys& keys, time_point now);

    // A sealed package from the distributor (the relay tags it with the sender index `from`).
    // `session` is the nonce this member joined with: a package sealed for another session (the
    // relay replaying one from before a rejoin) is refused with wrong_session, so a client never
    // installs an epoch it may already have sent under with counters starting again at 0.
    [[nodiscard]] result<epoch_id, e2ee_error> handle_package(sender_index from, byte_view sealed,
                                                              const distributor_ref& distributor,
                                                              const identity& self, time_point now,
                                                              const session_nonce& session = {});
    // A join announcement: the next epoch is the join ratchet of the newest one held.
    [[nodiscard]] result<epoch_id, e2ee_error> handle_announcement(sender_index from, byte_view message,
                                                                   const distributor_ref& distributor,
                                                                   time_point now);

    // The newest epoch learnt at least switch_delay ago, or the newest if it has no usable predecessor.
    [[nodiscard]] std::optional<epoch_id> sending_epoch(time_point now) const;
    [[nodiscard]] std::optional<epoch_id> newest_epoch() const;
    // The secret of `epoch` if it is held and not past its grace period.
    [[nodiscard]] const secret_key* epoch_secret(epoch_id epoch, time_point now) const;
    [[nodiscard]] const epoch_keys* newest_keys() const;
    // The roster secret of `generation`, if an epoch still held introduced or inherited it.
    [[nodiscard]] const secret_key* roster_secret(roster_generation generation) const;

    // Drops epochs past their grace period (also done by every install).
    void expire(time_point now);
    [[nodiscard]] std::size_t retained_epochs() const noexcept { return epochs_.size(); }
    [[nodiscard]] const keyring_config& config() const noexcept { return config_; }

private:
    struct held_epoch {
        epoch_keys keys;
        time_point learnt_at{};
        std::optional<time_point> superseded_at{};
    };
    [[nodiscard]] bool usable(const held_epoch& held, time_point now) const noexcept;

    keyring_config config_;
    std::vector<held_epoch> epochs_;  // oldest first
};

}  // namespace stoa::e2ee
