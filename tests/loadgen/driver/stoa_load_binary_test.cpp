// The stoa-load binary as CI uses it: --assert decides the exit code, the reports are written,
// bad flags are refused, and the reports of two shards run side by side merge into one run.
#include <catch2/catch.hpp>

#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "server_fixture.hpp"
#include "stoa/loadgen/report/load_report.hpp"

namespace {

int exit_code_of(const std::string& command) {
    const int status = std::system(command.c_str());
    REQUIRE(WIFEXITED(status));
    return WEXITSTATUS(status);
}

std::string read_text(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

stoa::server::server_config load_config() {
    auto config = stoa::test::test_config();
    config.relay.joins_per_address = {100'000.0, 100'000.0};
    config.max_connections_per_address = 0;  // every member comes from 127.0.0.1
    return config;
}

struct scratch_dir {
    std::filesystem::path path = std::filesystem::temp_directory_path() /
                                 ("stoa-load-test-" + std::to_string(::getpid()));
    scratch_dir() { std::filesystem::create_directories(path); }
    ~scratch_dir() { std::filesystem::remove_all(path); }
};

}  // namespace

TEST_CASE("stoa-load: thresholds set the exit code and the reports are written", "[loadgen][driver][server]") {
    stoa::test::server_fixture relay(load_config());
    scratch_dir dir;
    const std::string base = std::string(STOA_LOAD_PATH) + " --server ws://127.0.0.1:" + std::to_string(relay.port()) +
                             "/ws --listeners 5 --talk continuous --duration 2s --ramp 500ms --progress off";
    const auto json = dir.path / "run.json";
    const auto html = dir.path / "run.html";
    CHECK(exit_code_of(base + " --assert 'joins==6' --assert 'decrypt.failures==0' --report " + json.string() +
                       " --html " + html.string() + " 2>/dev/null") == 0);
    auto report = stoa::loadgen::report_from_json_text(read_text(json));
    REQUIRE(report.ok());
    CHECK(report->run.members_planned == 6);
    const std::string page = read_text(html);
    CHECK(page.find("<svg") != std::string::npos);
    CHECK(page.find("<script") == std::string::npos);

    // Frames were received, so "fewer than one" fails.
    CHECK(exit_code_of(base + " --assert 'frames.received<1' 2>/dev/null") == 1);
    // An unknown metric fails too, rather than passing silently.
    CHECK(exit_code_of(base + " --assert 'no.such.metric<1' 2>/dev/null") == 1);
}

TEST_CASE("stoa-load: a run that measured nothing or only itself exits 3 or 4", "[loadgen][driver][server]") {
    stoa::test::server_fixture relay(load_config());
    const std::string server = std::string(STOA_LOAD_PATH) + " --server ws://127.0.0.1:" + std::to_string(relay.port());
    const std::string small = " --listeners 3 --talk continuous --duration 2s --ramp 200ms --progress off";
    // The wrong endpoint: every upgrade is refused with 404, nobody joins, whatever the thresholds.
    CHECK(exit_code_of(server + "/nope" + small + " --assert 'errors.count>=0' 2>/dev/null") == 3);
    // No path: /ws, stoa-server's endpoint.
    CHECK(exit_code_of(server + small + " 2>/dev/null") == 0);
    // A generator with no CPU to spare says so.
    CHECK(exit_code_of(server + "/ws" + small + " --stall-per-tick 60ms 2>/dev/null") == 4);
}

TEST_CASE("stoa-load: bad flags and unreadable reports exit 2 with a message", "[loadgen][driver]") {
    CHECK(exit_code_of(std::string(STOA_LOAD_PATH) + " --listeners many 2>/dev/null") == 2);
    CHECK(exit_code_of(std::string(STOA_LOAD_PATH) + " --assert 'join.p99<<1s' 2>/dev/null") == 2);
    CHECK(exit_code_of(std::string(STOA_LOAD_PATH) + " merge out.json /nonexistent.json 2>/dev/null") == 2);
    CHECK(exit_code_of(std::string(STOA_LOAD_PATH) + " --help >/dev/null") == 0);
}

TEST_CASE("stoa-load merge: two shards run side by side make one run", "[loadgen][driver][server]") {
    stoa::test::server_fixture relay(load_config());
    scratch_dir dir;
    const std::string run = std::string(STOA_LOAD_PATH) + " --server ws://127.0.0.1:" + std::to_string(relay.port()) +
                            "/ws --speakers 2 --listeners 20 --talk continuous --duration 3s --ramp 500ms --seed 9 "
                            "--threads 1 --progress off";
    const auto one = dir.path / "1.json";
    const auto two = dir.path / "2.json";
    const auto merged = dir.path / "merged.json";
    // The shards share one plan and find each other's rooms through the relay.
    CHECK(exit_code_of("sh -c \"" + run + " --shard 1/2 --report " + one.string() + " 2>/dev/null & " + run +
                       " --shard 2/2 --report " + two.string() + " 2>/dev/null & wait\"") == 0);
    CHECK(exit_code_of(std::string(STOA_LOAD_PATH) + " merge " + merged.string() + " " + one.string() + " " +
                       two.string() + " --assert 'joins==22' --assert 'decrypt.failures==0' 2>/dev/null") == 0);
    auto report = stoa::loadgen::report_from_json_text(read_text(merged));
    REQUIRE(report.ok());
    CHECK(report->run.shards == std::vector<std::uint32_t>{1, 2});
    CHECK(report->run.members_planned == 22);
    // The same shard twice is refused.
    CHECK(exit_code_of(std::string(STOA_LOAD_PATH) + " merge " + merged.string() + " " + one.string() + " " +
                       one.string() + " 2>/dev/null") == 2);
}
