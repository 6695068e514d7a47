#include <catch2/catch.hpp>

#include <string>

#include "stoa/loadgen/scenario/scenario_file.hpp"

using namespace stoa;
using namespace stoa::loadgen;
using namespace std::chrono_literals;

namespace {

// Every key of the format, once.
constexpr const char* everything_toml = R"(name = "everything"
seed = 7
duration = "5m"
thresholds = ["join.p99<1s", "frames.loss<0.1%"]

[server]
url = "wss://rooms.example:8443/ws"
origin = "https://rooms.example"

[rooms]
count = 20
kind = "closed"
zipf_exponent = 1.2

[members]
speakers = 2
listeners = 5000
decrypt = "50%"
decode = 0.05
live_encode = "10%"

[talk]
pattern = "conversational"
talkspurt = "1.2s"
pause = "2s"

[reconnect]
min = "250ms"
max = "8s"
multiplier = 1.5
jitter = "50%"

[[phases]]
kind = "ramp"
duration = "20s"
to = 1000

[[phases]]
kind = "join_storm"
members = "50%"
within = "10s"
duration = "15s"
arrival = "uniform"

[[phases]]
kind = "steady"
duration = "30s"

[[phases]]
kind = "leave_storm"
members = 500
within = "5s"

[[phases]]
kind = "churn"
duration = "1m"
arrivals = "20/s"
mean_stay = "30s"

[[phases]]
kind = "speaker_rotation"
duration = "30s"
every = "10s"

[[phases]]
kind = "hand_raise_storm"
members = 100
within = "5s"
invite = "10%"
invite_after = "2s"

[[phases]]
kind = "reconnect_storm"
)";

constexpr const char* everything_json = R"({
  "name": "everything",
  "seed": 7,
  "duration": "5m",
  "thresholds": ["join.p99<1s", "frames.loss<0.1%"],
  "server": {"url": "wss://rooms.example:8443/ws", "origin": "https://rooms.example"},
  "rooms": {"count": 20, "kind": "closed", "zipf_exponent": 1.2},
  "members": {"speakers": 2, "listeners": 5000, "decrypt": "50%", "decode": 0.05, "live_encode": "10%"},
  "talk": {"pattern": "conversational", "talkspurt": "1.2s", "pause": "2s"},
  "reconnect": {"min": "250ms", "max": "8s", "multiplier": 1.5, "jitter": "50%"},
  "phases": [
    {"kind": "ramp", "duration": "20s", "to": 1000},
    {"kind": "join_storm", "members": "50%", "within": "10s", "duration": "15s", "arrival": "uniform"},
    {"kind": "steady", "duration": "30s"},
    {"kind": "leave_storm", "members": 500, "within": "5s"},
    {"kind": "churn", "duration": "1m", "arrivals": "20/s", "mean_stay": "30s"},
    {"kind": "speaker_rotation", "duration": "30s", "every": "10s"},
    {"kind": "hand_raise_storm", "members": 100, "within": "5s", "invite": "10%", "invite_after": "2s"},
    {"kind": "reconnect_storm"}
  ]
}
)";

std::string error_of(scenario_format format, const std::string& text) {
    auto parsed = parse_scenario(text, format, format == scenario_format::toml ? "scenario.toml" : "scenario.json");
    if (parsed.ok()) return "(parsed)";
    return parsed.error().to_string();
}

}  // namespace

TEST_CASE("a TOML file with every key is read into the scenario it describes", "[scenario_file]") {
    auto parsed = parse_scenario(everything_toml, scenario_format::toml, "everything.toml");
    if (!parsed.ok()) FAIL(parsed.error().to_string());
    const scenario& s = *parsed;
    CHECK(s.name == "everything");
    CHECK(s.seed == 7);
    CHECK(s.length == 5min);
    CHECK(s.server.url == server_url{url_scheme::wss, "rooms.example", 8443, "/ws"});
    CHECK(s.server.origin == "https://rooms.example");
    CHECK(s.rooms == room_plan{20, room_access::closed, 1.2});
    CHECK(s.members.speakers_per_room == 2);
    CHECK(s.members.listeners == 5000);
    CHECK(s.members.decrypt == share{0.5});
    CHECK(s.members.decode == share{0.05});
    CHECK(s.members.live_encode == share{0.1});
    CHECK(s.talk == talk_model{talk_pattern::conversational, 1200ms, 2s});
    CHECK(s.reconnect == reconnect_backoff{250ms, 8s, 1.5, share{0.5}});
    REQUIRE(s.phases.size() == 8);
    CHECK(s.phases[0] == phase{ramp_phase{20s, 1000}});
    CHECK(s.phases[1] == phase{join_storm_phase{15s, 10s, 2500U, arrival_pattern::uniform}});
    CHECK(s.phases[2] == phase{steady_phase{30s}});
    CHECK(s.phases[3] == phase{leave_storm_phase{5s, 5s, 500U, arrival_pattern::poisson}});
    CHECK(s.phases[4] == phase{churn_phase{1min, 20.0, 30s}});
    CHECK(s.phases[5] == phase{speaker_rotation_phase{30s, 10s}});
    CHECK(s.phases[6] == phase{hand_raise_storm_phase{7s, 5s, 100U, arrival_pattern::poisson, share{0.1}, 2s}});
    CHECK(s.phases[7] == phase{reconnect_storm_phase{8s}});
    REQUIRE(s.thresholds.size() == 2);
    CHECK(s.thresholds[0].metric_path() == "join.p99");
    CHECK(s.thresholds[1].value == threshold_value{0.001, threshold_unit::ratio});
}

TEST_CASE("the same scenario in JSON reads the same", "[scenario_file]") {
    auto toml = parse_scenario(everything_toml, scenario_format::toml, "everything.toml");
    auto json = parse_scenario(everything_json, scenario_format::json, "everything.json");
    if (!json.ok()) FAIL(json.error().to_string());
    REQUIRE(toml.ok());
    CHECK(*toml == *json);
}

TEST_CASE("defaults: a URL and a duration make a ramp then a steady room", "[scenario_file]") {
    const char* minimal_toml =
        "duration = \"60s\"\n[server]\nurl = \"ws://127.0.0.1:8080\"\n[members]\nlisteners = 500\n";
    const char* minimal_json =
        R"({"duration": "60s", "server": {"url": "ws://127.0.0.1:8080"}, "members": {"listeners": 500}})";
    for (auto [format, text] :
         {std::pair{scenario_format::toml, minimal_toml}, std::pair{scenario_format::json, minimal_json}}) {
        auto parsed = parse_scenario(text, format, "minimal");
        if (!parsed.ok()) FAIL(parsed.error().to_string());
        const scenario& s = *parsed;
        CHECK(s.seed == 1);
        CHECK(s.length == 60s);
        CHECK(s.server.origin == "http://127.0.0.1:8080");  // the URL's own
        CHECK(s.rooms == room_plan{});
        CHECK(s.members.speakers_per_room == 1);
        CHECK(s.members.decrypt == share{1.0});
        CHECK(s.members.decode == share{0.01});
        CHECK(s.talk == talk_model{});
        CHECK(s.reconnect == reconnect_backoff{});
        REQUIRE(s.phases.size() == 2);
        CHECK(s.phases[0] == phase{ramp_phase{10s, 500}});
        CHECK(s.phases[1] == phase{steady_phase{50s}});
    }
    // A short run ramps over all of it; `ramp` sets the ramp; phases set the length.
    CHECK(parse_scenario("duration = \"4s\"\n[server]\nurl = \"ws://h\"\n", scenario_format::toml, "x")->phases ==
          std::vector<phase>{ramp_phase{4s, 0}});
    CHECK(parse_scenario("duration = \"4s\"\nramp = \"0s\"\n[server]\nurl = \"ws://h\"\n", scenario_format::toml, "x")
              ->phases == std::vector<phase>{ramp_phase{0s, 0}, steady_phase{4s}});
    auto from_phases = parse_scenario("[server]\nurl = \"ws://h\"\n[[phases]]\nkind = \"steady\"\nduration = \"3s\"\n",
                                      scenario_format::toml, "x");
    REQUIRE(from_phases.ok());
    CHECK(from_phases->length == 3s);
}

TEST_CASE("every bad file gets a typed error naming its line, column and key", "[scenario_file]") {
    struct row {
        scenario_format format;
        std::string text;
        scenario_error_kind kind;
        std::string expected;
    };
    const auto toml = scenario_format::toml;
    const auto json = scenario_format::json;
    const std::string server = "[server]\nurl = \"ws://127.0.0.1:8080\"\n";  // two lines
    const row rows[] = {
        // The example of docs/loadgen.md: a duration without quotes and unit.
        {toml,
         server + "\n[members]\nlisteners = 100\n\n[[phases]]\nkind = \"steady\"\nduration = \"10s\"\n\n[[phases]]\n  "
                  "within = 10\n  kind = \"join_storm\"\n",
         scenario_error_kind::wrong_type,
         "scenario.toml:12:3: phases[1].within: expected a duration like \"10s\", got 10"},
        {toml, server + "[[phases]]\nkind = \"join_storm\"\nwithin = \"10\"\n", scenario_error_kind::invalid_value,
         "scenario.toml:5:1: phases[0].within: expected a duration like \"10s\", got \"10\" (a number needs a unit: "
         "us, ms, s, m or h)"},
        {toml, "[server\nurl = 1\n", scenario_error_kind::syntax,
         "scenario.toml:1:8: not valid TOML: Error while parsing table header: expected ']', saw '\\n'"},
        {toml, server + "[members]\nlistners = 5\n", scenario_error_kind::unknown_key,
         "scenario.toml:4:1: members.listners: unknown key \"listners\" in [members] (it takes speakers, listeners, "
         "decrypt, decode, live_encode, probe)"},
        {toml, "duration = \"1m\"\n", scenario_error_kind::missing_key,
         "scenario.toml:1:1: the scenario needs \"server\": the relay to load, with url = \"ws://HOST:PORT\""},
        {toml, "duration = \"1m\"\n[server]\norigin = \"x\"\n", scenario_error_kind::missing_key,
         "scenario.toml:2:2: server: [server] needs \"url\": the relay's WebSocket URL, like \"ws://127.0.0.1:8080/ws\""},
        {toml, "", scenario_error_kind::missing_key,
         "scenario.toml:1:1: the scenario needs \"server\": the relay to load, with url = \"ws://HOST:PORT\""},
        {toml, server, scenario_error_kind::missing_key,
         "scenario.toml:1:1: the scenario needs \"duration\": how long the run lasts, like \"60s\" (or give "
         "[[phases]])"},
        {toml, server + "duration = \"1m\"\n", scenario_error_kind::unknown_key,  // a key after [server] belongs to it
         "scenario.toml:3:1: server.duration: unknown key \"duration\" in [server] (it takes url, more_urls, origin, protocol, tls_verify, tls_ca)"},
        {toml, "duration = \"1m\"\n" + server + "[rooms]\ncount = \"3\"\n", scenario_error_kind::wrong_type,
         "scenario.toml:5:1: rooms.count: expected a whole number, got \"3\""},
        {toml, "duration = \"1m\"\n" + server + "[rooms]\ncount = 0\n", scenario_error_kind::out_of_range,
         "scenario.toml:5:1: rooms.count: expected a whole number from 1 to 1000000, got 0"},
        {toml, "duration = \"1m\"\n" + server + "[rooms]\nkind = \"private\"\n", scenario_error_kind::invalid_value,
         "scenario.toml:5:1: rooms.kind: expected \"open\" or \"closed\", got \"private\""},
        {toml, "duration = \"1m\"\n" + server + "[members]\ndecrypt = \"0.5%\"\n", scenario_error_kind::inconsistent,
         "scenario.toml:5:1: members.decrypt: decode (1%) is more than decrypt (0.5%): the listeners that decode are "
         "some of those that decrypt"},
        {toml, "duration = \"1m\"\n" + server + "[members]\ndecrypt = 50\n", scenario_error_kind::out_of_range,
         "scenario.toml:5:1: members.decrypt: expected a share like \"50%\" or a fraction from 0 to 1, got 50"},
        {toml, "duration = \"1m\"\n" + server + "[members]\nlisteners = 10000000\n", scenario_error_kind::inconsistent,
         "scenario.toml:5:1: members.listeners: rooms × speakers + listeners is more than 10000000 members"},
        {toml, "duration = \"20s\"\n" + server + "[[phases]]\nkind = \"steady\"\nduration = \"30s\"\n",
         scenario_error_kind::inconsistent,
         "scenario.toml:1:1: duration: the phases last 30s, longer than the run's duration (20s)"},
        {toml, "duration = \"1m\"\nthresholds = [\"join.p99<1s\", \"join.p99<<1s\"]\n" + server,
         scenario_error_kind::syntax,
         "scenario.toml:2:30: thresholds[1]: \"join.p99<<1s\": expected a number, like 1s or 0.1% (at character 10)"},
        {toml, "duration = \"1m\"\n[server]\nurl = \"http://x\"\n", scenario_error_kind::invalid_value,
         "scenario.toml:3:1: server.url: expected a URL like \"ws://127.0.0.1:8080/ws\", got \"http://x\" (a server URL "
         "starts with ws:// or wss://)"},
        {toml, server + "[[phases]]\nkind = \"stampede\"\n", scenario_error_kind::invalid_value,
         "scenario.toml:4:1: phases[0].kind: expected \"steady\", \"ramp\", \"join_storm\", \"leave_storm\", "
         "\"churn\", \"speaker_rotation\", "
         "\"hand_raise_storm\" or \"reconnect_storm\", got \"stampede\""},
        {toml, server + "[[phases]]\nduration = \"1s\"\n", scenario_error_kind::missing_key,
         "scenario.toml:3:1: phases[0]: a phase needs \"kind\": one of steady, ramp, join_storm, leave_storm, churn, "
         "speaker_rotation, "
         "hand_raise_storm, reconnect_storm"},
        {toml, server + "[[phases]]\nkind = \"join_storm\"\nwithin = \"5s\"\nspeed = 2\n",
         scenario_error_kind::unknown_key,
         "scenario.toml:6:1: phases[0].speed: unknown key \"speed\" in a join_storm phase (it takes kind, within, "
         "duration, members, arrival)"},
        {toml,
         server + "[members]\nlisteners = 100\n[[phases]]\nkind = \"churn\"\nduration = \"1m\"\narrivals = "
                  "\"10/s\"\nmean_stay = \"30s\"\n",
         scenario_error_kind::inconsistent,
         "scenario.toml:8:1: phases[0].arrivals: arrivals × mean_stay keeps about 300 listeners present, more than the "
         "scenario's 100"},
        {toml, server + "[[phases]]\nkind = \"churn\"\nduration = \"1m\"\nmean_stay = \"30s\"\n",
         scenario_error_kind::missing_key,
         "scenario.toml:3:1: phases[0]: a churn phase needs \"arrivals\": the arrival rate, like \"20/s\""},
        {toml,
         server + "[members]\nlisteners = 100\n[[phases]]\nkind = \"join_storm\"\nwithin = \"5s\"\nmembers = 101\n",
         scenario_error_kind::out_of_range,
         "scenario.toml:8:1: phases[0].members: expected at most the scenario's 100 listeners, got 101"},
        {toml, server + "[[phases]]\nkind = \"join_storm\"\nwithin = \"5s\"\nduration = \"4s\"\n",
         scenario_error_kind::inconsistent,
         "scenario.toml:6:1: phases[0].duration: must be at least 5s (the storm's window), got \"4s\""},
        {toml, server + "[[phases]]\nkind = \"hand_raise_storm\"\nwithin = \"5s\"\nduration = \"5s\"\n",
         scenario_error_kind::inconsistent,
         "scenario.toml:6:1: phases[0].duration: must be at least 6s (within + invite_after), got \"5s\""},
        {toml, server + "[reconnect]\nmax = \"30s\"\n[[phases]]\nkind = \"reconnect_storm\"\nduration = \"10s\"\n",
         scenario_error_kind::inconsistent,
         "scenario.toml:7:1: phases[0].duration: must be at least 30s (reconnect.max, so every first attempt falls "
         "inside), got \"10s\""},
        {toml, server + "[reconnect]\nmin = \"2s\"\nmax = \"1s\"\n", scenario_error_kind::inconsistent,
         "scenario.toml:5:1: reconnect.max: max (1s) is less than min (2s)"},
        {toml, server + "[[phases]]\nkind = \"speaker_rotation\"\nduration = \"10s\"\nevery = \"20s\"\n",
         scenario_error_kind::inconsistent,
         "scenario.toml:6:1: phases[0].every: is longer than the phase (10s), so nothing would rotate"},
        {toml, server + "duration = \"1m\"\nramp = \"1s\"\n", scenario_error_kind::unknown_key,
         "scenario.toml:3:1: server.duration: unknown key \"duration\" in [server] (it takes url, more_urls, origin, protocol, tls_verify, tls_ca)"},
        {toml, "ramp = \"2m\"\nduration = \"1m\"\n" + server, scenario_error_kind::inconsistent,
         "scenario.toml:1:1: ramp: the ramp (2m) is longer than the run (1m)"},
        {toml, "when = 1979-05-27\n" + server, scenario_error_kind::unknown_key,
         "scenario.toml:1:1: when: unknown key \"when\" in the scenario's top level (it takes name, seed, duration, "
         "ramp, thresholds, server, rooms, "
         "members, talk, reconnect, phases)"},
        {toml, "name = 1979-05-27\n" + server, scenario_error_kind::wrong_type,
         "scenario.toml:1:1: name: expected a string, got a date"},
        {toml, "[[$]]\n", scenario_error_kind::syntax,  // toml++ asserts here unless told not to
         "scenario.toml:1:3: not valid TOML: Error while parsing key: expected bare key starting character or string "
         "delimiter, saw '$'"},
        {toml, "members = 5\n" + server, scenario_error_kind::wrong_type,
         "scenario.toml:1:1: members: expected a table ([members]), got 5"},
        {toml, "phases = []\n" + server, scenario_error_kind::invalid_value,
         "scenario.toml:1:1: phases: needs at least one phase (or leave phases out)"},
        {toml, "phases = [1]\n" + server, scenario_error_kind::wrong_type,
         "scenario.toml:1:11: phases[0]: expected a table (a phase), got 1"},
        {toml, "seed = -1\n" + server, scenario_error_kind::out_of_range,
         "scenario.toml:1:1: seed: expected a whole number from 0 to 9223372036854775807, got -1"},
        {toml, "duration = \"1m\"\n" + server + "[rooms]\nzipf_exponent = inf\n", scenario_error_kind::out_of_range,
         "scenario.toml:5:1: rooms.zipf_exponent: expected a number from 0 to 10, got inf"},

        {json, R"({"server": {"url": "ws://h"}, "duration": "1m", "rooms": {"count": 2, "count": 3}})",
         scenario_error_kind::invalid_value, "scenario.json:1:71: rooms.count: \"count\" is given twice"},
        {json, "{\n  \"server\": {\"url\": \"ws://h\"}\n  \"duration\": \"1m\"\n}\n", scenario_error_kind::syntax,
         "scenario.json:3:3: not valid JSON: syntax error while parsing object - unexpected string literal; expected "
         "'}'"},
        {json, "{\n  \"server\": {\"url\": \"ws://h\"},\n  \"duration\": 60\n}\n", scenario_error_kind::wrong_type,
         "scenario.json:3:3: duration: expected a duration like \"10s\", got 60"},
        {json, "{\n  \"server\": {\"url\": \"ws://h\"},\n  \"members\": 5\n}\n", scenario_error_kind::wrong_type,
         "scenario.json:3:3: members: expected a table ([members]), got 5"},
        {json, "{\"server\": {\"url\": \"ws://h\"}, \"name\": null}", scenario_error_kind::wrong_type,
         "scenario.json:1:31: name: expected a string, got null"},
        {json, "[1, 2]", scenario_error_kind::wrong_type, "scenario.json:1:1: a scenario is a JSON object { ... }"},
        {json, "", scenario_error_kind::syntax,
         "scenario.json:1:1: not valid JSON: syntax error while parsing value - unexpected end of input; expected '[', "
         "'{', or a literal"},
        {json, "{\"server\": {\"url\": \"ws://h\"}, \"duration\": \"1m\"} x", scenario_error_kind::syntax,
         "scenario.json:1:49: not valid JSON: syntax error while parsing value - invalid literal; expected end of "
         "input"},
        {json, "{\"a\": \"\xff\"}", scenario_error_kind::syntax,
         "scenario.json:1:7: not valid JSON: syntax error while parsing value - invalid string: ill-formed UTF-8 byte"},
        {json, std::string(100, '[') + std::string(100, ']'), scenario_error_kind::syntax,
         "scenario.json:1:33: nested more than 32 levels deep"},
        {json,
         "{\n\"phases\": [\n  {\"kind\": \"ramp\", \"duration\": \"10s\"},\n  {\"kind\": \"join_storm\", \"within\": "
         "10}\n], \"server\": {\"url\": \"ws://h\"}}",
         scenario_error_kind::wrong_type,
         "scenario.json:4:26: phases[1].within: expected a duration like \"10s\", got 10"},
    };
    for (const auto& r : rows) {
        INFO(r.text);
        auto parsed = parse_scenario(r.text, r.format, r.format == toml ? "scenario.toml" : "scenario.json");
        REQUIRE_FALSE(parsed.ok());
        CHECK(parsed.error().to_string() == r.expected);
        CHECK(parsed.error().kind == r.kind);
    }
}

TEST_CASE("files larger than a megabyte are refused unread", "[scenario_file]") {
    const std::string huge(max_scenario_file_bytes + 1, ' ');
    auto parsed = parse_scenario(huge, scenario_format::toml, "huge.toml");
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.error().kind == scenario_error_kind::unreadable);
    CHECK(error_of(scenario_format::json, "{}").find("needs \"server\"") != std::string::npos);
}

TEST_CASE("load_scenario_file picks the format by extension and names a missing file", "[scenario_file]") {
    CHECK(scenario_format_of("a/b.json") == scenario_format::json);
    CHECK(scenario_format_of("a/b.toml") == scenario_format::toml);
    CHECK(scenario_format_of("scenario") == scenario_format::toml);
    auto missing = load_scenario_file("/nonexistent/stoa.toml");
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().to_string() == "/nonexistent/stoa.toml: cannot open the file");
    CHECK(missing.error().kind == scenario_error_kind::unreadable);
}

TEST_CASE("non-ASCII text reads back exactly, and toml++'s whitespace test never sees what it mishandles",
          "[scenario_file]") {
    // toml++ 3.3 has undefined behaviour for code points like é, Ж, か and ﻼ wherever it tests for
    // whitespace; the sanitizer build of this test would stop on it.
    const std::string name = "Caf\xC3\xA9 \xD0\x96 \xE3\x81\x8B \xEF\xBB\xBC \xF0\x9F\x8E\x99";
    auto parsed = parse_scenario("name = \"" + name + "\"\n'k\xC3\xA9y' = 1\n", scenario_format::toml, "u.toml");
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.error().to_string() ==
          "u.toml:2:1: k\xC3\xA9y: unknown key \"k\xC3\xA9y\" in the scenario's top level (it takes name, seed, "
          "duration, ramp, thresholds, "
          "server, rooms, members, talk, reconnect, phases)");
    auto named = parse_scenario("name = \"" + name + "\"\nduration = \"1s\"\n[server]\nurl = \"ws://h\"\n",
                                scenario_format::toml, "u.toml");
    REQUIRE(named.ok());
    CHECK(named->name == name);
    auto multi = parse_scenario("name = \"\"\"a \\\xC3\xA9\"\"\"\n", scenario_format::toml, "u.toml");
    REQUIRE_FALSE(multi.ok());
    CHECK(multi.error().position.line == 1);
    auto outside = parse_scenario("[server]\n[[\xCF\xBF]]\n", scenario_format::toml, "u.toml");
    REQUIRE_FALSE(outside.ok());
    CHECK(outside.error().position == source_position{2, 3});
    CHECK(outside.error().message.find("\xCF\xBF") != std::string::npos);
    auto private_use = parse_scenario("name = \"ab\xF3\xB0\x83\xA9\"\n", scenario_format::toml, "u.toml");
    REQUIRE_FALSE(private_use.ok());
    CHECK(private_use.error().to_string() ==
          "u.toml:1:11: not accepted: a private-use character of plane 15 (U+F00A1 to U+FFEFE)");
}

TEST_CASE("columns count characters in both formats", "[scenario_file]") {
    CHECK(error_of(scenario_format::json, "{\"name\": \"\xC3\xA9\xC3\xA9\", \"x\": 1}") ==
          "scenario.json:1:16: x: unknown key \"x\" in the scenario's top level (it takes name, seed, duration, ramp, "
          "thresholds, server, rooms, "
          "members, talk, reconnect, phases)");
    CHECK(error_of(scenario_format::toml, "name = \"\xC3\xA9\xC3\xA9\" x") ==
          "scenario.toml:1:13: not valid TOML: Error while parsing key-value pair: expected a comment or whitespace, "
          "saw 'x'");
}
