// Reactions: sealed and signed under the epoch key (core/e2ee/reaction_crypto), checked against
// the roster, replay-checked by counter and rate-limited per sender and overall on receipt.
#include "reactions.hpp"

#include <algorithm>
#include <string>

#include "stoa/e2ee/reaction_crypto.hpp"
#include "stoa/proto/binary.hpp"

namespace stoa::client {

bool reactions::bucket::take(double burst, double per_second, time_point now) {
    if (now > updated) {
        const double elapsed = std::chrono::duration<double>(now - updated).count();
        tokens = std::min(burst, tokens + elapsed * per_second);
        updated = now;
    }
    if (tokens < 1.0) return false;
    tokens -= 1.0;
    return true;
}

void reactions::start(const room_id& room, sender_index own_index, time_point now) {
    started_ = true;
    room_ = room;
    index_ = own_index;
    senders_.clear();
    // Full buckets at the start of each join: a member who just arrived may react at once.
    send_rate_ = bucket{limits_.send_burst, now};
    receive_rate_ = bucket{limits_.receive_burst, now};
    // The counter continues across joins: sender indexes are never reused in a room, so this
    // only keeps one join's reactions from ever matching another's.
}

void reactions::stop() {
    started_ = false;
    senders_.clear();
}

status<client_error> reactions::send(reaction_kind kind, const e2ee::keyring* keys, time_point now) {
    if (!started_) return fail(client_error::not_in_room);
    if (!reaction_from_byte(static_cast<std::uint8_t>(kind))) return fail(client_error::unknown_reaction);
    const auto epoch = keys != nullptr ? keys->newest_epoch() : std::nullopt;
    const e2ee::secret_key* secret = epoch ? keys->epoch_secret(*epoch, now) : nullptr;
    if (secret == nullptr) return fail(client_error::no_sending_key);
    if (!send_rate_.take(limits_.send_burst, limits_.send_per_second, now)) return fail(client_error::rate_limited);

    const bytes sealed = e2ee::seal_reaction(static_cast<std::uint8_t>(kind), next_counter_++, identity_, index_, room_,
                                             *epoch, *secret, random_);
    const bytes message = proto::encode_binary(proto::reaction_message{index_, sealed});
    // Marked media: expendable, the first thing the outbox drops when it overflows.
    io_.send_binary(std::string(message.begin(), message.end()), true);
    ++stats_.reactions_sent;
    return {};
}

reactions::sender_state& reactions::state_of(sender_index from, time_point now) {
    auto found = senders_.find(from.value);
    if (found != senders_.end()) return found->second;
    if (senders_.size() >= limits_.max_tracked_senders) {
        const auto oldest = std::min_element(senders_.begin(), senders_.end(), [](const auto& a, const auto& b) {
            return a.second.last_seen < b.second.last_seen;
        });
        senders_.erase(oldest);
    }
    sender_state fresh;
    fresh.rate = bucket{limits_.receive_burst_per_sender, now};
    return senders_.emplace(from.value, fresh).first->second;
}

void reactions::receive(sender_index from, byte_view payload, const e2ee::keyring* keys, time_point now) {
    if (!started_ || from == index_) return;
    // Rate limits first: a flood costs a map lookup, not a decryption and a signature check.
    if (!receive_rate_.take(limits_.receive_burst, limits_.receive_per_second, now)) {
        ++stats_.reactions_dropped_rate_limited;
        return;
    }
    sender_state& sender = state_of(from, now);
    sender.last_seen = now;
    if (!sender.rate.take(limits_.receive_burst_per_sender, limits_.receive_per_second_per_sender, now)) {
        ++stats_.reactions_dropped_rate_limited;
        return;
    }

    const auto epoch = e2ee::reaction_epoch(payload);
    if (!epoch) {
        ++stats_.reactions_refused;
        return;
    }
    const e2ee::secret_key* secret = keys != nullptr ? keys->epoch_secret(*epoch, now) : nullptr;
    if (secret == nullptr) {
        ++stats_.reactions_no_key;
        return;
    }
    auto opened = e2ee::open_reaction(payload, from, room_, *secret);
    if (!opened) {
        ++stats_.reactions_refused;
        return;
    }
    // The signing key must be the one the roster gives that index: a member holding the epoch
    // key cannot react as a stage member (or as anyone this member's roster knows) by signing
    // with its own key under its own index.
    const member_id signer = e2ee::derive_member_id(opened->sender_key);
    if (const auto* on_stage = roster_.find_stage_member_by_index(from)) {
        if (on_stage->key != opened->sender_key) {
            ++stats_.reactions_refused;
            return;
        }
    } else if (const auto* known = roster_.find_member(signer); known != nullptr && known->index != from) {
        ++stats_.reactions_refused;
        return;
    }
    if (opened->counter <= sender.last_counter) {
        ++stats_.reactions_replayed;
        return;
    }
    sender.last_counter = opened->counter;
    if (!reaction_from_byte(opened->kind)) {
        ++stats_.reactions_unknown_kind;
        return;
    }
    ++stats_.reactions_received;
    io_.emit(event::reaction{signer, from, opened->kind});
}

}  // namespace stoa::client
