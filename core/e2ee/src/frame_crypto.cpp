// Frame encryptor and decryptor over the keyring.
#include "stoa/e2ee/frame_crypto.hpp"

#include <algorithm>

#include "stoa/e2ee/key_schedule.hpp"

namespace stoa::e2ee {

frame_encryptor::frame_encryptor(sender_index self, std::uint64_t counter_limit)
    : self_(self), counter_limit_(counter_limit) {}

result<frame_info, e2ee_error> frame_encryptor::protect(const keyring& keys, byte_view plaintext,
                                                        mutable_byte_view out, time_point now) {
    const auto sending = keys.sending_epoch(now);
    if (!sending) return fail(e2ee_error::no_sending_key);
    if (epoch_ && *sending < *epoch_) return fail(e2ee_error::stale_epoch);
    if (!epoch_ || *sending != *epoch_) {
        const secret_key* secret = keys.epoch_secret(*sending, now);
        if (secret == nullptr) return fail(e2ee_error::unknown_epoch);
        auto kid = make_kid(*sending, self_);
        if (!kid) return fail(kid.error());
        key_ = sframe_key::derive(sender_base_key(*secret, self_), *kid);
        epoch_ = *sending;
        next_counter_ = 0;
        exhausted_ = false;
    }
    if (exhausted_) return fail(e2ee_error::counter_exhausted);
    const std::uint64_t counter = next_counter_;
    auto written = key_->seal(counter, plaintext, out);
    if (!written) return fail(written.error());
    // The counter advances only after a successful seal; at the limit the key is retired instead
    // of wrapping, so no nonce repeats.
    if (counter == counter_limit_) {
        exhausted_ = true;
    } else {
        next_counter_ = counter + 1;
    }
    return frame_info{*epoch_, self_, key_->kid(), counter, *written};
}

frame_decryptor::frame_decryptor(std::size_t max_senders_per_epoch) : max_senders_per_epoch_(max_senders_per_epoch) {}

void frame_decryptor::forget_expired(const keyring& keys, time_point now) {
    std::erase_if(epochs_, [&](const epoch_state& state) { return keys.epoch_secret(state.epoch, now) == nullptr; });
}

result<frame_info, e2ee_error> frame_decryptor::unprotect(const keyring& keys, sender_index relay_sender,
                                                          byte_view frame, mutable_byte_view out, time_point now) {
    if (frame.size() > sframe_max_frame_size) return fail(e2ee_error::too_large);
    auto parsed = parse_header(frame);
    if (!parsed) return fail(parsed.error());
    const kid_parts parts = split_kid(parsed->header.kid);
    if (parts.sender != relay_sender) return fail(e2ee_error::sender_mismatch);

    forget_expired(keys, now);
    const secret_key* secret = keys.epoch_secret(parts.epoch, now);
    if (secret == nullptr) return fail(e2ee_error::unknown_epoch);

    auto epoch_it = std::find_if(epochs_.begin(), epochs_.end(),
                                 [&](const epoch_state& state) { return state.epoch == parts.epoch; });
    if (epoch_it != epochs_.end()) {
        if (auto known = epoch_it->senders.find(parts.sender.value); known != epoch_it->senders.end()) {
            sender_state& state = known->second;
            if (auto fresh_counter = state.window.check(parsed->header.counter); !fresh_counter) {
                return fail(fresh_counter.error());
            }
            auto opened = state.key.open(*parsed, frame, out);
            if (!opened) return fail(opened.error());
            state.window.accept(parsed->header.counter);
            return frame_info{parts.epoch, parts.sender, parsed->header.kid, parsed->header.counter, *opened};
        }
    }
    // First frame of this sender in this epoch: state is created only once a frame authenticates,
    // so forged frames cannot fill the table.
    const std::size_t known_senders = epoch_it == epochs_.end() ? 0 : epoch_it->senders.size();
    if (known_senders >= max_senders_per_epoch_) return fail(e2ee_error::too_many_senders);
    sender_state fresh{sframe_key::derive(sender_base_key(*secret, parts.sender), parsed->header.kid), {}};
    auto opened = fresh.key.open(*parsed, frame, out);
    if (!opened) return fail(opened.error());
    fresh.window.accept(parsed->header.counter);
    if (epoch_it == epochs_.end()) {
        epochs_.push_back(epoch_state{parts.epoch, {}});
        epoch_it = std::prev(epochs_.end());
    }
    epoch_it->senders.emplace(parts.sender.value, std::move(fresh));
    return frame_info{parts.epoch, parts.sender, parsed->header.kid, parsed->header.counter, *opened};
}

}  // namespace stoa::e2ee
