// Arbitrary push/pop sequences into a player (jitter buffer + decoder). Each operation is
// chosen by one byte; pushes take a sequence delta, an arrival time step and packet bytes
// from the input. Checks the buffer's bound and its bookkeeping after every step.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "stoa/audio/format.hpp"
#include "stoa/audio/player.hpp"
#include "stoa/common/bytes.hpp"

using namespace stoa::audio;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    auto receiver = player::create({.capacity_frames = 16, .max_underrun_conceal_frames = 3});
    if (!receiver) return 0;
    stoa::byte_reader in(stoa::byte_view(data, size));
    std::uint32_t seq = 0;
    std::int64_t now_us = 0;
    std::uint64_t pushes = 0;
    pcm_frame out{};
    while (!in.empty()) {
        const std::uint8_t op = *in.read_u8();
        switch (op & 0x03U) {
            case 0:
            case 1: {  // push: i16 seq delta, u8 ms step, u8 length (0..255), bytes
                const auto delta = in.read_u16();
                const auto step = in.read_u8();
                const auto length = in.read_u8();
                if (!delta || !step || !length) return 0;
                seq += static_cast<std::uint32_t>(static_cast<std::int16_t>(*delta));
                // A large op byte makes a huge jump (restart, long silence).
                if (op & 0x80U) seq += 0x40000000U;
                now_us += std::int64_t{*step} * 1'000;
                auto packet = in.read_bytes(*length);
                if (!packet) packet = in.rest();
                receiver->push(frame_seq(seq), *packet, stoa::from_micros(now_us));
                ++pushes;
                break;
            }
            case 2: {  // pop after (op >> 2) ms
                now_us += std::int64_t{op >> 2} * 1'000;
                (void)receiver->pull(stoa::from_micros(now_us), out);
                break;
            }
            default: {  // time passes: a burst of 20 ms ticks
                for (int i = 0; i < (op >> 4); ++i) {
                    now_us += 20'000;
                    (void)receiver->pull(stoa::from_micros(now_us), out);
                }
                break;
            }
        }
        const auto& buffer = receiver->buffer();
        const auto& s = buffer.stats();
        if (buffer.buffered_frames() > buffer.config().capacity_frames) std::abort();
        if (s.received + s.late + s.duplicates + s.rejected != pushes) std::abort();
        if (s.target_delay < buffer.config().min_delay || s.target_delay > buffer.config().max_delay) std::abort();
        // Counts taken back when a frame turns up late (lost, skipped) never go below zero.
        constexpr std::uint64_t wrapped = std::uint64_t{1} << 62;
        if (s.lost >= wrapped || s.skipped >= wrapped) std::abort();
    }
    return 0;
}
