// Epoch installation, verification of distributor messages, grace periods and sender switching.
#include "stoa/e2ee/keyring.hpp"

#include <array>
#include <stdexcept>

#include "sodium_support.hpp"
#include "stoa/e2ee/key_package.hpp"

namespace stoa::e2ee {

keyring::keyring(keyring_config config) : config_(config) {
    if (config_.max_epochs < 2) throw std::invalid_argument("keyring needs at least two epochs for a handover");
}

status<e2ee_error> keyring::install(const epoch_keys& keys, time_point now) {
    if (!epochs_.empty() && keys.epoch <= epochs_.back().keys.epoch) return fail(e2ee_error::stale_epoch);
    expire(now);
    if (!epochs_.empty()) epochs_.back().superseded_at = now;
    epochs_.push_back(held_epoch{keys, now, std::nullopt});
    while (epochs_.size() > config_.max_epochs) epochs_.erase(epochs_.begin());
    return {};
}

result<epoch_id, e2ee_error> keyring::handle_package(sender_index from, byte_view sealed,
                                                     const distributor_ref& distributor, const identity& self,
                                                     time_point now, const session_nonce& session) {
    if (from != distributor.index) return fail(e2ee_error::not_distributor);
    if (sealed.size() != sealed_key_package_size) {
        return fail(sealed.size() < sealed_key_package_size ? e2ee_error::truncated : e2ee_error::too_large);
    }
    secret_bytes<key_package_size> plaintext;
    auto opened = self.open_sealed(sealed, plaintext.mutable_view());
    if (!opened) return fail(opened.error());
    auto package = parse_key_package(plaintext.view());
    if (!package) return fail(package.error());
    const key_update& update = package->update;
    if (update.room != config_.room) return fail(e2ee_error::wrong_room);
    const commitment secrets = epoch_commitment(update.room, update.epoch, update.kind, update.generation,
                                                package->epoch_secret, package->roster_secret, package->admission);
    if (auto verified = verify_key_update(update, secrets, distributor.key); !verified) return fail(verified.error());
    // Checked after the signature so a wrong_session verdict always names a genuine package.
    if (!detail::constant_time_equal(package->recipient_session.data(), session.data(), session_nonce_size)) {
        return fail(e2ee_error::wrong_session);
    }
    if (auto installed = install(epoch_keys{update.epoch, update.kind, update.generation, package->epoch_secret,
                                            package->roster_secret, package->admission},
                                 now);
        !installed) {
        return fail(installed.error());
    }
    return update.epoch;
}

result<epoch_id, e2ee_error> keyring::handle_announcement(sender_index from, byte_view message,
                                                          const distributor_ref& distributor, time_point now) {
    if (from != distributor.index) return fail(e2ee_error::not_distributor);
    auto update = parse_announcement(message);
    if (!update) return fail(update.error());
    if (update->room != config_.room) return fail(e2ee_error::wrong_room);
    // No expire() here: a refused input must leave the keyring as it was. The newest epoch never
    // expires, and install() below does the housekeeping on success.
    if (epochs_.empty()) return fail(e2ee_error::unknown_epoch);
    const epoch_keys& newest = epochs_.back().keys;
    if (update->epoch <= newest.epoch) return fail(e2ee_error::stale_epoch);
    // A gap means a package was missed; the ratchet cannot bridge a fresh epoch, so ask for a resend.
    if (update->epoch != newest.epoch.next()) return fail(e2ee_error::unknown_epoch);
    epoch_keys next{update->epoch, epoch_kind::join_ratchet, newest.generation,
                    join_ratchet(newest.epoch_secret, update->epoch), newest.roster_secret, newest.admission};
    if (update->generation != next.generation) return fail(e2ee_error::commitment_mismatch);
    const commitment secrets = epoch_commitment(update->room, next.epoch, next.kind, next.generation,
                                                next.epoch_secret, next.roster_secret, next.admission);
    if (auto verified = verify_key_update(*update, secrets, distributor.key); !verified) return fail(verified.error());
    if (auto installed = install(next, now); !installed) return fail(installed.error());
    return next.epoch;
}

bool keyring::usable(const held_epoch& held, time_point now) const noexcept {
    return !held.superseded_at || now < *held.superseded_at + config_.grace_period;
}

std::optional<epoch_id> keyring::sending_epoch(time_point now) const {
    for (auto it = epochs_.rbegin(); it != epochs_.rend(); ++it) {
        if (!usable(*it, now)) break;
        if (it->learnt_at + config_.switch_delay <= now) return it->keys.epoch;
        // Too new to send with: fall back to its predecessor if that one still decrypts everywhere.
        const auto older = std::next(it);
        if (older == epochs_.rend() || !usable(*older, now)) return it->keys.epoch;
    }
    return std::nullopt;
}

std::optional<epoch_id> keyring::newest_epoch() const {
    if (epochs_.empty()) return std::nullopt;
    return epochs_.back().keys.epoch;
}

const secret_key* keyring::epoch_secret(epoch_id epoch, time_point now) const {
    for (const auto& held : epochs_) {
        if (held.keys.epoch == epoch) return usable(held, now) ? &held.keys.epoch_secret : nullptr;
    }
    return nullptr;
}

const epoch_keys* keyring::newest_keys() const { return epochs_.empty() ? nullptr : &epochs_.back().keys; }

const secret_key* keyring::roster_secret(roster_generation generation) const {
    for (auto it = epochs_.rbegin(); it != epochs_.rend(); ++it) {
        if (it->keys.generation == generation) return &it->keys.roster_secret;
    }
    return nullptr;
}

void keyring::expire(time_point now) {
    // The newest epoch never expires: it has no successor.
    std::erase_if(epochs_, [&](const held_epoch& held) { return !usable(held, now); });
}

}  // namespace stoa::e2ee
