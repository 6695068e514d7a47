// Loss, lateness and audible gaps from sequence numbers and send times, against hand-counted cases.
#include <catch2/catch.hpp>

#include "stoa/loadgen/driver/stream_tracker.hpp"

using stoa::from_micros;
using stoa::loadgen::frame_length;
using stoa::loadgen::stream_tracker;
using namespace std::chrono_literals;

namespace {

stoa::time_point slot(std::int64_t k) { return from_micros(1'000'000) + frame_length * k; }

struct totals {
    std::uint64_t expected = 0;
    std::uint64_t lost = 0;
    std::uint64_t too_late = 0;
    std::uint64_t duplicates = 0;
};

totals feed(stream_tracker& tracker, std::uint32_t sender, const std::vector<std::uint32_t>& seqs) {
    totals t;
    for (const auto seq : seqs) {
        const auto outcome = tracker.on_frame(sender, seq, slot(seq));
        t.expected += (outcome.counted ? 1 : 0) + outcome.lost;
        t.lost += outcome.lost;
        t.too_late += outcome.too_late ? 1 : 0;
        t.duplicates += outcome.duplicate ? 1 : 0;
    }
    return t;
}

}  // namespace

TEST_CASE("frames in order lose nothing, and a flush finds nothing missing", "[loadgen][driver]") {
    stream_tracker tracker;
    std::vector<std::uint32_t> seqs;
    for (std::uint32_t s = 10; s < 500; ++s) seqs.push_back(s);
    const totals t = feed(tracker, 3, seqs);
    CHECK(t.expected == 490);
    CHECK(t.lost == 0);
    CHECK(tracker.flush() == 0);
}

TEST_CASE("a missing frame counts lost once it leaves the window, not before", "[loadgen][driver]") {
    stream_tracker tracker;
    std::vector<std::uint32_t> seqs;
    for (std::uint32_t s = 0; s < 200; ++s) {
        if (s != 50 && s != 51) seqs.push_back(s);
    }
    // Up to 50 + 63 the gap is still inside the window.
    std::vector<std::uint32_t> first(seqs.begin(), seqs.begin() + 110);  // 0..111 without 50, 51
    totals t = feed(tracker, 1, first);
    CHECK(t.lost == 0);
    const totals rest = feed(tracker, 1, std::vector<std::uint32_t>(seqs.begin() + 110, seqs.end()));
    CHECK(rest.lost == 2);
    CHECK(t.expected + rest.expected == 200);
}

TEST_CASE("a frame reordered inside the window is received, one beyond it is too late", "[loadgen][driver]") {
    stream_tracker tracker;
    std::vector<std::uint32_t> seqs;
    for (std::uint32_t s = 0; s < 100; ++s) seqs.push_back(s);
    std::swap(seqs[40], seqs[45]);  // 45 arrives before 40..44
    totals t = feed(tracker, 1, seqs);
    CHECK(t.lost == 0);
    CHECK(t.expected == 100);

    stream_tracker late;
    std::vector<std::uint32_t> gap;
    for (std::uint32_t s = 0; s < 150; ++s) {
        if (s != 20) gap.push_back(s);
    }
    gap.push_back(20);  // 130 frames later: counted lost long ago
    const totals u = feed(late, 1, gap);
    CHECK(u.lost == 1);
    CHECK(u.too_late == 1);
    CHECK(u.expected == 150);
}

TEST_CASE("duplicates are ignored and a long jump is a restart, not loss", "[loadgen][driver]") {
    stream_tracker tracker;
    const totals t = feed(tracker, 1, {0, 1, 2, 2, 1, 3});
    CHECK(t.duplicates == 2);
    CHECK(t.expected == 4);
    const totals restart = feed(tracker, 1, {3 + stream_tracker::restart_after + 1, 3 + stream_tracker::restart_after + 2});
    CHECK(restart.lost == 0);
}

TEST_CASE("a jump longer than the window counts every skipped frame", "[loadgen][driver]") {
    stream_tracker tracker;
    const totals t = feed(tracker, 1, {0, 1, 2, 300});
    // 3..236 fell beyond the window at once; 237..299 are inside it until judged by a flush.
    CHECK(t.lost == 234);
    const std::uint32_t rest = tracker.flush();
    CHECK(rest == 63);
    CHECK(t.expected + rest == 301);
}

TEST_CASE("flush counts what is still missing inside the window", "[loadgen][driver]") {
    stream_tracker tracker;
    (void)feed(tracker, 1, {0, 1, 4, 5});
    (void)feed(tracker, 2, {7, 9});
    CHECK(tracker.flush() == 3);
    CHECK(tracker.flush() == 0);
}

TEST_CASE("senders are tracked apart", "[loadgen][driver]") {
    stream_tracker tracker;
    const totals t = feed(tracker, 1, {0, 1, 2});
    const totals u = feed(tracker, 2, {100, 101, 103});
    CHECK(t.lost + u.lost == 0);
    CHECK(tracker.flush() == 1);
}

TEST_CASE("playout gaps: none in a talkspurt or across a pause, the silence of a lost frame or a stall",
          "[loadgen][driver]") {
    stream_tracker tracker;
    tracker.keep_send_times(true);
    // Frames 0..9 sent every 20 ms, then a 1 s pause, then 10..19.
    for (std::uint32_t s = 0; s < 20; ++s) {
        const auto sent = slot(s) + (s >= 10 ? 1s : 0s);
        (void)tracker.on_frame(1, s, sent);
    }
    const auto play = [&](std::uint32_t seq, stoa::time_point at) { return tracker.on_playout(1, seq, true, at); };
    const auto delay = 60ms;  // the listener's buffer
    for (std::uint32_t s = 0; s < 5; ++s) CHECK_FALSE(play(s, slot(s) + delay).has_value());
    // 5 lost and concealed: 6 plays one slot later than 4 + 1.
    const auto lost_gap = play(6, slot(6) + delay);
    REQUIRE(lost_gap.has_value());
    CHECK(*lost_gap == 20ms);
    CHECK_FALSE(play(7, slot(7) + delay).has_value());
    // A stall of 100 ms extra before 8.
    const auto stall = play(8, slot(8) + delay + 100ms);
    REQUIRE(stall.has_value());
    CHECK(*stall == 100ms);
    CHECK_FALSE(play(9, slot(9) + delay + 100ms).has_value());
    // The speaker's own pause is not a gap.
    CHECK_FALSE(play(10, slot(10) + 1s + delay + 100ms).has_value());
    // Ticks without real audio (concealment, silence) report nothing themselves.
    CHECK_FALSE(tracker.on_playout(1, 11, false, slot(11) + 1s + delay + 100ms).has_value());
}
