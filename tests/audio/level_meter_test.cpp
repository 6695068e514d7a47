#include <catch2/catch.hpp>

#include <stdexcept>

#include "stoa/audio/format.hpp"
#include "stoa/audio/level_meter.hpp"
#include "stoa/audio/tone.hpp"

using namespace stoa::audio;

namespace {
// A 20 ms frame of a 300 Hz tone at `dbfs` RMS (sine RMS = amplitude / sqrt 2).
pcm_frame tone_at(float dbfs) {
    const double amplitude = std::pow(10.0, dbfs / 20.0) * std::sqrt(2.0);
    sine_generator g(300.0, amplitude);
    pcm_frame f{};
    g.fill(f);
    return f;
}
}  // namespace

TEST_CASE("RMS and peak in dBFS", "[audio][level_meter]") {
    const pcm_frame silence{};
    CHECK(rms_dbfs(silence) == silence_floor_dbfs);
    CHECK(peak_dbfs(silence) == silence_floor_dbfs);
    sine_generator full(300.0, 1.0);
    pcm_frame loud{};
    full.fill(loud);
    CHECK(rms_dbfs(loud) == Approx(-3.01).margin(0.05));
    CHECK(peak_dbfs(loud) == Approx(0.0).margin(0.01));
    CHECK(rms_dbfs(tone_at(-30.0F)) == Approx(-30.0).margin(0.1));
}

TEST_CASE("speaking starts on a loud frame and survives short pauses", "[audio][level_meter]") {
    level_meter meter;  // on at -40, off below -48 for 300 ms
    const pcm_frame silence{};
    for (int i = 0; i < 10; ++i) CHECK_FALSE(meter.update(silence).speaking);
    // A 10 ms attack reaches a -20 dB talker within two frames.
    meter.update(tone_at(-20.0F));
    CHECK(meter.update(tone_at(-20.0F)).speaking);
    // A 200 ms gap between words: the indicator does not flicker off.
    for (int i = 0; i < 10; ++i) CHECK(meter.update(silence).speaking);
    meter.update(tone_at(-20.0F));
    // Real silence: off once the level is below -48 dB for the 300 ms hang time, not before.
    int frames_until_off = 0;
    while (meter.update(silence).speaking) ++frames_until_off;
    CHECK(frames_until_off >= 300 / 20);
    CHECK(frames_until_off <= 40);
}

TEST_CASE("a level inside the hysteresis band keeps whatever state the meter is in", "[audio][level_meter]") {
    level_meter meter;
    const pcm_frame in_band = tone_at(-44.0F);  // between off (-48) and on (-40)
    for (int i = 0; i < 100; ++i) CHECK_FALSE(meter.update(in_band).speaking);
    for (int i = 0; i < 5; ++i) meter.update(tone_at(-25.0F));
    REQUIRE(meter.speaking());
    for (int i = 0; i < 100; ++i) CHECK(meter.update(in_band).speaking);
}

TEST_CASE("a quiet background never triggers the indicator", "[audio][level_meter]") {
    level_meter meter;
    for (int i = 0; i < 200; ++i) CHECK_FALSE(meter.update(tone_at(-55.0F)).speaking);
    CHECK(meter.last().smoothed_dbfs == Approx(-55.0).margin(0.5));
}

TEST_CASE("the level rises fast and falls slowly", "[audio][level_meter]") {
    level_meter meter;
    const pcm_frame silence{};
    const auto up = meter.update(tone_at(-20.0F));
    CHECK(up.smoothed_dbfs > -35.0F);  // 20 ms against a 10 ms attack: most of the way from -100
    for (int i = 0; i < 20; ++i) meter.update(tone_at(-20.0F));
    const auto down = meter.update(silence);
    CHECK(down.rms_dbfs == silence_floor_dbfs);
    CHECK(down.smoothed_dbfs > -40.0F);  // 20 ms against a 250 ms release: a little way
}

TEST_CASE("level meter configuration is validated", "[audio][level_meter]") {
    CHECK_THROWS_AS(level_meter({.speaking_on_dbfs = -50.0F, .speaking_off_dbfs = -40.0F}), std::invalid_argument);
    CHECK_THROWS_AS(level_meter({}, 0), std::invalid_argument);
}
