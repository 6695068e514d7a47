// This member's audio on its way out: Opus encoding, SFrame encryption, the speaker's batch
// signatures, and constant-rate mode (one frame size, silence sent) against traffic analysis.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>

#include "session_io.hpp"
#include "stoa/audio/format.hpp"
#include "stoa/audio/opus_encoder.hpp"
#include "stoa/client/client_error.hpp"
#include "stoa/client/media_payload.hpp"
#include "stoa/client/session_stats.hpp"
#include "stoa/common/result.hpp"
#include "stoa/common/time.hpp"
#include "stoa/e2ee/frame_crypto.hpp"
#include "stoa/e2ee/identity.hpp"
#include "stoa/e2ee/keyring.hpp"
#include "stoa/e2ee/speaker_auth.hpp"
#include "stoa/proto/limits.hpp"

namespace stoa::client {

class media_sender {
public:
    // The largest Opus packet whose media message stays within the relay's limit:
    // payload header + SFrame header (at most 17 bytes) + AEAD tag (16 bytes).
    static constexpr std::size_t max_opus_packet =
        proto::max_media_payload - media_payload_header_size - e2ee::frame_encryptor::max_protected_size(0);
    // The same when the payload is padded (constant-rate mode).
    static constexpr std::size_t max_padded_opus_packet =
        (proto::max_media_payload - e2ee::frame_encryptor::max_protected_size(0)) / padded_payload_block *
            padded_payload_block -
        media_payload_header_size - 2;
    static_assert(max_opus_packet >= 400, "Opus needs room for a 20 ms frame at high bitrates");
    static_assert(max_padded_opus_packet >= 400, "Opus needs room for a 20 ms frame at high bitrates");

    // `scratch` is shared with the receive path (never both at once); all must outlive the sender.
    media_sender(std::int32_t bitrate_bps, session_io& io, session_stats& stats, bytes& scratch)
        : bitrate_bps_(bitrate_bps), io_(io), stats_(stats), scratch_plain_(scratch) {}

    // The relay's welcome: this member sends as `own_index` from now on.
    void start(const e2ee::identity& identity, sender_index own_index, const room_id& room);
    // The room is gone. The encoder and frame numbering carry over to the next room.
    void stop();

    // One microphone frame. The caller has checked that this member may send under `keys`.
    [[nodiscard]] status<client_error> send_audio(std::span<const std::int16_t, audio::frame_samples> pcm,
                                                  bool constant_rate, const e2ee::keyring& keys, time_point now);
    // Sizes an already encoded packet may have (checked before whether the member may send).
    [[nodiscard]] static status<client_error> check_opus(byte_view packet, bool constant_rate);
    // An encoded frame; in VBR mode a DTX packet is silence, numbered and skipped as in send_audio.
    [[nodiscard]] status<client_error> send_opus(byte_view packet, bool constant_rate, const e2ee::keyring& keys,
                                                 time_point now);
    // Leaving the stage: the last frames are signed while the relay still forwards signatures.
    void flush_signatures();
    // Timers: signature batches.
    void tick(time_point now);

    [[nodiscard]] std::size_t approximate_bytes() const noexcept;

private:
    [[nodiscard]] status<client_error> protect_and_send(audio::frame_seq seq, byte_view opus, bool constant_rate,
                                                        const e2ee::keyring& keys, time_point now);
    void send_signature(const bytes& signature);

    std::int32_t bitrate_bps_;
    session_io& io_;
    session_stats& stats_;
    bytes& scratch_plain_;
    sender_index index_{};
    std::optional<audio::opus_encoder> encoder_;
    audio::frame_seq next_frame_seq_{};
    std::unique_ptr<e2ee::frame_encryptor> encryptor_;
    std::unique_ptr<e2ee::speaker_signer> signer_;
    bytes scratch_frame_;
};

}  // namespace stoa::client
