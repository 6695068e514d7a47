// Join batching (ratchet + announcement + seals to joiners) and leave batching (fresh epoch sealed to all).
#include "stoa/e2ee/key_distributor.hpp"

#include <stdexcept>

#include "sodium_support.hpp"
#include "stoa/e2ee/sframe.hpp"

namespace stoa::e2ee {

key_distributor::key_distributor(const identity& self, sender_index self_index, distributor_config config,
                                 random_source& random, epoch_id first_epoch)
    : self_(self), self_index_(self_index), config_(config), random_(random), next_fresh_epoch_(first_epoch) {
    if (first_epoch.value == 0) throw std::invalid_argument("epoch 0 is reserved for 'no epoch'");
}

status<e2ee_error> key_distributor::member_added(sender_index member, const public_key& key, time_point now,
                                                 const session_nonce& session) {
    if (member.value > max_kid_sender) return fail(e2ee_error::sender_index_out_of_range);
    if (member == self_index_ || members_.contains(member.value)) return fail(e2ee_error::duplicate_member);
    // Converted once here, not per rekey: the conversion costs about a third of a seal.
    auto sealing = sealing_key_for(key);
    if (!sealing) return fail(sealing.error());
    members_.emplace(member.value, member_record{key, *sealing, session});
    if (current_) {
        pending_joins_.insert(member.value);
        if (!joins_pending_since_) joins_pending_since_ = now;
    }
    return {};
}

status<e2ee_error> key_distributor::member_removed(sender_index member, time_point now) {
    auto it = members_.find(member.value);
    if (it == members_.end()) return fail(e2ee_error::unknown_member);
    members_.erase(it);
    // A joiner removed before its batch was issued never held a key: nothing to rotate.
    if (pending_joins_.erase(member.value) != 0) {
        if (pending_joins_.empty()) joins_pending_since_.reset();
        return {};
    }
    if (current_ && !leaves_pending_since_) leaves_pending_since_ = now;
    return {};
}

void key_distributor::rotate_admission(const admission_secret& secret, time_point now) {
    config_.admission = secret;
    // Announced ratchets would hand the new secret to no one and keep the old one in use; a fresh
    // epoch carries it, sealed only to the members present now.
    if (current_ && !leaves_pending_since_) leaves_pending_since_ = now;
}

std::optional<time_point> key_distributor::next_deadline() const {
    std::optional<time_point> deadline;
    if (leaves_pending_since_) deadline = *leaves_pending_since_ + config_.leave_batch_window;
    if (joins_pending_since_) {
        const time_point join_due = *joins_pending_since_ + config_.join_batch_window;
        if (!deadline || join_due < *deadline) deadline = join_due;
    }
    return deadline;
}

distributor_output key_distributor::tick(time_point now) {
    if (!current_) return issue_fresh(now);
    const bool leaves_due = leaves_pending_since_ && now >= *leaves_pending_since_ + config_.leave_batch_window;
    const bool joins_due = joins_pending_since_ && now >= *joins_pending_since_ + config_.join_batch_window;
    // While a leave is pending, the leaver still holds the current epoch and could ratchet it, so
    // due joins are folded into an early fresh epoch instead.
    if (leaves_due || (joins_due && leaves_pending_since_)) return issue_fresh(now);
    if (joins_due) return issue_join_ratchet();
    return {};
}

distributor_output key_distributor::issue_fresh(time_point) {
    const epoch_id epoch = current_ ? current_->update.epoch.next() : next_fresh_epoch_;
    key_package package;
    random_.fill(package.epoch_secret.mutable_view());
    random_.fill(package.roster_secret.mutable_view());
    package.admission = config_.admission;
    // The generation is the number of the fresh epoch that introduced the roster secret: unique and
    // increasing across host handovers without a second counter.
    const roster_generation generation(epoch.value);
    package.update = sign_key_update(self_, config_.room, epoch, epoch_kind::fresh, generation,
                                     epoch_commitment(config_.room, epoch, epoch_kind::fresh, generation,
                                                      package.epoch_secret, package.roster_secret, package.admission));
    distributor_output out;
    out.signatures = 1;
    secret_bytes<key_package_size> plaintext;
    encode_key_package(package, plaintext.mutable_view());
    out.packages.reserve(members_.size());
    for (const auto& [index, record] : members_) out.packages.push_back(seal_for(sender_index(index), record, plaintext));
    out.own_epoch =
        epoch_keys{epoch, epoch_kind::fresh, generation, package.epoch_secret, package.roster_secret, package.admission};
    current_ = package;
    next_fresh_epoch_ = epoch.next();
    pending_joins_.clear();
    joins_pending_since_.reset();
    leaves_pending_since_.reset();
    return out;
}

distributor_output key_distributor::issue_join_ratchet() {
    const key_package& previous = *current_;
    key_package package;
    const epoch_id epoch = previous.update.epoch.next();
    package.epoch_secret = join_ratchet(previous.epoch_secret, epoch);
    package.roster_secret = previous.roster_secret;
    package.admission = previous.admission;  // members derive the ratchet with the secret they hold
    const roster_generation generation = previous.update.generation;
    package.update = sign_key_update(self_, config_.room, epoch, epoch_kind::join_ratchet, generation,
                                     epoch_commitment(config_.room, epoch, epoch_kind::join_ratchet, generation,
                                                      package.epoch_secret, package.roster_secret, package.admission));
    distributor_output out;
    out.signatures = 1;
    out.announcement = encode_announcement(package.update);
    secret_bytes<key_package_size> plaintext;
    encode_key_package(package, plaintext.mutable_view());
    out.packages.reserve(pending_joins_.size());
    for (const auto index : pending_joins_) {
        out.packages.push_back(seal_for(sender_index(index), members_.at(index), plaintext));
    }
    out.own_epoch = epoch_keys{epoch, epoch_kind::join_ratchet, generation, package.epoch_secret,
                               package.roster_secret, package.admission};
    current_ = package;
    next_fresh_epoch_ = epoch.next();
    pending_joins_.clear();
    joins_pending_since_.reset();
    return out;
}

sealed_package key_distributor::seal_for(sender_index member, const member_record& record,
                                         secret_bytes<key_package_size>& plaintext) const {
    auto session = plaintext.mutable_view().subspan<key_package_session_offset, session_nonce_size>();
    std::copy(record.session.begin(), record.session.end(), session.begin());
    sealed_package out{member, bytes(sealed_key_package_size)};
    // The key was validated in member_added, so sealing cannot fail here.
    if (auto sealed = seal_to(record.sealing_key, plaintext.view(), out.blob); !sealed) {
        throw std::logic_error("sealing to a validated key failed");
    }
    return out;
}

result<sealed_package, e2ee_error> key_distributor::resend(sender_index member) const {
    auto it = members_.find(member.value);
    if (it == members_.end()) return fail(e2ee_error::unknown_member);
    // A pending joiner must wait for its batch: the current epoch predates its join.
    if (!current_ || pending_joins_.contains(member.value)) return fail(e2ee_error::unknown_epoch);
    secret_bytes<key_package_size> plaintext;
    encode_key_package(*current_, plaintext.mutable_view());
    return seal_for(member, it->second, plaintext);
}

std::optional<epoch_id> key_distributor::current_epoch() const noexcept {
    if (!current_) return std::nullopt;
    return current_->update.epoch;
}

}  // namespace stoa::e2ee
