// The receive path: decrypt, authenticate the speaker, play, mix.
#include "media_receiver.hpp"

#include <utility>

#include "stoa/audio/level_meter.hpp"
#include "stoa/audio/player.hpp"
#include "stoa/client/media_payload.hpp"
#include "stoa/e2ee/e2ee_error.hpp"
#include "stoa/e2ee/sframe.hpp"

namespace stoa::client {

namespace {

// Samples of the latency sum must be plausible: a remote clock value far from ours is ignored.
constexpr std::int64_t max_plausible_latency_us = 60'000'000;

}  // namespace

// Per stage member: playback and the speaking indicator. Created only when audio is decoded.
struct media_receiver::speaker_state {
    explicit speaker_state(audio::player p, const audio::level_meter_config& levels)
        : player(std::move(p)), meter(levels) {}
    audio::player player;
    audio::level_meter meter;
    audio::pcm_frame pcm{};
};

media_receiver::media_receiver(const client_config& config, session_io& io, session_stats& stats, bytes& scratch)
    : config_(config), io_(io), stats_(stats), scratch_plain_(scratch) {}

media_receiver::~media_receiver() = default;

void media_receiver::start(const room_id& room) {
    decryptor_ = e2ee::frame_decryptor{};
    if (config_.verify_speakers) {
        e2ee::speaker_verifier_config verifier_config{room};
        verifier_config.shared_verdicts = config_.shared_verdicts;
        verifier_ = std::make_unique<e2ee::speaker_verifier>(verifier_config);
    }
}

void media_receiver::stop() {
    verifier_.reset();
    speakers_.clear();
    verified_speakers_.clear();
    held_signatures_.clear();
}

media_receiver::frame_outcome media_receiver::receive_frame(sender_index from, byte_view frame,
                                                            const e2ee::keyring& keys, time_point now) {
    scratch_plain_.resize(frame.size());
    auto opened = decryptor_.unprotect(keys, from, frame, scratch_plain_, now);
    if (!opened.ok()) {
        switch (opened.error()) {
            case e2ee::e2ee_error::replay:
            case e2ee::e2ee_error::too_old:
                ++stats_.replays_rejected;
                break;
            case e2ee::e2ee_error::unknown_epoch: {
                ++stats_.no_key_failures;
                // A frame of an epoch newer than any held: key material for it never arrived.
                const auto header = e2ee::parse_header(frame);
                const auto newest = keys.newest_epoch();
                if (header.ok() && newest && (header->header.kid >> e2ee::kid_sender_bits) > newest->value) {
                    return frame_outcome::keys_missing;
                }
                break;
            }
            default:
                ++stats_.decrypt_failures;
                break;
        }
        return frame_outcome::done;
    }
    const e2ee::frame_info info = opened.value();
    auto payload = read_media_payload(byte_view(scratch_plain_).first(info.size));
    if (!payload.ok()) {
        ++stats_.bad_payloads;
        return frame_outcome::done;
    }
    ++stats_.frames_received;
    // The send time is the remote's word: use it only when it is plausible on our clock.
    const std::int64_t sent = to_micros(payload->sent_at);
    const std::int64_t arrived = to_micros(now);
    if (sent >= 0 && sent <= arrived && arrived - sent < max_plausible_latency_us) {
        stats_.latency_sum_us += arrived - sent;
        ++stats_.latency_samples;
    }
    if (verifier_) {
        for (const auto& alarm : verifier_->on_frame_accepted(from, info.kid, info.counter, frame, now)) {
            raise_alarm(alarm);
        }
    }
    if (config_.observer != nullptr) config_.observer->on_frame(from, payload->seq, payload->sent_at, now);
    if (!config_.decode_audio) return frame_outcome::done;
    auto speaker = speakers_.find(from.value);
    if (speaker == speakers_.end()) {
        auto player = audio::player::create(config_.jitter);
        if (!player.ok()) return frame_outcome::done;
        speaker =
            speakers_.emplace(from.value, std::make_unique<speaker_state>(std::move(player).value(), config_.levels))
                .first;
    }
    (void)speaker->second->player.push(payload->seq, payload->opus, now);
    return frame_outcome::done;
}

void media_receiver::receive_signature(sender_index from, byte_view payload, time_point now) {
    if (!verifier_) return;
    auto outcome = verifier_->on_signature(from, payload, now);
    if (!outcome.ok() && outcome.error() == e2ee::e2ee_error::unknown_sender) {
        // A new speaker's first signatures can overtake the roster change that puts it on stage
        // (the relay queues media and control apart): hold them until the roster catches up.
        if (held_signatures_.size() >= max_held_signatures) held_signatures_.erase(held_signatures_.begin());
        held_signatures_.push_back({from, bytes(payload.begin(), payload.end()), now + held_signature_life});
        return;
    }
    if (!outcome.ok()) {
        io_.report(static_cast<std::uint16_t>(outcome.error()), e2ee::to_string(outcome.error()),
                   "speaker signature refused");
        return;
    }
    stats_.signatures_verified += outcome->verified;
    for (const auto& alarm : outcome->forged) raise_alarm(alarm);
}

void media_receiver::update_speakers(const std::unordered_map<std::uint32_t, public_key>& stage_keys, time_point now) {
    if (verifier_) {
        for (auto it = verified_speakers_.begin(); it != verified_speakers_.end();) {
            const auto current = stage_keys.find(it->first);
            if (current == stage_keys.end() || current->second != it->second) {
                verifier_->remove_speaker(sender_index(it->first));
                it = verified_speakers_.erase(it);
            } else {
                ++it;
            }
        }
        for (const auto& [index, key] : stage_keys) {
            if (verified_speakers_.emplace(index, key).second) verifier_->set_speaker_key(sender_index(index), key);
        }
    }
    std::erase_if(speakers_, [&](const auto& item) { return !stage_keys.contains(item.first); });
    retry_held_signatures(now);
}

void media_receiver::retry_held_signatures(time_point now) {
    if (held_signatures_.empty() || !verifier_) return;
    std::vector<held_signature> held;
    held.swap(held_signatures_);
    for (auto& signature : held) {
        if (now > signature.until) continue;  // the roster never named this speaker: dropped
        if (!verified_speakers_.contains(signature.from.value)) {
            held_signatures_.push_back(std::move(signature));
            continue;
        }
        receive_signature(signature.from, signature.payload, now);
    }
}

void media_receiver::raise_alarm(const e2ee::speaker_event& alarm) {
    const bool forged = alarm.verdict == e2ee::frame_verdict::forged;
    if (forged) {
        ++stats_.forged_frames;
    } else {
        ++stats_.unverified_frames;
    }
    io_.emit(event::speaker_alarm{alarm.sender, forged});
}

void media_receiver::tick(time_point now) {
    if (!verifier_) return;
    for (const auto& alarm : verifier_->tick(now)) raise_alarm(alarm);
}

void media_receiver::pull_audio(time_point now, std::span<std::int16_t, audio::frame_samples> out) {
    if (!mixer_) mixer_ = std::make_unique<audio::mixer>();  // 3.8 KB only for members that play audio
    mixer_->clear();
    for (auto& [index, speaker] : speakers_) {
        const audio::player_output played = speaker->player.pull(now, speaker->pcm);
        if (config_.observer != nullptr) config_.observer->on_playout(sender_index(index), played, now);
        speaker->meter.update(speaker->pcm);
        if (played.audible) mixer_->add(std::span<const std::int16_t, audio::frame_samples>(speaker->pcm));
    }
    mixer_->output(out);
}

bool media_receiver::speaking(sender_index speaker) const {
    const auto found = speakers_.find(speaker.value);
    return found != speakers_.end() && found->second->meter.speaking();
}

std::size_t media_receiver::approximate_bytes() const noexcept {
    std::size_t total = speakers_.size() * (sizeof(speaker_state) + 64);
    if (verifier_) total += sizeof(e2ee::speaker_verifier);
    return total;
}

}  // namespace stoa::client
