// The room's end-to-end keys as this member holds them: the keyring, the key distributor when
// this member hosts, the closed room's admission secrets, the session nonce and host pin, and the
// alarms raised when the relay's word about the roster or the host does not hold up.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <unordered_map>
#include <utility>
#include <vector>

#include "roster_sync.hpp"
#include "session_io.hpp"
#include "stoa/client/session_stats.hpp"
#include "stoa/common/random.hpp"
#include "stoa/common/time.hpp"
#include "stoa/e2ee/admission.hpp"
#include "stoa/e2ee/identity.hpp"
#include "stoa/e2ee/key_distributor.hpp"
#include "stoa/e2ee/keyring.hpp"
#include "stoa/e2ee/profile_crypto.hpp"
#include "stoa/e2ee/security_code.hpp"

namespace stoa::client {

class room_keys {
public:
    // Closed rooms: admission secrets held for the room (the link's, then each rotation), bounded.
    static constexpr std::size_t max_admission_secrets = 16;
    // One key request per second at most, each way: a member asks, a host answers each member.
    static constexpr duration key_request_interval = std::chrono::seconds(1);
    // A relay inventing members cannot grow the alarm memory past this.
    static constexpr std::size_t max_alarmed = 256;

    // All references must outlive the keys (the session owns them all).
    room_keys(const e2ee::identity& identity, random_source& random, session_io& io, session_stats& stats,
              const roster_sync& roster)
        : identity_(identity), random_(random), io_(io), stats_(stats), roster_(roster) {}

    // ---- Lifetime of one join ----
    // A join: a fresh session nonce, the link's secret (if any), the host the link names (if any).
    void begin_join(const room_id& room, std::optional<e2ee::admission_secret> admission,
                    std::optional<public_key> expected_host, e2ee::profile profile);
    // The relay's welcome: keys can arrive from now on.
    void start(sender_index own_index);
    // The room is gone: its keys are dropped at once, nothing more of it should be readable here.
    void stop();
    // The newest secret learnt for `room` in an earlier join (a rotation may have revoked the link's).
    [[nodiscard]] std::optional<e2ee::admission_secret> remembered_admission(const room_id& room) const;

    // ---- The roster, checked end to end ----
    // Stage members other than oneself, by index, whose id is their key's; the rest raise alarms.
    [[nodiscard]] std::unordered_map<std::uint32_t, public_key> genuine_stage_keys();
    // A host key other than the pinned one raises host_key_changed (and becomes the pin).
    void check_host_key();
    // Becomes the distributor on becoming host, stops being one otherwise.
    void follow_role(bool host, time_point now);
    // After a snapshot, whose gap may hide joins and departures the distributor must hear of.
    void reconcile_distributor(time_point now);
    // An applied roster delta, for the distributor.
    void distributor_delta(const room::any_delta& change, std::optional<sender_index> departing, time_point now);

    // ---- Key traffic ----
    void handle_key_package(sender_index from, byte_view blob, time_point now);
    void handle_key_announcement(sender_index from, byte_view payload, time_point now);
    void handle_key_request(sender_index from, time_point now);
    // Missed key material (an announcement gap, frames of a newer epoch): ask the host to reseal.
    void request_keys(time_point now);
    // Timers: the distributor's batches; the keyring's expiry.
    void flush_distributor(time_point now);
    void expire(time_point now);
    // Seals the member's profile under the newest roster key, once per roster generation.
    void publish_profile();

    // ---- State ----
    [[nodiscard]] const e2ee::keyring* keyring() const noexcept { return keyring_.get(); }
    [[nodiscard]] const std::unique_ptr<e2ee::key_distributor>& distributor() const noexcept { return distributor_; }
    [[nodiscard]] const e2ee::session_nonce& session() const noexcept { return session_; }
    [[nodiscard]] const std::optional<public_key>& trusted_host() const noexcept { return trusted_host_; }
    [[nodiscard]] bool room_is_closed() const noexcept { return !admission_secrets_.empty(); }
    [[nodiscard]] const e2ee::admission_secret* current_admission() const noexcept {
        return admission_secrets_.empty() ? nullptr : &admission_secrets_.back();
    }
    [[nodiscard]] std::optional<e2ee::distributor_ref> distributor_ref() const;
    [[nodiscard]] std::optional<e2ee::profile> open_profile(const room::member_entry& member) const;
    [[nodiscard]] std::optional<e2ee::security_code> security_code(time_point now) const;
    [[nodiscard]] std::size_t approximate_bytes() const noexcept;

private:
    // `any_known_secret`: members already present when this host took over may have joined under
    // an earlier secret; a joiner must prove the current one (older links were revoked).
    [[nodiscard]] bool admit_to_distributor(const room::member_entry& member, time_point now, bool any_known_secret);
    [[nodiscard]] bool entry_genuine(const room::member_entry& member);
    void sync_distributor(time_point now);
    void after_new_keys(std::optional<epoch_id> before);
    void alarm_once(event::alarm_kind kind, member_id member, sender_index index);
    void remember_admission(const e2ee::admission_secret& secret);

    const e2ee::identity& identity_;
    random_source& random_;
    session_io& io_;
    session_stats& stats_;
    const roster_sync& roster_;

    room_id room_{};
    sender_index index_{};
    e2ee::session_nonce session_{};
    e2ee::profile own_profile_{};
    std::optional<e2ee::roster_generation> published_generation_{};
    std::unique_ptr<e2ee::keyring> keyring_;
    std::unique_ptr<e2ee::key_distributor> distributor_;
    std::unordered_map<std::uint32_t, public_key> distributed_to_;  // the distributor's member set
    std::unordered_map<std::uint32_t, time_point> last_resend_;
    std::optional<time_point> last_key_request_{};
    std::vector<e2ee::admission_secret> admission_secrets_;  // newest last; joiners checked against any
    std::optional<public_key> trusted_host_{};
    // (kind, sender index) pairs already alarmed, so a hostile relay repeating itself is one alarm.
    std::vector<std::pair<event::alarm_kind, std::uint32_t>> alarmed_;
    // The newest admission secret of the last room joined: a rejoin (reconnect) uses it.
    std::optional<std::pair<room_id, e2ee::admission_secret>> last_admission_{};
    // The newest epoch this member held in the last room it left (kept across stop()): a host that
    // re-creates that room after a relay restart numbers its epochs above it, so no KID repeats.
    std::optional<std::pair<room_id, epoch_id>> last_epoch_{};
};

}  // namespace stoa::client
