// The room's keys: keyring, distributor, admission secrets, key traffic and roster alarms.
#include "room_keys.hpp"

#include <algorithm>
#include <iterator>

#include "stoa/e2ee/e2ee_error.hpp"
#include "stoa/proto/binary.hpp"

namespace stoa::client {

namespace {

// A new distributor numbers its first epoch this far past the newest it holds, so that even if
// it missed a few of its predecessor's last epochs, members do not refuse its keys as stale.
// Epochs have 40 bits in the SFrame KID, so a room survives a billion handovers.
constexpr std::uint64_t handover_epoch_jump = 1024;

}  // namespace

// ---------------------------------------------------------------- lifetime

void room_keys::begin_join(const room_id& room, std::optional<e2ee::admission_secret> admission,
                           std::optional<public_key> expected_host, e2ee::profile profile) {
    room_ = room;
    own_profile_ = std::move(profile);
    // Every join is a new session: key packages sealed for an earlier one will be refused.
    session_ = e2ee::fresh_session_nonce(random_);
    admission_secrets_.clear();
    alarmed_.clear();
    if (admission && e2ee::is_set(*admission)) remember_admission(*admission);
    trusted_host_ = expected_host;
}

void room_keys::start(sender_index own_index) {
    index_ = own_index;
    keyring_ = std::make_unique<e2ee::keyring>(e2ee::keyring_config{room_});
}

void room_keys::stop() {
    if (keyring_ && keyring_->newest_epoch()) {
        const epoch_id newest = *keyring_->newest_epoch();
        if (!last_epoch_ || last_epoch_->first != room_ || last_epoch_->second < newest) last_epoch_.emplace(room_, newest);
    }
    distributor_.reset();
    distributed_to_.clear();
    last_resend_.clear();
    keyring_.reset();
    published_generation_.reset();
    admission_secrets_.clear();
    trusted_host_.reset();
    last_key_request_.reset();
}

std::optional<e2ee::admission_secret> room_keys::remembered_admission(const room_id& room) const {
    if (last_admission_ && last_admission_->first == room) return last_admission_->second;
    return std::nullopt;
}

void room_keys::remember_admission(const e2ee::admission_secret& secret) {
    // Newest last: a secret seen again (keys carrying it) becomes the current one again.
    std::erase(admission_secrets_, secret);
    if (admission_secrets_.size() >= max_admission_secrets) admission_secrets_.erase(admission_secrets_.begin());
    admission_secrets_.push_back(secret);
    last_admission_.emplace(room_, secret);
}

// ---------------------------------------------------------------- roster checks

std::unordered_map<std::uint32_t, public_key> room_keys::genuine_stage_keys() {
    // One pass over the stage (O(stage), whatever the audience size).
    std::unordered_map<std::uint32_t, public_key> stage_keys;
    std::vector<room::member_entry> forged_entries;
    roster_.for_each_stage_member([&](const room::member_entry& member) {
        if (member.id == identity_.id()) return;
        // An entry whose id is not its key's is the relay's invention: its frames stay unverified.
        if (e2ee::derive_member_id(member.key) != member.id) {
            forged_entries.push_back(member);
            return;
        }
        stage_keys.emplace(member.index.value, member.key);
    });
    for (const auto& member : forged_entries)
        alarm_once(event::alarm_kind::member_id_mismatch, member.id, member.index);
    return stage_keys;
}

bool room_keys::entry_genuine(const room::member_entry& member) {
    if (e2ee::derive_member_id(member.key) == member.id) return true;
    alarm_once(event::alarm_kind::member_id_mismatch, member.id, member.index);
    return false;
}

void room_keys::check_host_key() {
    const auto ref = distributor_ref();
    if (!ref) return;
    if (ref->key == identity_.key() || !trusted_host_) {
        trusted_host_ = ref->key;
        return;
    }
    if (*trusted_host_ == ref->key) return;
    // Handovers are not signed by the previous host yet (docs/security.md), so every change is
    // shown: the user compares security codes with the people they know.
    const room::member_entry* host = roster_.find_stage_member_by_index(ref->index);
    alarm_once(event::alarm_kind::host_key_changed, host != nullptr ? host->id : member_id{}, ref->index);
    trusted_host_ = ref->key;
}

void room_keys::alarm_once(event::alarm_kind kind, member_id member, sender_index index) {
    const std::pair<event::alarm_kind, std::uint32_t> key{kind, index.value};
    if (std::find(alarmed_.begin(), alarmed_.end(), key) != alarmed_.end()) return;
    if (alarmed_.size() >= max_alarmed) alarmed_.erase(alarmed_.begin());
    alarmed_.push_back(key);
    ++stats_.security_alarms;
    io_.emit(event::security_alarm{kind, member, index});
}

std::optional<e2ee::distributor_ref> room_keys::distributor_ref() const {
    const auto host_id = roster_.host();
    if (!host_id) return std::nullopt;
    const room::member_entry* host = roster_.find_member(*host_id);
    if (host == nullptr) return std::nullopt;
    // A host entry whose id is not its key's is forged: no key material is accepted under it.
    if (e2ee::derive_member_id(host->key) != host->id) return std::nullopt;
    return e2ee::distributor_ref{host->index, host->key};
}

// ---------------------------------------------------------------- the distributor

void room_keys::follow_role(bool host, time_point now) {
    if (host && !distributor_) {
        sync_distributor(now);
    } else if (!host && distributor_) {
        distributor_.reset();
        distributed_to_.clear();
        last_resend_.clear();
    }
}

void room_keys::sync_distributor(time_point now) {
    const auto* full = roster_.full();
    if (full == nullptr || !keyring_) return;  // the follow_stream snapshot is still on its way
    // A new distributor starts well past every epoch it has seen, so members accept its keys.
    // The same holds for a host re-creating its room after a relay restart: its keyring is new,
    // but members' old frames and keys must never share a KID with the new room's.
    std::optional<epoch_id> newest = keyring_->newest_epoch();
    if (last_epoch_ && last_epoch_->first == room_ && (!newest || *newest < last_epoch_->second)) {
        newest = last_epoch_->second;
    }
    const epoch_id first = newest ? epoch_id{newest->value + handover_epoch_jump} : epoch_id{1};
    e2ee::distributor_config config{room_};
    if (room_is_closed()) config.admission = admission_secrets_.back();
    distributor_ = std::make_unique<e2ee::key_distributor>(identity_, index_, config, random_, first);
    distributed_to_.clear();
    last_resend_.clear();
    reconcile_distributor(now);
    flush_distributor(now);
}

void room_keys::reconcile_distributor(time_point now) {
    // After a snapshot the replica may have skipped deltas: whoever left in the gap must still be
    // rekeyed away, and whoever joined must still get keys.
    const auto* full = roster_.full();
    if (full == nullptr || !distributor_) return;
    std::unordered_map<std::uint32_t, public_key> current;
    full->for_each_member([&](const room::member_entry& member) {
        if (member.id != identity_.id()) current.emplace(member.index.value, member.key);
    });
    for (auto it = distributed_to_.begin(); it != distributed_to_.end();) {
        if (current.contains(it->first)) {
            ++it;
            continue;
        }
        (void)distributor_->member_removed(sender_index(it->first), now);
        it = distributed_to_.erase(it);
    }
    full->for_each_member([&](const room::member_entry& member) {
        if (member.id != identity_.id() && !distributed_to_.contains(member.index.value)) {
            (void)admit_to_distributor(member, now, true);
        }
    });
}

bool room_keys::admit_to_distributor(const room::member_entry& member, time_point now, bool any_known_secret) {
    if (!entry_genuine(member)) return false;
    auto proof = e2ee::parse_admission(member.admission);
    if (room_is_closed()) {
        // The relay lets anyone it likes into the roster; keys go only to holders of the link's secret.
        const auto first = any_known_secret ? admission_secrets_.begin() : std::prev(admission_secrets_.end());
        const bool admitted = proof.ok() && std::any_of(first, admission_secrets_.end(), [&](const auto& secret) {
                                  return e2ee::admission_valid(*proof, secret, room_, member.key);
                              });
        if (!admitted) {
            alarm_once(event::alarm_kind::unadmitted_member, member.id, member.index);
            return false;
        }
    }
    // Without a proof (an older client) the package carries a zero nonce, which that client expects.
    const e2ee::session_nonce nonce = proof.ok() ? proof->nonce : e2ee::session_nonce{};
    if (!distributor_->member_added(member.index, member.key, now, nonce).ok()) {
        io_.report(static_cast<std::uint16_t>(e2ee::e2ee_error::invalid_public_key), "invalid_public_key",
                   "a member's key cannot receive epoch secrets");
        return false;
    }
    distributed_to_.emplace(member.index.value, member.key);
    return true;
}

void room_keys::distributor_delta(const room::any_delta& change, std::optional<sender_index> departing,
                                  time_point now) {
    if (!distributor_) return;
    if (const auto* joined = std::get_if<room::delta::member_joined>(&change)) {
        if (joined->member.id != identity_.id()) (void)admit_to_distributor(joined->member, now, false);
    } else if (const auto* left = std::get_if<room::delta::member_left>(&change); left != nullptr && departing) {
        if (distributed_to_.erase(departing->value) > 0) (void)distributor_->member_removed(*departing, now);
        last_resend_.erase(departing->value);
        const bool removed_by_moderation =
            left->reason == room::leave_reason::kicked || left->reason == room::leave_reason::banned;
        if (removed_by_moderation && room_is_closed()) {
            // The removed member knows the link's secret and could come back under a fresh identity:
            // a new secret, sealed only to those who stay, closes that door. Old links stop working.
            e2ee::admission_secret rotated;
            random_.fill(rotated.mutable_view());
            remember_admission(rotated);
            distributor_->rotate_admission(rotated, now);
            io_.emit(event::admission_changed{});
        }
    }
}

void room_keys::flush_distributor(time_point now) {
    if (!distributor_) return;
    e2ee::distributor_output out = distributor_->tick(now);
    if (out.empty()) return;
    const auto before = keyring_->newest_epoch();
    if (out.own_epoch) {
        if (auto installed = keyring_->install(*out.own_epoch, now); !installed.ok()) {
            io_.report(static_cast<std::uint16_t>(installed.error()), e2ee::to_string(installed.error()),
                       "own epoch refused");
        }
    }
    if (out.announcement) {
        const bytes message =
            proto::encode_binary(proto::key_announcement_message{index_, std::move(*out.announcement)});
        io_.send_binary(std::string(message.begin(), message.end()), false);
    }
    if (!out.packages.empty()) {
        std::vector<proto::key_bundle_entry> entries;
        entries.reserve(out.packages.size());
        for (auto& package : out.packages) entries.push_back({package.recipient, std::move(package.blob)});
        for (auto& part : proto::split_key_bundle(index_, entries)) {
            io_.send_binary(std::string(part.begin(), part.end()), false);
        }
    }
    after_new_keys(before);
}

void room_keys::expire(time_point now) {
    if (keyring_) keyring_->expire(now);
}

// ---------------------------------------------------------------- key traffic

void room_keys::handle_key_package(sender_index from, byte_view blob, time_point now) {
    if (!keyring_) return;
    const auto ref = distributor_ref();
    if (!ref) return;
    const auto before = keyring_->newest_epoch();
    auto handled = keyring_->handle_package(from, blob, *ref, identity_, now, session_);
    if (!handled.ok()) {
        if (handled.error() == e2ee::e2ee_error::wrong_session) {
            // Genuine, but sealed for an earlier join: the relay is replaying it.
            const room::member_entry* host = roster_.find_stage_member_by_index(ref->index);
            alarm_once(event::alarm_kind::replayed_key_package, host != nullptr ? host->id : member_id{}, from);
            return;
        }
        if (handled.error() != e2ee::e2ee_error::stale_epoch) {
            io_.report(static_cast<std::uint16_t>(handled.error()), e2ee::to_string(handled.error()),
                       "key package refused");
        }
        return;
    }
    after_new_keys(before);
}

void room_keys::handle_key_announcement(sender_index from, byte_view payload, time_point now) {
    if (!keyring_) return;
    const auto ref = distributor_ref();
    if (!ref) return;
    const auto before = keyring_->newest_epoch();
    auto handled = keyring_->handle_announcement(from, payload, *ref, now);
    if (!handled.ok()) {
        // A joiner hears the ratchet announcement for the epoch it is about to be sent sealed;
        // it lacks the previous epoch by design. Anything else is worth reporting.
        const auto e = handled.error();
        if (e != e2ee::e2ee_error::unknown_epoch && e != e2ee::e2ee_error::stale_epoch) {
            io_.report(static_cast<std::uint16_t>(e), e2ee::to_string(e), "key announcement refused");
        }
        // A member that holds keys and still cannot follow missed one: the relay dropped it.
        if (e == e2ee::e2ee_error::unknown_epoch && before) request_keys(now);
        return;
    }
    after_new_keys(before);
}

void room_keys::request_keys(time_point now) {
    if (!keyring_) return;
    if (last_key_request_ && now < *last_key_request_ + key_request_interval) return;
    last_key_request_ = now;
    ++stats_.key_requests;
    bytes payload;
    byte_writer(payload).write_u64(keyring_->newest_epoch() ? keyring_->newest_epoch()->value : 0);
    const bytes message = proto::encode_binary(proto::key_request_message{index_, std::move(payload)});
    io_.send_binary(std::string(message.begin(), message.end()), false);
}

void room_keys::handle_key_request(sender_index from, time_point now) {
    // Only the distributor answers, only members it already seals to, once a second each: a
    // request cannot make the host seal to anyone new or seal without bound.
    if (!distributor_ || !distributed_to_.contains(from.value)) return;
    const auto last = last_resend_.find(from.value);
    if (last != last_resend_.end() && now < last->second + key_request_interval) return;
    last_resend_[from.value] = now;
    auto package = distributor_->resend(from);
    if (!package.ok()) return;  // a joiner still waiting for its batch gets it with the batch
    const std::vector<proto::key_bundle_entry> entries{{package->recipient, std::move(package->blob)}};
    for (auto& part : proto::split_key_bundle(index_, entries)) {
        io_.send_binary(std::string(part.begin(), part.end()), false);
    }
}

void room_keys::after_new_keys(std::optional<epoch_id> before) {
    if (!keyring_) return;
    const auto newest = keyring_->newest_epoch();
    if (!newest || newest == before) return;
    ++stats_.rekeys;
    io_.emit(event::keys_changed{*newest});
    if (const e2ee::epoch_keys* keys = keyring_->newest_keys(); keys != nullptr && e2ee::is_set(keys->admission)) {
        const bool known = current_admission() != nullptr && *current_admission() == keys->admission;
        remember_admission(keys->admission);
        if (!known) io_.emit(event::admission_changed{});
    }
    publish_profile();
}

void room_keys::publish_profile() {
    if (!keyring_) return;
    const e2ee::epoch_keys* keys = keyring_->newest_keys();
    if (keys == nullptr || published_generation_ == keys->generation) return;
    if (own_profile_.display_name.empty() && own_profile_.text.empty()) return;
    auto sealed =
        e2ee::seal_profile(own_profile_, identity_, index_, room_, keys->generation, keys->roster_secret, random_);
    if (!sealed.ok()) {
        io_.report(static_cast<std::uint16_t>(sealed.error()), e2ee::to_string(sealed.error()), "profile not sealed");
        return;
    }
    published_generation_ = keys->generation;
    io_.send_json({io_.next_request_id(), proto::room_action{room::action::set_profile{std::move(sealed).value()}}});
}

// ---------------------------------------------------------------- state

std::optional<e2ee::profile> room_keys::open_profile(const room::member_entry& member) const {
    if (member.profile.empty() || !keyring_) return std::nullopt;
    const auto generation = e2ee::profile_generation(member.profile);
    if (!generation.ok()) return std::nullopt;
    const auto* secret = keyring_->roster_secret(generation.value());
    if (secret == nullptr) return std::nullopt;
    auto opened = e2ee::open_profile(member.profile, member.index, member.key, room_, *secret);
    if (!opened.ok()) return std::nullopt;
    return std::move(opened).value();
}

std::optional<e2ee::security_code> room_keys::security_code(time_point now) const {
    if (!keyring_) return std::nullopt;
    const auto epoch = keyring_->newest_epoch();
    const auto ref = distributor_ref();
    if (!epoch || !ref) return std::nullopt;
    const auto* secret = keyring_->epoch_secret(*epoch, now);
    if (secret == nullptr) return std::nullopt;
    std::vector<public_key> stage_keys;
    roster_.for_each_stage_member([&](const room::member_entry& member) { stage_keys.push_back(member.key); });
    return e2ee::compute_security_code(*secret, *epoch, room_, ref->key, stage_keys);
}

std::size_t room_keys::approximate_bytes() const noexcept {
    if (!keyring_) return 0;
    return sizeof(e2ee::keyring) + keyring_->retained_epochs() * sizeof(e2ee::epoch_keys);
}

}  // namespace stoa::client
