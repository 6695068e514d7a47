// The demo room end to end: stoa-bot (a separate process, the README main command's speaker)
// talks into a room on a live stoa-server, and a native listener joining by the room id decrypts
// and plays its speech.
#include <catch2/catch.hpp>

#include <csignal>
#include <cstdio>
#include <string>

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include "server_fixture.hpp"
#include "stoa/audio/level_meter.hpp"

extern char** environ;

using namespace std::chrono_literals;
using stoa::client::client_session;

namespace {

// The bot as a child process whose stdout we read line by line (each line is an event of its own).
class bot_process {
public:
    explicit bot_process(std::uint16_t port) {
        int out[2];
        REQUIRE(::pipe(out) == 0);
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
        posix_spawn_file_actions_addclose(&actions, out[0]);
        const std::string port_text = std::to_string(port);
        std::vector<std::string> args{STOA_BOT_PATH, "--port", port_text, "--pcm", STOA_SPEECH_PCM, "--title", "Bot test"};
        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        REQUIRE(posix_spawn(&pid_, STOA_BOT_PATH, &actions, nullptr, argv.data(), environ) == 0);
        posix_spawn_file_actions_destroy(&actions);
        ::close(out[1]);
        stdout_ = ::fdopen(out[0], "r");
    }
    ~bot_process() {
        ::kill(pid_, SIGTERM);
        int status = 0;
        ::waitpid(pid_, &status, 0);
        if (stdout_ != nullptr) std::fclose(stdout_);
    }
    // Blocks until the bot prints a line (or exits).
    std::optional<std::string> next_line() {
        char line[512];
        if (std::fgets(line, sizeof line, stdout_) == nullptr) return std::nullopt;
        return std::string(line);
    }

private:
    pid_t pid_ = 0;
    FILE* stdout_ = nullptr;
};

}  // namespace

TEST_CASE("a listener hears the demo bot's speech through the relay", "[bot][server]") {
    stoa::test::server_fixture f;
    bot_process bot(f.port());
    std::optional<std::string> room_hex;
    while (auto line = bot.next_line()) {
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
