// Rooms survive a relay restart (issue 13), end to end: a tone bot hosting a room and a listening
// bot, stoa-server killed with SIGKILL and started again on the same port. The host re-creates
// its room under the same id, the listener rejoins it and decodes the tone again.
#include <catch2/catch.hpp>

#include <string>

#include "bot_process.hpp"
#include "listener_reports.hpp"
#include "relay_cluster.hpp"

using namespace std::chrono_literals;
using json = nlohmann::json;
using stoa::test::bot_process;
using stoa::test::is_report;
using stoa::test::relay_process;

namespace {

const std::string bot_lifetime = "90";


// A report of a second that was all tone: the listener decodes 440 Hz at a healthy level.
bool hears_tone(const json& line) {
    return is_report(line) && line.value("in_room", false) && std::abs(line.value("frequency_hz", 0.0) - 440.0) < 10.0 &&
           line.value("level_dbfs", -120.0) > -30.0;
}

bool event_in_room(const json& line, const std::string& name, const std::string& room) {
    return line.value("event", "") == name && line.value("room", "") == room;
}

}  // namespace

TEST_CASE("after kill -9 and a restart, the host keeps its room id and the listener hears the tone again",
          "[bot][server][restart]") {
    relay_process relay({});
    bot_process host({"--server", relay.ws_url(), "--tone", "440", "--title", "Survives restarts", "--print-room",
                      "--duration", bot_lifetime});
    const auto created = host.await_event("room_created", 15s);
    REQUIRE(created.has_value());
    const std::string room = (*created)["room"].get<std::string>();
    bot_process listener({"--server", relay.ws_url(), "--join", room, "--listen", "--duration", bot_lifetime});
    INFO(listener.describe());
    REQUIRE(listener.await(hears_tone, 20s).has_value());

    relay.kill();
    // Both notice the loss; neither may go on reporting itself in the room.
    REQUIRE(host.await([&](const json& l) { return event_in_room(l, "connection_lost", room); }, 15s).has_value());
    REQUIRE(listener.await([&](const json& l) { return event_in_room(l, "connection_lost", room); }, 15s).has_value());
    relay.start();  // the same port: every link and every bot's --server still points here
    const auto restarted = std::chrono::steady_clock::now();

    const auto host_back = host.await([&](const json& l) { return event_in_room(l, "rejoined", room); }, 20s);
    INFO(host.describe());
    REQUIRE(host_back.has_value());
    CHECK((*host_back)["recreated"] == true);
    const auto listener_back =
        listener.await([&](const json& l) { return event_in_room(l, "rejoined", room); }, 20s);
    REQUIRE(listener_back.has_value());
    // Two reports: the first may still hold part of the silent second before the rejoin.
    REQUIRE(listener.await(hears_tone, 20s).has_value());
    const auto heard_after = std::chrono::steady_clock::now() - restarted;
    // Issue 13 asks for the tone back within 5 s of the restart; the measure is reported, and the
    // bound here is loose, as timings belong in benchmarks (a loaded CI machine is slow).
    WARN("tone decoded again "
         << std::chrono::duration_cast<std::chrono::milliseconds>(heard_after).count()
         << " ms after the relay restarted (a report covers the last second)");
    CHECK(heard_after < 15s);
}

TEST_CASE("stoa-bot takes several --server URLs and moves to the next when one is down", "[bot][server][restart]") {
    relay_process relay({});
    relay_process spare({});
    spare.kill();  // listed first, and down: the bot must reach the live one
    bot_process host({"--server", spare.ws_url(), "--server", relay.ws_url(), "--tone", "440", "--print-room",
                      "--duration", bot_lifetime});
    INFO(host.describe());
    REQUIRE(host.await_event("room_created", 20s).has_value());
    REQUIRE(host.await_event("joined", 15s).has_value());
}

TEST_CASE("stoa-bot refuses a --server that is not ws://HOST:PORT", "[bot]") {
    bot_process bad({"--server", "http://127.0.0.1:1"});
    const auto status = bad.wait_exit(10s);
    REQUIRE(status.has_value());
    CHECK(WIFEXITED(*status));
    CHECK(WEXITSTATUS(*status) == 2);
}
