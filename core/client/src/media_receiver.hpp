// The room's audio on its way in: SFrame decryption, speaker signature checks (holding
// signatures that overtake the roster), per-speaker playback and levels, and the mix.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <unordered_map>
#include <vector>

#include "session_io.hpp"
#include "stoa/audio/format.hpp"
#include "stoa/audio/mixer.hpp"
#include "stoa/client/client_session.hpp"
#include "stoa/client/session_stats.hpp"
#include "stoa/common/time.hpp"
#include "stoa/e2ee/frame_crypto.hpp"
#include "stoa/e2ee/keyring.hpp"
#include "stoa/e2ee/speaker_auth.hpp"

namespace stoa::client {

class media_receiver {
public:
    // Signatures from senders the roster does not show on stage yet: past this many the oldest is
    // dropped, and each is kept for held_signature_life at most.
    static constexpr std::size_t max_held_signatures = 32;
    static constexpr duration held_signature_life = std::chrono::seconds(1);

    // `scratch` is shared with the send path (never both at once); all must outlive the receiver.
    media_receiver(const client_config& config, session_io& io, session_stats& stats, bytes& scratch);
    ~media_receiver();
    media_receiver(const media_receiver&) = delete;
    media_receiver& operator=(const media_receiver&) = delete;

    // The relay's welcome: frames of `room` can arrive from now on.
    void start(const room_id& room);
    // The room is gone: speakers and their state are dropped.
    void stop();

    enum class frame_outcome : std::uint8_t { done, keys_missing };
    // One media frame from `from`. keys_missing: it is of an epoch newer than any `keys` holds,
    // so key material never arrived (the caller asks the host again).
    [[nodiscard]] frame_outcome receive_frame(sender_index from, byte_view frame, const e2ee::keyring& keys,
                                              time_point now);
    void receive_signature(sender_index from, byte_view payload, time_point now);
    // The stage as the roster shows it (index -> key, oneself and forged entries left out):
    // verification and playback follow it, and held signatures of new speakers are retried.
    void update_speakers(const std::unordered_map<std::uint32_t, public_key>& stage_keys, time_point now);
    // Timers: unverified-frame deadlines.
    void tick(time_point now);
    void pull_audio(time_point now, std::span<std::int16_t, audio::frame_samples> out);

    [[nodiscard]] bool speaking(sender_index speaker) const;
    [[nodiscard]] std::size_t held_signature_count() const noexcept { return held_signatures_.size(); }
    [[nodiscard]] std::size_t approximate_bytes() const noexcept;

private:
    struct speaker_state;
    struct held_signature {
        sender_index from;
        bytes payload;
        time_point until;
    };

    void retry_held_signatures(time_point now);
    void raise_alarm(const e2ee::speaker_event& alarm);

    const client_config& config_;
    session_io& io_;
    session_stats& stats_;
    bytes& scratch_plain_;
    e2ee::frame_decryptor decryptor_;
    std::unique_ptr<e2ee::speaker_verifier> verifier_;
    std::unordered_map<std::uint32_t, public_key> verified_speakers_;  // keys given to the verifier
    std::vector<held_signature> held_signatures_;
    std::unordered_map<std::uint32_t, std::unique_ptr<speaker_state>> speakers_;  // by sender index
    std::unique_ptr<audio::mixer> mixer_;                                         // made by the first pull_audio
};

}  // namespace stoa::client
