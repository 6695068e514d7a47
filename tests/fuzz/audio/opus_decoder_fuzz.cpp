// Arbitrary bytes as Opus packets: the whole input as one packet, then the input read as a
// run of length-prefixed packets fed to one decoder with decode / FEC / conceal chosen by
// the length byte. Nothing may crash, and nothing may be written past one frame.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "stoa/audio/format.hpp"
#include "stoa/audio/opus_decoder.hpp"
#include "stoa/audio/opus_packet.hpp"

using namespace stoa::audio;

namespace {

constexpr std::int16_t canary = 0x7a7a;

void check_canaries(const std::vector<std::int16_t>& out) {
    for (std::size_t i = frame_samples; i < out.size(); ++i)
        if (out[i] != canary) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    auto decoder = opus_decoder::create();
    if (!decoder) return 0;
    std::vector<std::int16_t> out(frame_samples + 32, canary);
    const auto frame = std::span(out).first(frame_samples);
    const stoa::byte_view input(data, size);

    (void)inspect_packet(input);
    if (size > 0) (void)parse_toc(data[0]);
    auto whole = decoder->decode(input, frame);
    if (whole && *whole != frame_samples) std::abort();
    check_canaries(out);
    (void)decoder->decode_fec(input, frame);
    check_canaries(out);

    decoder->reset();
    std::size_t offset = 0;
    while (offset < size) {
        const std::uint8_t header = data[offset++];
        const std::size_t length = std::min<std::size_t>(header & 0x3fU, size - offset);
        const auto packet = input.subspan(offset, length);
        offset += length;
        switch (header >> 6) {
            case 0:
            case 1:
                (void)decoder->decode(packet, frame);
                break;
            case 2:
                (void)decoder->decode_fec(packet, frame);
                break;
            default:
                (void)decoder->conceal(frame);
                break;
        }
        check_canaries(out);
    }
    return 0;
}
