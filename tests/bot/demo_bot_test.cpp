// The demo room end to end: stoa-bot (a separate process, the README main command's speaker)
// talks into a room on a live stoa-server, and a native listener joining by the room id decrypts
// and plays its speech.
#include <catch2/catch.hpp>

#include <string>

#include "bot_process.hpp"
#include "server_fixture.hpp"
#include "stoa/audio/level_meter.hpp"

using namespace std::chrono_literals;
using stoa::client::client_session;

TEST_CASE("a listener hears the demo bot's speech through the relay", "[bot][server]") {
    stoa::test::server_fixture f;
    // Without --json the bot speaks to people: its stdout says which room it is in.
    stoa::test::bot_process bot({"--port", std::to_string(f.port()), "--pcm", STOA_SPEECH_PCM, "--title", "Bot test"});
    std::optional<std::string> room_hex;
    while (auto line = bot.next_line(20s)) {
        const auto at = line->find("in room ");
        if (at != std::string::npos) {
            room_hex = line->substr(at + 8, 32);
            break;
        }
    }
    REQUIRE(room_hex.has_value());
    const auto raw = stoa::from_hex(*room_hex);
    REQUIRE(raw.has_value());
    std::copy(raw->begin(), raw->end(), f.room.value.begin());

    stoa::test::net_client& listener = f.join("Listener", false);
    REQUIRE(listener.await([](client_session& s) { return s.in_room(); }));
    // The bot speaks in real time (50 frames a second); 75 frames is a second and a half of speech.
    REQUIRE(listener.await([](client_session& s) { return s.stats().frames_received >= 75; }));
    const auto stats = listener.with([](client_session& s) { return s.stats(); });
    CHECK(stats.decrypt_failures == 0);
    CHECK(stats.forged_frames == 0);
    CHECK(stats.bad_payloads == 0);
    // The bot's display name is readable by members.
    const auto stage = listener.with([](client_session& s) { return s.stage(); });
    REQUIRE(stage.size() == 1);
    REQUIRE(stage[0].profile.has_value());
    CHECK(stage[0].profile->display_name == "Stoa bot");

    // Play out what arrived: it is speech, well above silence.
    float loudest = stoa::audio::silence_floor_dbfs;
    for (int i = 0; i < 60; ++i) {
        stoa::audio::pcm_frame out{};
        listener.with([&](client_session& s) { s.pull_audio(f.clock.now(), out); });
        loudest = std::max(loudest, stoa::audio::rms_dbfs(out));
        f.clock.advance(20ms);
    }
    CHECK(loudest > -30.0F);
}
