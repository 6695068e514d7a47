// Speaker authenticity inside the room: the room key lets any member make valid frames for any
// sender index, so each speaker also signs short hashes of the frames it sent, every K frames,
// and receivers flag frames whose hash no valid signature vouches for. Sans-I/O, bounded memory.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "stoa/common/bytes.hpp"
#include "stoa/common/ids.hpp"
#include "stoa/common/result.hpp"
#include "stoa/common/time.hpp"
#include "stoa/common/vector_queue.hpp"
#include "stoa/e2ee/e2ee_error.hpp"
#include "stoa/e2ee/identity.hpp"

namespace stoa::e2ee {

// BLAKE2b with a 12-byte output over the whole protected frame (header, ciphertext, tag).
// Forging needs a second preimage of 96 bits, online, before the signature arrives.
inline constexpr std::size_t frame_hash_size = 12;
inline constexpr std::size_t max_frames_per_signature = 32;
inline constexpr std::uint8_t speaker_format_version = 1;
// version, sender index, KID, first counter, count, hashes, signature.
[[nodiscard]] constexpr std::size_t speaker_message_size(std::size_t frames) noexcept {
    return 1 + 4 + 8 + 8 + 1 + frames * frame_hash_size + signature_size;
}

using frame_hash = std::array<std::uint8_t, frame_hash_size>;
[[nodiscard]] frame_hash hash_protected_frame(byte_view protected_frame) noexcept;

// A parsed, not yet verified, signature message.
struct speaker_signature_message {
    sender_index sender{};
    std::uint64_t kid = 0;
    std::uint64_t first_counter = 0;
    std::vector<frame_hash> hashes;
    signature sig{};
};
[[nodiscard]] result<speaker_signature_message, e2ee_error> parse_speaker_message(byte_view message);
[[nodiscard]] bytes encode_speaker_message(const speaker_signature_message& message);
// "stoa speaker frames v1" 0x00 || room || message bytes without the signature.
[[nodiscard]] bytes speaker_transcript(const room_id& room, const speaker_signature_message& message);

struct speaker_signer_config {
    room_id room{};
    std::size_t frames_per_signature = 10;  // K: 10 frames of 20 ms = one signature per 200 ms
    // A partial batch (the speaker muted) is signed at the latest this long after its first frame.
    duration max_delay = std::chrono::milliseconds(200);
};

class speaker_signer {
public:
    // `self` must outlive the signer.
    speaker_signer(const identity& self, sender_index self_index, speaker_signer_config config);

    // Call with every frame as sent (the exact bytes given to the relay). Returns the signature
    // messages now due (a batch is closed when full, or when the KID changes or counters skip).
    [[nodiscard]] std::vector<bytes> on_frame_sent(std::uint64_t kid, std::uint64_t counter,
                                                   byte_view protected_frame, time_point now);
    [[nodiscard]] std::vector<bytes> tick(time_point now);
    // Signs the open batch now, if any: before the speaker leaves the stage, so its last frames
    // are vouched for while the relay still forwards its messages.
    [[nodiscard]] std::optional<bytes> flush();
    [[nodiscard]] std::optional<time_point> next_deadline() const;

private:
    [[nodiscard]] bytes close_batch();

    const identity& self_;
    sender_index self_index_;
    speaker_signer_config config_;
    std::uint64_t kid_ = 0;
    std::uint64_t first_counter_ = 0;
    std::vector<frame_hash> hashes_;
    time_point batch_started_{};
};

enum class frame_verdict : std::uint8_t {
    forged = 1,      // a validly signed list names a different hash for this frame
    unverified = 2,  // no valid signature covered this frame before the deadline
};

struct speaker_event {
    frame_verdict verdict = frame_verdict::unverified;
    sender_index sender{};
    std::uint64_t kid = 0;
    std::uint64_t counter = 0;
};

class signature_cache;

struct speaker_verifier_config {
    room_id room{};
    // A frame not vouched for within this time is reported unverified: K * 20 ms + transit + slack.
    duration deadline = std::chrono::seconds(1);
    std::size_t max_pending_frames = 8192;  // frames awaiting a signature, all senders together
    std::size_t max_signed_hashes = 8192;   // signed hashes awaiting their (late or lost) frame
    // Verdicts shared with other verifiers of the same batches in this process (stoa-load's
    // listeners); not owned, must outlive the verifier. Null: verify every batch here.
    signature_cache* shared_verdicts = nullptr;
};

struct signature_outcome {
    std::size_t verified = 0;            // frames this signature vouched for
    std::vector<speaker_event> forged;   // frames it proved forged
};

class speaker_verifier {
public:
    explicit speaker_verifier(speaker_verifier_config config);

    // The roster's key for each speaker (stage members).
    void set_speaker_key(sender_index sender, const public_key& key);
    void remove_speaker(sender_index sender);

    // Record a frame the frame_decryptor accepted. Returns an event at once if a signature for it
    // already arrived and disagrees. May also report the oldest pending frame when memory is full.
    [[nodiscard]] std::vector<speaker_event> on_frame_accepted(sender_index sender, std::uint64_t kid,
                                                               std::uint64_t counter, byte_view protected_frame,
                                                               time_point now);
    // A signature message, relayed with the sender index the relay stamped.
    [[nodiscard]] result<signature_outcome, e2ee_error> on_signature(sender_index relay_sender, byte_view message,
                                                                     time_point now);
    // Reports frames whose deadline passed without a signature.
    [[nodiscard]] std::vector<speaker_event> tick(time_point now);

    [[nodiscard]] std::size_t pending_frames() const noexcept { return pending_.size(); }
    [[nodiscard]] std::size_t signed_hashes() const noexcept { return signed_.size(); }

private:
    using frame_ref = std::tuple<std::uint32_t, std::uint64_t, std::uint64_t>;  // sender, kid, counter
    struct pending_frame {
        frame_hash hash;
        time_point deadline;
    };
    struct signed_hash {
        frame_hash hash;
        time_point expires;
    };
    void evict_oldest_pending(std::vector<speaker_event>& events);

    speaker_verifier_config config_;
    std::unordered_map<std::uint32_t, public_key> keys_;
    std::map<frame_ref, pending_frame> pending_;
    // In arrival order; refs a signature resolved are dropped from the front as soon as they reach
    // it, so a listener holds about one batch of entries, not a deadline's worth.
    vector_queue<std::pair<time_point, frame_ref>> pending_order_;
    std::map<frame_ref, signed_hash> signed_;
    vector_queue<std::pair<time_point, frame_ref>> signed_order_;
};

}  // namespace stoa::e2ee
