// TOC parsing and packet validation on top of libopus's packet inspection functions.
#include "stoa/audio/opus_packet.hpp"

#include <opus.h>

#include "stoa/audio/format.hpp"

namespace stoa::audio {

toc_info parse_toc(std::uint8_t toc) noexcept {
    const unsigned config = toc >> 3;
    toc_info info;
    info.stereo = (toc & 0x04U) != 0;
    info.frame_count_code = static_cast<std::uint8_t>(toc & 0x03U);
    // RFC 6716 table 2: configs 0-11 SILK (NB, MB, WB; 10/20/40/60 ms), 12-15 hybrid
    // (SWB, FB; 10/20 ms), 16-31 CELT (NB, WB, SWB, FB; 2.5/5/10/20 ms).
    static constexpr std::uint32_t silk_samples[4] = {480, 960, 1920, 2880};
    static constexpr std::uint32_t hybrid_samples[2] = {480, 960};
    static constexpr std::uint32_t celt_samples[4] = {120, 240, 480, 960};
    if (config < 12) {
        info.mode = opus_mode::silk;
        info.bandwidth = static_cast<opus_bandwidth>(config / 4);
        info.samples_per_frame = silk_samples[config % 4];
    } else if (config < 16) {
        info.mode = opus_mode::hybrid;
        info.bandwidth = config < 14 ? opus_bandwidth::superwideband : opus_bandwidth::fullband;
        info.samples_per_frame = hybrid_samples[config % 2];
    } else {
        static constexpr opus_bandwidth celt_bandwidth[4] = {opus_bandwidth::narrowband, opus_bandwidth::wideband,
                                                             opus_bandwidth::superwideband, opus_bandwidth::fullband};
        info.mode = opus_mode::celt;
        info.bandwidth = celt_bandwidth[(config - 16) / 4];
        info.samples_per_frame = celt_samples[config % 4];
    }
    return info;
}

result<packet_info, audio_error> inspect_packet(byte_view packet) noexcept {
    if (packet.empty()) return fail(audio_error::empty_packet);
    if (packet.size() > max_packet_bytes) return fail(audio_error::packet_too_large);
    const auto length = static_cast<opus_int32>(packet.size());
    const int frames = opus_packet_get_nb_frames(packet.data(), length);
    if (frames < 0) return fail(from_opus_error(frames));
    if (frames == 0) return fail(audio_error::invalid_packet);  // code 3 with a zero count
    const int samples = opus_packet_get_nb_samples(packet.data(), length, sample_rate_hz);
    if (samples < 0) return fail(from_opus_error(samples));
    packet_info info;
    info.toc = parse_toc(packet[0]);
    info.frame_count = static_cast<std::uint32_t>(frames);
    info.total_samples = static_cast<std::uint32_t>(samples);
    return info;
}

}  // namespace stoa::audio
