// Per-speaker signatures over batches of frame hashes, and their verification under loss.
#include "stoa/e2ee/speaker_auth.hpp"

#include "stoa/e2ee/signature_cache.hpp"

#include <stdexcept>

#include "sodium_support.hpp"

namespace stoa::e2ee {

namespace {
constexpr std::string_view speaker_label = "stoa speaker frames v1";

void write_body(byte_writer& writer, const speaker_signature_message& message) {
    writer.write_u8(speaker_format_version);
    writer.write_u32(message.sender.value);
    writer.write_u64(message.kid);
    writer.write_u64(message.first_counter);
    writer.write_u8(static_cast<std::uint8_t>(message.hashes.size()));
    for (const auto& hash : message.hashes) writer.write_bytes(hash);
}
}  // namespace

frame_hash hash_protected_frame(byte_view protected_frame) noexcept {
    detail::ensure_sodium();
    frame_hash out{};
    crypto_generichash(out.data(), out.size(), protected_frame.data(), protected_frame.size(), nullptr, 0);
    return out;
}

result<speaker_signature_message, e2ee_error> parse_speaker_message(byte_view message) {
    if (message.size() > speaker_message_size(max_frames_per_signature)) return fail(e2ee_error::too_large);
    byte_reader reader(message);
    auto version = reader.read_u8();
    auto sender = reader.read_u32();
    auto kid = reader.read_u64();
    auto first = reader.read_u64();
    auto count = reader.read_u8();
    if (!version || !sender || !kid || !first || !count) return fail(e2ee_error::truncated);
    if (*version != speaker_format_version) return fail(e2ee_error::bad_version);
    if (*count == 0 || *count > max_frames_per_signature) return fail(e2ee_error::bad_header);
    // The last counter must not wrap: a list never straddles the end of the counter space.
    if (*first > UINT64_MAX - (*count - 1U)) return fail(e2ee_error::bad_header);
    speaker_signature_message out;
    out.sender = sender_index(*sender);
    out.kid = *kid;
    out.first_counter = *first;
    out.hashes.resize(*count);
    for (auto& hash : out.hashes) {
        auto raw = reader.read_bytes(frame_hash_size);
        if (!raw) return fail(e2ee_error::truncated);
        for (std::size_t i = 0; i < frame_hash_size; ++i) hash[i] = (*raw)[i];
    }
    auto sig = reader.read_bytes(signature_size);
    if (!sig) return fail(e2ee_error::truncated);
    for (std::size_t i = 0; i < signature_size; ++i) out.sig[i] = (*sig)[i];
    if (!reader.empty()) return fail(e2ee_error::bad_header);
    return out;
}

bytes encode_speaker_message(const speaker_signature_message& message) {
    bytes out;
    out.reserve(speaker_message_size(message.hashes.size()));
    byte_writer writer(out);
    write_body(writer, message);
    writer.write_bytes(message.sig);
    return out;
}

bytes speaker_transcript(const room_id& room, const speaker_signature_message& message) {
    bytes out;
    detail::append_label(out, speaker_label);
    byte_writer writer(out);
    writer.write_bytes(room.value);
    write_body(writer, message);
    return out;
}

// ---- signer ----

speaker_signer::speaker_signer(const identity& self, sender_index self_index, speaker_signer_config config)
    : self_(self), self_index_(self_index), config_(config) {
    if (config_.frames_per_signature == 0 || config_.frames_per_signature > max_frames_per_signature) {
        throw std::invalid_argument("frames_per_signature must be 1..32");
    }
    hashes_.reserve(config_.frames_per_signature);
}

std::vector<bytes> speaker_signer::on_frame_sent(std::uint64_t kid, std::uint64_t counter, byte_view protected_frame,
                                                 time_point now) {
    std::vector<bytes> out;
    if (!hashes_.empty() && (kid != kid_ || counter != first_counter_ + hashes_.size())) out.push_back(close_batch());
    if (hashes_.empty()) {
        kid_ = kid;
        first_counter_ = counter;
        batch_started_ = now;
    }
    hashes_.push_back(hash_protected_frame(protected_frame));
    if (hashes_.size() >= config_.frames_per_signature) out.push_back(close_batch());
    return out;
}

std::vector<bytes> speaker_signer::tick(time_point now) {
    std::vector<bytes> out;
    if (!hashes_.empty() && now >= batch_started_ + config_.max_delay) out.push_back(close_batch());
    return out;
}

std::optional<time_point> speaker_signer::next_deadline() const {
    if (hashes_.empty()) return std::nullopt;
    return batch_started_ + config_.max_delay;
}

std::optional<bytes> speaker_signer::flush() {
    if (hashes_.empty()) return std::nullopt;
    return close_batch();
}

bytes speaker_signer::close_batch() {
    speaker_signature_message message;
    message.sender = self_index_;
    message.kid = kid_;
    message.first_counter = first_counter_;
    message.hashes = hashes_;
    message.sig = self_.sign(speaker_transcript(config_.room, message));
    hashes_.clear();
    return encode_speaker_message(message);
}

// ---- verifier ----

speaker_verifier::speaker_verifier(speaker_verifier_config config) : config_(config) {
    if (config_.max_pending_frames == 0 || config_.max_signed_hashes == 0) {
        throw std::invalid_argument("speaker_verifier needs room for at least one frame");
    }
}

void speaker_verifier::set_speaker_key(sender_index sender, const public_key& key) { keys_[sender.value] = key; }

void speaker_verifier::remove_speaker(sender_index sender) { keys_.erase(sender.value); }

void speaker_verifier::evict_oldest_pending(std::vector<speaker_event>& events) {
    while (!pending_order_.empty()) {
        const frame_ref ref = pending_order_.front().second;
        pending_order_.pop_front();
        if (pending_.erase(ref) != 0) {
            events.push_back({frame_verdict::unverified, sender_index(std::get<0>(ref)), std::get<1>(ref),
                              std::get<2>(ref)});
            return;
        }
    }
}

std::vector<speaker_event> speaker_verifier::on_frame_accepted(sender_index sender, std::uint64_t kid,
                                                               std::uint64_t counter, byte_view protected_frame,
                                                               time_point now) {
    std::vector<speaker_event> events = tick(now);
    const frame_ref ref{sender.value, kid, counter};
    const frame_hash hash = hash_protected_frame(protected_frame);
    if (auto vouched = signed_.find(ref); vouched != signed_.end()) {
        const bool matches = detail::constant_time_equal(vouched->second.hash.data(), hash.data(), frame_hash_size);
        signed_.erase(vouched);
        if (!matches) events.push_back({frame_verdict::forged, sender, kid, counter});
        return events;
    }
    if (pending_.contains(ref)) return events;  // the decryptor's replay window makes this unreachable
    if (pending_.size() >= config_.max_pending_frames) evict_oldest_pending(events);
    const time_point deadline = now + config_.deadline;
    pending_.emplace(ref, pending_frame{hash, deadline});
    pending_order_.emplace_back(deadline, ref);
    return events;
}

result<signature_outcome, e2ee_error> speaker_verifier::on_signature(sender_index relay_sender, byte_view message,
                                                                     time_point now) {
    auto parsed = parse_speaker_message(message);
    if (!parsed) return fail(parsed.error());
    if (parsed->sender != relay_sender) return fail(e2ee_error::sender_mismatch);
    auto key = keys_.find(parsed->sender.value);
    if (key == keys_.end()) return fail(e2ee_error::unknown_sender);
    const bytes transcript = speaker_transcript(config_.room, *parsed);
    if (auto verified = config_.shared_verdicts != nullptr
                            ? config_.shared_verdicts->verify(key->second, transcript, parsed->sig)
                            : verify_signature(key->second, transcript, parsed->sig);
        !verified) {
        return fail(verified.error());
    }
    signature_outcome outcome;
    for (std::size_t i = 0; i < parsed->hashes.size(); ++i) {
        const frame_ref ref{parsed->sender.value, parsed->kid, parsed->first_counter + i};
        const frame_hash& hash = parsed->hashes[i];
        if (auto pending = pending_.find(ref); pending != pending_.end()) {
            if (detail::constant_time_equal(pending->second.hash.data(), hash.data(), frame_hash_size)) {
                ++outcome.verified;
            } else {
                outcome.forged.push_back({frame_verdict::forged, parsed->sender, parsed->kid, std::get<2>(ref)});
            }
            pending_.erase(pending);
            continue;
        }
        // The frame is late or lost: keep the hash a while so a late frame is still checked.
        if (signed_.contains(ref)) continue;
        if (signed_.size() >= config_.max_signed_hashes) {
            while (!signed_order_.empty() && signed_.erase(signed_order_.front().second) == 0) signed_order_.pop_front();
            if (!signed_order_.empty()) signed_order_.pop_front();
        }
        const time_point expires = now + config_.deadline;
        signed_.emplace(ref, signed_hash{hash, expires});
        signed_order_.emplace_back(expires, ref);
    }
    return outcome;
}

std::vector<speaker_event> speaker_verifier::tick(time_point now) {
    std::vector<speaker_event> events;
    while (!pending_order_.empty()) {
        const auto [deadline, ref] = pending_order_.front();
        auto it = pending_.find(ref);
        if (it == pending_.end() || it->second.deadline != deadline) {
            pending_order_.pop_front();  // resolved by a signature (or evicted): nothing to judge
            continue;
        }
        if (deadline > now) break;
        pending_order_.pop_front();
        events.push_back({frame_verdict::unverified, sender_index(std::get<0>(ref)), std::get<1>(ref),
                          std::get<2>(ref)});
        pending_.erase(it);
    }
    while (!signed_order_.empty()) {
        const auto [expires, ref] = signed_order_.front();
        auto it = signed_.find(ref);
        if (it != signed_.end() && it->second.expires == expires) {
            if (expires > now) break;
            signed_.erase(it);
        }
        signed_order_.pop_front();  // expired, or its frame already checked against it
    }
    pending_order_.shrink_when_small();
    signed_order_.shrink_when_small();
    return events;
}

}  // namespace stoa::e2ee
