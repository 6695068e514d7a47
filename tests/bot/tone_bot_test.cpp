// stoa-bot as the native peer of the end-to-end tests, through a live relay: a tone bot speaks,
// a listening bot reports the frequency and level it plays out, a bot invited to the stage
// accepts and is heard, a kicked bot leaves by itself, and the bot's exits are clean.
#include <catch2/catch.hpp>

#include <atomic>
#include <cmath>
#include <string>
#include <thread>

#include "bot_process.hpp"
#include "listener_reports.hpp"
#include "server_fixture.hpp"

using namespace std::chrono_literals;
using json = nlohmann::json;
using stoa::test::await_steady_report;
using stoa::test::bot_process;
using stoa::test::is_report;
using stoa::test::exited_cleanly;

namespace {

// Every bot a test starts also stops by itself after this, should the test die before it does.
const std::string bot_lifetime = "60";

stoa::member_id member_from_hex(const std::string& hex) {
    const auto raw = stoa::from_hex(hex);
    REQUIRE(raw.has_value());
    REQUIRE(raw->size() == stoa::member_id::size);
    stoa::member_id id;
    std::copy(raw->begin(), raw->end(), id.value.begin());
    return id;
}

// Drives an in-process member's timers (key batches, signatures) in real time, as the bots run.
class realtime_pump {
public:
    realtime_pump(stoa::test::server_fixture& f, stoa::test::net_client& member)
        : thread_([this, &f, &member] {
              auto next = std::chrono::steady_clock::now();
              while (running_) {
                  next += 20ms;
                  std::this_thread::sleep_until(next);  // a clock, not synchronisation
                  f.clock.advance(20ms);
                  member.tick();
              }
          }) {}
    ~realtime_pump() {
        running_ = false;
        thread_.join();
    }
    realtime_pump(const realtime_pump&) = delete;
    realtime_pump& operator=(const realtime_pump&) = delete;

private:
    std::atomic<bool> running_{true};
    std::thread thread_;
};

}  // namespace

TEST_CASE("a listening bot reports a tone bot's frequency and level", "[bot][server]") {
    stoa::test::server_fixture f;
    const std::string port = std::to_string(f.port());

    bot_process speaker(
        {"--port", port, "--tone", "523", "--print-room", "--title", "Tone room", "--duration", bot_lifetime});
    const auto created = speaker.await_event("room_created", 10s);
    REQUIRE(created.has_value());
    const std::string room = (*created)["room"].get<std::string>();
    CHECK(room.size() == 32);
    CHECK((*created)["invite"].is_null());  // an open room needs no invite
    const auto host_joined = speaker.await_event("joined", 10s);
    REQUIRE(host_joined.has_value());
    CHECK((*host_joined)["role"] == "host");
    CHECK((*host_joined)["room"] == room);

    bot_process listener({"--port", port, "--join", room, "--listen", "--name", "Ear", "--duration", bot_lifetime});
    const auto joined = listener.await_event("joined", 10s);
    REQUIRE(joined.has_value());
    CHECK((*joined)["role"] == "listener");
    REQUIRE(listener.await_event("keys_changed", 10s).has_value());

    const auto report = await_steady_report(listener);
    INFO(listener.describe());
    REQUIRE(report.has_value());
    CHECK(std::abs((*report)["frequency_hz"].get<double>() - 523.0) <= 5.0);
    // The tone is 0.3 of full scale, about -13.5 dBFS; Opus keeps it near that.
    CHECK((*report)["level_dbfs"].get<double>() > -40.0);
    CHECK((*report)["level_dbfs"].get<double>() < -6.0);
    CHECK((*report)["in_room"] == true);
    CHECK((*report)["role"] == "listener");
    CHECK((*report)["epoch"].is_number());
    CHECK((*report)["decrypt_failures"] == 0);
    CHECK((*report)["forged_frames"] == 0);
    CHECK((*report)["unverified_frames"] == 0);
    CHECK((*report)["frames_sent"] == 0);  // a listener says nothing

    // SIGTERM ends both cleanly.
    CHECK(exited_cleanly(listener.terminate(5s)));
    CHECK(exited_cleanly(speaker.terminate(5s)));
}

TEST_CASE("a bot invited to the stage accepts and is heard, and a kicked bot leaves", "[bot][server]") {
    stoa::test::server_fixture f;
    const std::string port = std::to_string(f.port());
    stoa::test::net_client& host = f.create_room(stoa::room::room_kind::open, "Stage room");
    const realtime_pump pump(f, host);
    const std::string room = stoa::to_hex(f.room.value);

    bot_process ear({"--port", port, "--join", room, "--listen", "--name", "Ear", "--duration", bot_lifetime});
    bot_process singer({"--port", port, "--join", room, "--accept-invite", "--tone", "660", "--name", "Singer",
                        "--json", "--duration", bot_lifetime});
    const auto ear_joined = ear.await_event("joined", 10s);
    const auto singer_joined = singer.await_event("joined", 10s);
    REQUIRE(ear_joined.has_value());
    REQUIRE(singer_joined.has_value());
    CHECK((*singer_joined)["role"] == "listener");
    REQUIRE(ear.await_event("keys_changed", 10s).has_value());

    // A listener with a voice stays silent until it is on stage.
    {
        INFO(ear.describe());
        const auto quiet = ear.await([](const json& l) { return is_report(l) && l["in_room"] == true; }, 5s);
        REQUIRE(quiet.has_value());
        CHECK((*quiet)["frames_decrypted"] == 0);
    }

    host.with([&](stoa::client::client_session& s) {
        s.act(stoa::room::action::invite_to_stage{member_from_hex((*singer_joined)["id"].get<std::string>())});
    });
    const auto accepted = singer.await([](const json& l) { return l.value("event", "") == "role_changed"; }, 10s);
    INFO(singer.describe());
    REQUIRE(accepted.has_value());
    CHECK((*accepted)["role"] == "speaker");

    {
        const auto report = await_steady_report(ear);
        INFO(ear.describe());
        REQUIRE(report.has_value());
        CHECK(std::abs((*report)["frequency_hz"].get<double>() - 660.0) <= 5.0);
        CHECK((*report)["level_dbfs"].get<double>() > -40.0);
    }

    host.with([&](stoa::client::client_session& s) {
        s.act(stoa::room::action::kick{member_from_hex((*ear_joined)["id"].get<std::string>())});
    });
    const auto removed = ear.await_event("removed", 10s);
    INFO(ear.describe());
    REQUIRE(removed.has_value());
    CHECK((*removed)["reason"] == "kicked");
    // A member put out of someone else's room does not rejoin: it exits by itself.
    const auto status = ear.wait_exit(10s);
    REQUIRE(status.has_value());
    CHECK(exited_cleanly(*status));
}

TEST_CASE("stoa-bot ends by itself after --duration, and fails on a room that does not exist", "[bot][server]") {
    stoa::test::server_fixture f;
    const std::string port = std::to_string(f.port());

    SECTION("--duration") {
        bot_process bot({"--port", port, "--tone", "440", "--print-room", "--duration", "1.5"});
        REQUIRE(bot.await_event("room_created", 10s).has_value());
        const auto status = bot.wait_exit(10s);
        REQUIRE(status.has_value());
        CHECK(exited_cleanly(*status));
    }
    SECTION("--join of an unknown room") {
        bot_process bot({"--port", port, "--join", std::string(32, 'a'), "--listen", "--duration", bot_lifetime});
        const auto error = bot.await_event("error", 10s);
        REQUIRE(error.has_value());
        CHECK((*error)["name"] == "room_not_found");
        const auto status = bot.wait_exit(10s);
        REQUIRE(status.has_value());
        CHECK(WIFEXITED(*status));
        CHECK(WEXITSTATUS(*status) == 1);
    }
}
