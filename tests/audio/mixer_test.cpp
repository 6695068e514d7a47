#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <limits>

#include "stoa/audio/mixer.hpp"
#include "stoa/audio/tone.hpp"

using namespace stoa::audio;

namespace {
pcm_frame constant(std::int16_t value) {
    pcm_frame f{};
    f.fill(value);
    return f;
}
}  // namespace

TEST_CASE("mixing nothing, or silence, gives silence", "[audio][mixer]") {
    mixer m;
    pcm_frame out = constant(7);
    m.clear();
    m.output(out);
    CHECK(std::all_of(out.begin(), out.end(), [](std::int16_t s) { return s == 0; }));
    CHECK(m.sources() == 0);
    const pcm_frame silence{};
    m.add(silence);
    m.add(silence);
    m.output(out);
    CHECK(std::all_of(out.begin(), out.end(), [](std::int16_t s) { return s == 0; }));
    CHECK(m.sources() == 2);
}

TEST_CASE("one source below the knee passes through unchanged", "[audio][mixer]") {
    sine_generator tone(300.0, 0.7);
    pcm_frame in{};
    tone.fill(in);
    mixer m;
    m.clear();
    m.add(in);
    pcm_frame out{};
    m.output(out);
    CHECK(out == in);
}

TEST_CASE("sums saturate smoothly instead of wrapping", "[audio][mixer]") {
    struct row {
        const char* name;
        std::int16_t value;
        int sources;
    };
    const std::vector<row> rows = {
        {"two full-scale positive", 32767, 2},
        {"ten full-scale negative", -32768, 10},
        {"three at 60%", 19660, 3},
    };
    for (const auto& r : rows) {
        SECTION(r.name) {
            mixer m;
            m.clear();
            const pcm_frame in = constant(r.value);
            for (int i = 0; i < r.sources; ++i) m.add(in);
            pcm_frame out{};
            m.output(out);
            // Same sign as the inputs, beyond the knee, never wrapped.
            const int y = out[0];
            CHECK((y > 0) == (r.value > 0));
            CHECK(std::abs(y) > static_cast<int>(mixer::knee * 32768.0F));
            CHECK(std::abs(y) <= 32768);
        }
    }
    SECTION("louder in, louder out (monotonic until it reaches full scale)") {
        int previous = 0;
        for (int n = 1; n <= 10; ++n) {
            mixer m;
            m.clear();
            const pcm_frame in = constant(16000);
            for (int i = 0; i < n; ++i) m.add(in);
            pcm_frame out{};
            m.output(out);
            if (previous < 32767)
                CHECK(out[0] > previous);
            else
                CHECK(out[0] == 32767);
            previous = out[0];
        }
    }
}

TEST_CASE("soft clip is continuous at the knee and bounded", "[audio][mixer]") {
    CHECK(soft_clip(0.5F) == 0.5F);
    CHECK(soft_clip(mixer::knee) == Approx(mixer::knee));
    CHECK(soft_clip(mixer::knee + 1e-4F) == Approx(mixer::knee + 1e-4F).epsilon(1e-4));
    CHECK(soft_clip(1.2F) < 1.0F);
    CHECK(soft_clip(100.0F) <= 1.0F);
    CHECK(soft_clip(-100.0F) >= -1.0F);
    CHECK(soft_clip(std::numeric_limits<float>::quiet_NaN()) == 0.0F);
}

TEST_CASE("per-source gain scales, and a bad gain silences that source only", "[audio][mixer]") {
    const pcm_frame a = constant(8000);
    const pcm_frame b = constant(4000);
    mixer m;
    pcm_frame out{};
    SECTION("half gain") {
        m.clear();
        m.add(a, 0.5F);
        m.output(out);
        CHECK(out[0] == 4000);
    }
    SECTION("two sources with gains") {
        m.clear();
        m.add(a, 0.25F);
        m.add(b, 2.0F);
        m.output(out);
        CHECK(out[0] == 10000);
    }
    SECTION("NaN and negative gains count as zero") {
        m.clear();
        m.add(a, std::numeric_limits<float>::quiet_NaN());
        m.add(a, -1.0F);
        m.add(b);
        m.output(out);
        CHECK(out[0] == 4000);
    }
}

TEST_CASE("a source missing this tick is simply not added", "[audio][mixer]") {
    const pcm_frame a = constant(1000);
    const pcm_frame b = constant(2000);
    mixer m;
    pcm_frame out{};
    m.clear();
    m.add(a);
    m.add(b);
    m.output(out);
    CHECK(out[0] == 3000);
    m.clear();  // next tick: b has nothing
    m.add(a);
    m.output(out);
    CHECK(out[0] == 1000);
}

TEST_CASE("float mixing stays within full scale", "[audio][mixer]") {
    std::array<float, frame_samples> loud{};
    loud.fill(0.9F);
    std::array<float, frame_samples> odd{};
    odd.fill(std::numeric_limits<float>::infinity());
    mixer m;
    m.clear();
    m.add(loud);
    m.add(loud);
    m.add(odd);
    std::array<float, frame_samples> out{};
    m.output(out);
    CHECK(out[0] <= 1.0F);
    CHECK(out[0] > mixer::knee);
}
