#include <catch2/catch.hpp>

#include <vector>

#include "stoa/audio/format.hpp"
#include "stoa/audio/tone.hpp"

using namespace stoa::audio;

namespace {
std::vector<std::int16_t> make_tone(double hz, double amplitude, std::size_t samples) {
    std::vector<std::int16_t> out(samples);
    sine_generator g(hz, amplitude);
    g.fill(out);
    return out;
}
}  // namespace

TEST_CASE("the detector finds the generator's frequency", "[audio][tone]") {
    for (double hz : {200.0, 440.0, 997.0, 3000.0}) {
        CAPTURE(hz);
        const auto pcm = make_tone(hz, 0.5, frame_samples * 5);
        CHECK(dominant_frequency(pcm) == Approx(hz).margin(2.0));
    }
}

TEST_CASE("tone power reads A^2/2 at the tone and little elsewhere", "[audio][tone]") {
    const auto pcm = make_tone(440.0, 0.5, frame_samples * 5);
    CHECK(tone_power(pcm, 440.0) == Approx(0.125).epsilon(0.02));
    CHECK(tone_ratio(pcm, 440.0) > 0.98);
    CHECK(tone_ratio(pcm, 1000.0) < 0.01);
    CHECK(tone_ratio(pcm, 460.0) < 0.05);
}

TEST_CASE("the stronger of two tones dominates", "[audio][tone]") {
    auto a = make_tone(440.0, 0.4, frame_samples * 5);
    const auto b = make_tone(1200.0, 0.1, frame_samples * 5);
    for (std::size_t i = 0; i < a.size(); ++i) a[i] = static_cast<std::int16_t>(a[i] + b[i]);
    CHECK(dominant_frequency(a) == Approx(440.0).margin(2.0));
    CHECK(tone_ratio(a, 440.0) == Approx(0.94).margin(0.03));  // 0.16 / (0.16 + 0.01)
    CHECK(tone_ratio(a, 1200.0) == Approx(0.06).margin(0.03));
}

TEST_CASE("silence and empty input have no tone", "[audio][tone]") {
    const std::vector<std::int16_t> silence(frame_samples, 0);
    CHECK(dominant_frequency(silence) == 0.0);
    CHECK(tone_ratio(silence, 440.0) == 0.0);
    CHECK(tone_power(std::span<const std::int16_t>{}, 440.0) == 0.0);
}

TEST_CASE("the generator is phase continuous across frames", "[audio][tone]") {
    sine_generator framed(440.0, 0.5);
    std::vector<std::int16_t> pieces(frame_samples * 3);
    for (int f = 0; f < 3; ++f)
        framed.fill(std::span(pieces).subspan(static_cast<std::size_t>(f) * frame_samples, frame_samples));
    const auto whole = make_tone(440.0, 0.5, frame_samples * 3);
    CHECK(pieces == whole);
}
