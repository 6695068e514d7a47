// The example scenarios in loadgen/scenarios/ and in docs/loadgen.md: each must parse, plan a run
// from start to end, and the docs must show each file exactly as it is checked in.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "stoa/loadgen/scenario/scenario_file.hpp"
#include "stoa/loadgen/scenario/scenario_schedule.hpp"

using namespace stoa;
using namespace stoa::loadgen;

namespace {

std::string read_text(const std::filesystem::path& path) {
    std::ifstream file(path, std::ios::binary);
    std::ostringstream text;
    text << file.rdbuf();
    return text.str();
}

std::map<std::string, std::string> example_files() {
    std::map<std::string, std::string> out;
    for (const auto& entry :
         std::filesystem::directory_iterator(std::filesystem::path(STOA_SOURCE_DIR) / "loadgen" / "scenarios")) {
        if (entry.path().extension() == ".toml" || entry.path().extension() == ".json") {
            out["loadgen/scenarios/" + entry.path().filename().string()] = read_text(entry.path());
        }
    }
    return out;
}

}  // namespace

TEST_CASE("every example scenario parses and plans a whole run", "[scenario_examples]") {
    const auto files = example_files();
    REQUIRE(files.size() >= 9);
    for (const auto& [name, text] : files) {
        INFO(name);
        auto parsed = parse_scenario(text, scenario_format_of(name), name);
        if (!parsed.ok()) FAIL(parsed.error().to_string());
        scenario_schedule schedule(*parsed, {}, from_micros(0));
        std::size_t events = 0;
        time_point last = schedule.start();
        while (auto e = schedule.next_event()) {
            REQUIRE(e->at >= last);
            REQUIRE(e->at <= schedule.end());
            last = e->at;
            ++events;
        }
        CHECK(events > 0);
    }
}

TEST_CASE("docs/loadgen.md shows every example file as checked in", "[scenario_examples]") {
    // Each ```toml block of the docs that starts with "# loadgen/scenarios/NAME.toml" must be
    // that file, byte for byte; every other toml block must parse on its own.
    const std::string docs = read_text(std::filesystem::path(STOA_SOURCE_DIR) / "docs" / "loadgen.md");
    const auto files = example_files();
    std::set<std::string> shown;
    std::size_t at = 0;
    std::size_t blocks = 0;
    while ((at = docs.find("```toml\n", at)) != std::string::npos) {
        const std::size_t begin = at + 8;
        const std::size_t end = docs.find("```", begin);
        REQUIRE(end != std::string::npos);
        const std::string block = docs.substr(begin, end - begin);
        at = end + 3;
        ++blocks;
        if (block.starts_with("# loadgen/scenarios/")) {
            const std::string name = block.substr(2, block.find('\n') - 2);
            INFO(name);
            REQUIRE(files.count(name) == 1);
            CHECK(block == files.at(name));
            shown.insert(name);
        } else if (block.find("[server]") != std::string::npos) {
            INFO(block);
            auto parsed = parse_scenario(block, scenario_format::toml, "docs/loadgen.md");
            if (!parsed.ok()) FAIL(parsed.error().to_string());
        }
    }
    CHECK(blocks >= files.size());
    for (const auto& [name, text] : files) {
        INFO(name << " is not shown in docs/loadgen.md");
        CHECK(shown.count(name) == 1);
    }
}
