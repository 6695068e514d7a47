// Fuzzes speaker signature message parsing and verification, interleaved with accepted frames.
// Input: byte 0 = relay-stamped sender index; the rest is the signature message.
#include <cstddef>
#include <cstdint>

#include "fuzz_support.hpp"
#include "stoa/e2ee/speaker_auth.hpp"

using namespace stoa;
using namespace stoa::e2ee;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    const byte_view message(data + 1, size - 1);
    auto parsed = parse_speaker_message(message);
    if (parsed && encode_speaker_message(*parsed) != bytes(message.begin(), message.end())) __builtin_trap();

    speaker_verifier verifier(speaker_verifier_config{fuzz::fuzz_room(), std::chrono::seconds(1), 64, 64});
    verifier.set_speaker_key(sender_index(2), fuzz::fuzz_identity(2).key());
    for (std::uint64_t c = 0; c < 4; ++c) {
        (void)verifier.on_frame_accepted(sender_index(2), 0x1000002, c, message.first(std::min<std::size_t>(c, message.size())),
                                         from_micros(0));
    }
    auto outcome = verifier.on_signature(sender_index(data[0]), message, from_micros(1));
    if (outcome && verifier.pending_frames() > 64) __builtin_trap();
    (void)verifier.tick(from_micros(10'000'000));
    if (verifier.pending_frames() != 0 || verifier.signed_hashes() != 0) __builtin_trap();
    return 0;
}
