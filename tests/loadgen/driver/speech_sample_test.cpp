// The speakers' sample: encoded once, speech-like (DTX in its breaths), and bad files named.
#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>

#include "stoa/audio/format.hpp"
#include "stoa/loadgen/driver/speech_sample.hpp"

using namespace stoa::loadgen;

TEST_CASE("the synthetic voice encodes to speech-sized packets with silent breaths left out", "[loadgen][driver]") {
    auto sample = encode_speech(synthesize_voice(5.0));
    REQUIRE(sample.ok());
    CHECK(sample->frame_count() == 250);
    // The voice pauses 0.4 s in every 2.5 s and between syllables: DTX leaves some frames out.
    CHECK(sample->packets.size() < sample->frame_count());
    CHECK(sample->packets.size() > sample->frame_count() / 2);
    std::size_t total = 0;
    for (const auto& packet : sample->packets) {
        CHECK(packet.size() > stoa::audio::max_dtx_packet_bytes);
        CHECK(packet.size() <= stoa::audio::max_packet_bytes);
        total += packet.size();
    }
    // 32 kbit/s is 80 bytes a frame; speech averages below and above it, never far.
    const double mean = static_cast<double>(total) / static_cast<double>(sample->packets.size());
    CHECK(mean > 20.0);
    CHECK(mean < 200.0);
}

TEST_CASE("a PCM file shorter than a frame, or missing, is a named error", "[loadgen][driver]") {
    const auto missing = read_pcm_file("/nonexistent/speech.pcm");
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().find("/nonexistent/speech.pcm") != std::string::npos);

    const std::string path = "stoa_short_speech.pcm";
    {
        std::ofstream out(path, std::ios::binary);
        out << std::string(100, '\0');
    }
    const auto short_file = read_pcm_file(path);
    std::remove(path.c_str());
    REQUIRE_FALSE(short_file.ok());
    CHECK(short_file.error().find("shorter than one 20 ms frame") != std::string::npos);
}

TEST_CASE("silence is mostly left out, and a sample without a whole frame is refused", "[loadgen][driver]") {
    // DTX starts after a few frames of silence; from then on nothing is sent.
    const auto silent = encode_speech(std::vector<std::int16_t>(100 * stoa::audio::frame_samples, 0));
    REQUIRE(silent.ok());
    CHECK(silent->packets.size() < 25);
    CHECK_FALSE(encode_speech(std::vector<std::int16_t>(stoa::audio::frame_samples - 1, 0)).ok());
}
