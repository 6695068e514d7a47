#include <catch2/catch.hpp>

#include <map>
#include <string>
#include <vector>

#include "stoa/loadgen/scenario/command_line.hpp"
#include "stoa/loadgen/scenario/scenario_file.hpp"

using namespace stoa;
using namespace stoa::loadgen;
using namespace std::chrono_literals;

namespace {

// Files the parse may read, by path: no disk involved.
const std::map<std::string, std::string> files = {
    {"storm.toml",
     "name = \"storm\"\nthresholds = [\"join.p99<2s\"]\n[server]\nurl = \"ws://10.0.0.1:9000\"\n[members]\nlisteners = "
     "2000\n"
     "[[phases]]\nkind = \"join_storm\"\nwithin = \"10s\"\n[[phases]]\nkind = \"steady\"\nduration = \"20s\"\n"},
    {"bad.json", "{\"server\": {\"url\": \"ws://h\"},\n \"duration\": 5}"},
};

result<load_options, scenario_error> parse(std::vector<std::string_view> args) {
    return parse_command_line(args, [](const std::string& path) -> result<std::string, std::string> {
        const auto it = files.find(path);
        if (it == files.end()) return fail(std::string("cannot open the file"));
        return it->second;
    });
}

std::string error_of(std::vector<std::string_view> args) {
    auto parsed = parse(std::move(args));
    return parsed.ok() ? "(parsed)" : parsed.error().to_string();
}

}  // namespace

TEST_CASE("the issue's example: a steady room from flags alone", "[command_line]") {
    auto parsed = parse({"--server", "ws://127.0.0.1:8080", "--rooms", "1", "--speakers", "3", "--listeners", "5000",
                         "--duration", "60s", "--report", "out.json"});
    if (!parsed.ok()) FAIL(parsed.error().to_string());
    const load_options& o = *parsed;
    CHECK(o.plan.server.url == server_url{url_scheme::ws, "127.0.0.1", 8080, "/ws", false});
    CHECK(o.plan.rooms.count == 1);
    CHECK(o.plan.members.speakers_per_room == 3);
    CHECK(o.plan.members.listeners == 5000);
    CHECK(o.plan.length == 60s);
    CHECK(o.plan.phases == std::vector<phase>{ramp_phase{10s, 5000}, steady_phase{50s}});
    CHECK(o.report_path == "out.json");
    CHECK(o.html_path.empty());
    CHECK(o.part == shard{1, 1});
    CHECK_FALSE(o.help);
}

TEST_CASE("every scenario flag sets the key it stands for", "[command_line]") {
    auto parsed = parse({"--server=wss://rooms.example",
                         "--origin",
                         "https://rooms.example",
                         "--rooms",
                         "50",
                         "--closed",
                         "--zipf",
                         "1.1",
                         "--speakers",
                         "2",
                         "--listeners",
                         "20000",
                         "--decrypt",
                         "50%",
                         "--decode",
                         "0.02",
                         "--live-encode",
                         "25%",
                         "--talk",
                         "continuous",
                         "--talkspurt",
                         "2s",
                         "--pause",
                         "3s",
                         "--reconnect-min",
                         "100ms",
                         "--reconnect-max",
                         "4s",
                         "--reconnect-multiplier",
                         "3",
                         "--reconnect-jitter",
                         "20%",
                         "--duration",
                         "2m",
                         "--ramp",
                         "30s",
                         "--seed",
                         "99",
                         "--name",
                         "big",
                         "--assert",
                         "join.p99<1s",
                         "--assert",
                         "frames.loss<0.1%",
                         "--shard",
                         "2/3",
                         "--html",
                         "r.html"});
    if (!parsed.ok()) FAIL(parsed.error().to_string());
    const scenario& s = parsed->plan;
    CHECK(s.server.url.scheme == url_scheme::wss);
    CHECK(s.server.origin == "https://rooms.example");
    CHECK(s.rooms == room_plan{50, room_access::closed, 1.1});
    CHECK(s.members.speakers_per_room == 2);
    CHECK(s.members.listeners == 20000);
    CHECK(s.members.decrypt == share{0.5});
    CHECK(s.members.decode == share{0.02});
    CHECK(s.members.live_encode == share{0.25});
    CHECK(s.talk == talk_model{talk_pattern::continuous, 2s, 3s});
    CHECK(s.reconnect == reconnect_backoff{100ms, 4s, 3.0, share{0.2}});
    CHECK(s.length == 2min);
    CHECK(s.phases == std::vector<phase>{ramp_phase{30s, 20000}, steady_phase{90s}});
    CHECK(s.seed == 99);
    CHECK(s.name == "big");
    REQUIRE(s.thresholds.size() == 2);
    CHECK(s.thresholds[1].text == "frames.loss<0.1%");
    CHECK(parsed->part == shard{2, 3});
    CHECK(parsed->html_path == "r.html");
}

TEST_CASE("phases from flags", "[command_line]") {
    auto parsed = parse({"--server", "ws://h", "--listeners", "1000", "--phase",
                         "join_storm:members=800,within=10s,arrival=uniform", "--phase", "steady:duration=20s",
                         "--phase", "reconnect_storm"});
    if (!parsed.ok()) FAIL(parsed.error().to_string());
    CHECK(parsed->plan.phases == std::vector<phase>{join_storm_phase{10s, 10s, 800U, arrival_pattern::uniform},
                                                    steady_phase{20s}, reconnect_storm_phase{10s}});
    CHECK(parsed->plan.length == 40s);
}

TEST_CASE("a file with flags that override it", "[command_line]") {
    auto parsed = parse({"--scenario", "storm.toml", "--listeners", "3000", "--assert", "frames.loss<0.1%"});
    if (!parsed.ok()) FAIL(parsed.error().to_string());
    const scenario& s = parsed->plan;
    CHECK(s.name == "storm");
    CHECK(s.server.url.host == "10.0.0.1");
    CHECK(s.members.listeners == 3000);
    CHECK(s.length == 30s);
    REQUIRE(s.thresholds.size() == 2);  // the file's and the flag's
    CHECK(s.thresholds[0].text == "join.p99<2s");
    CHECK(s.thresholds[1].text == "frames.loss<0.1%");
    // --phase replaces the file's phases.
    auto replaced = parse({"--scenario", "storm.toml", "--phase", "steady:duration=5s"});
    REQUIRE(replaced.ok());
    CHECK(replaced->plan.phases == std::vector<phase>{steady_phase{5s}});
}

TEST_CASE("--help stops the parse", "[command_line]") {
    auto parsed = parse({"--listeners", "x", "--help"});
    REQUIRE(parsed.ok());
    CHECK(parsed->help);
    CHECK(usage_text().find("--shard I/N") != std::string_view::npos);
}

TEST_CASE("bad flags get errors that name the flag", "[command_line]") {
    struct row {
        std::vector<std::string_view> args;
        const char* expected;
    };
    const row rows[] = {
        {{"--listeners", "5000"},
         "--server: missing: the relay's URL, like ws://127.0.0.1:8080/ws (or give --scenario FILE)"},
        {{"--server", "ws://h"}, "--duration: missing: how long the run lasts, like 60s (or give --phase)"},
        {{"--server", "ws://h", "--duration", "60"}, "--duration: expected a duration like \"10s\", got 60"},
        {{"--server", "ws://h", "--duration", "1m", "--listeners", "lots"},
         "--listeners: expected a whole number, got \"lots\""},
        {{"--server", "ws://h", "--duration", "1m", "--listeners", "-5"},
         "--listeners: expected a whole number from 0 to 10000000, got -5"},
        {{"--server", "ftp://h", "--duration", "1m"},
         "--server: expected a URL like \"ws://127.0.0.1:8080/ws\", got \"ftp://h\" (a server URL starts with ws:// or "
         "wss://)"},
        {{"--server", "ws://h", "--duration", "1m", "--listners", "5"}, "--listners: unknown flag (see --help)"},
        {{"--server", "ws://h", "--duration"}, "--duration: needs a value"},
        {{"--server", "ws://h", "--duration", "1m", "extra"},
         "extra: unexpected argument (flags are --name value; see --help)"},
        {{"--server", "ws://h", "--duration", "1m", "--closed=yes"}, "--closed: takes no value"},
        {{"--server", "ws://h", "--duration", "1m", "--shard", "4/3"},
         "--shard: a shard is i/N, this host's number i from 1 to N generator hosts (N at most 10000), like 2/4, got "
         "\"4/3\""},
        {{"--server", "ws://h", "--duration", "1m", "--assert", "join.p99 < fast"},
         "--assert: \"join.p99 < fast\": expected a number, like 1s or 0.1% (at character 12)"},
        {{"--server", "ws://h", "--phase", "join_storm:within"},
         "--phase 1: expected KIND or KIND:key=value,key=value (like join_storm:members=1000,within=10s), got "
         "\"join_storm:within\""},
        {{"--server", "ws://h", "--phase", "steady:duration=1s", "--phase", "join_storm:within=10"},
         "--phase 2: within: expected a duration like \"10s\", got 10"},
        {{"--server", "ws://h", "--phase", "stampede"},
         "--phase 1: kind: expected \"steady\", \"ramp\", \"join_storm\", \"leave_storm\", \"churn\", "
         "\"speaker_rotation\", \"hand_raise_storm\" "
         "or \"reconnect_storm\", got \"stampede\""},
        {{"--server", "ws://h", "--phase", "join_storm:members=10"},
         "--phase 1: a join_storm phase needs \"within\": the storm's window, like \"10s\""},
        {{"--server", "ws://h", "--phase", "steady:duration=1s,speed=2"},
         "--phase 1: speed: unknown key \"speed\" in a steady phase (it takes kind, duration)"},
        {{"--server", "ws://h", "--phase", "steady:duration=1s", "--ramp", "1s"},
         "--ramp: ramp is for scenarios without phases; with [[phases]], add a ramp phase"},
        {{"--server", "ws://h", "--duration", "10s", "--phase", "steady:duration=20s"},
         "--duration: the phases last 20s, longer than the run's duration (10s)"},
        {{"--scenario", "missing.toml"}, "missing.toml: cannot open the file"},
        {{"--scenario", "bad.json"}, "bad.json:2:2: duration: expected a duration like \"10s\", got 5"},
        {{"--scenario", "storm.toml", "--listeners", "100", "--phase", "join_storm:within=1s,members=200"},
         "--phase 1: members: expected at most the scenario's 100 listeners, got 200"},
    };
    for (const auto& r : rows) {
        std::string joined;
        for (auto a : r.args) joined += std::string(a) + " ";
        INFO(joined);
        CHECK(error_of(r.args) == r.expected);
    }
}

TEST_CASE("a repeated --server names more relays of one cluster", "[command_line]") {
    auto parsed = parse({"--server", "ws://127.0.0.1:8081", "--server", "ws://127.0.0.1:8082/ws", "--server",
                         "ws://127.0.0.1:8083", "--listeners", "10", "--duration", "5s"});
    if (!parsed.ok()) FAIL(parsed.error().to_string());
    const auto& server = parsed->plan.server;
    CHECK(server.url.port == 8081);
    REQUIRE(server.more_urls.size() == 2);
    CHECK(server.more_urls[0].port == 8082);
    CHECK(server.more_urls[1].port == 8083);
    // Every member signs one origin: the first relay's, which every node of the cluster shares.
    CHECK(server.origin == "http://127.0.0.1:8081");

    CHECK(error_of({"--server", "ws://127.0.0.1:8081", "--server", "wss://127.0.0.1:8082", "--listeners", "1",
                    "--duration", "5s"})
              .find("same scheme") != std::string::npos);
    const auto not_a_relay =
        error_of({"--server", "ws://127.0.0.1:8081", "--server", "http://x", "--listeners", "1", "--duration", "5s"});
    INFO(not_a_relay);
    CHECK(not_a_relay.find("http://x") != std::string::npos);
}
