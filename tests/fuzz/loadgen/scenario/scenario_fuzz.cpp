// Fuzzes stoa-load's scenario readers. The first byte picks the input: 'J' a JSON file, 'F' flags
// (the rest split into arguments at newlines, --scenario files served from a fixed TOML text),
// anything else a TOML file. Neither may crash, hang or throw; an accepted scenario must be
// consistent, and when it is small its plan is run for a while and checked for time order.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "stoa/loadgen/scenario/command_line.hpp"
#include "stoa/loadgen/scenario/scenario_file.hpp"
#include "stoa/loadgen/scenario/scenario_schedule.hpp"
#include "stoa/loadgen/scenario/threshold.hpp"

namespace {

using namespace stoa;
using namespace stoa::loadgen;

void check(bool condition) {
    if (!condition) std::abort();
}

void check_scenario(const scenario& plan) {
    check(!plan.phases.empty());
    duration total{};
    for (const auto& p : plan.phases) total += phase_length(p);
    check(total <= plan.length);
    check(plan.length <= max_scenario_duration);
    check(plan.members.decode.fraction <= plan.members.decrypt.fraction);
    check(plan.reconnect.min <= plan.reconnect.max);
    check(plan.member_count() <= max_members);
    if (plan.member_count() > 2000) return;
    scenario_schedule schedule(plan, shard{1, 2}, from_micros(0));
    time_point last = schedule.start();
    for (int i = 0; i < 20000; ++i) {
        const auto event = schedule.next_event();
        if (!event) break;
        check(event->at >= last && event->at <= schedule.end());
        check(event->member.value % 2 == 0);
        last = event->at;
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
    switch (data[0]) {
        case 'J': {
            auto parsed = parse_scenario(text, scenario_format::json, "fuzz.json");
            if (parsed.ok())
                check_scenario(*parsed);
            else
                check(!parsed.error().to_string().empty());
            break;
        }
        case 'F': {
            std::vector<std::string_view> args;
            std::size_t start = 0;
            while (start <= text.size() && args.size() < 64) {
                const std::size_t end = std::min(text.find('\n', start), text.size());
                args.push_back(text.substr(start, end - start));
                start = end + 1;
            }
            auto parsed = parse_command_line(args, [](const std::string&) -> result<std::string, std::string> {
                return std::string(
                    "[server]\nurl = \"ws://127.0.0.1:8080\"\n[members]\nlisteners = 50\n[[phases]]\nkind = "
                    "\"steady\"\nduration = \"5s\"\n");
            });
            if (parsed.ok() && !parsed->help) check_scenario(parsed->plan);
            break;
        }
        default: {
            auto parsed = parse_scenario(text, scenario_format::toml, "fuzz.toml");
            if (parsed.ok()) check_scenario(*parsed);
            (void)parse_threshold(text);
            (void)parse_duration(text);
            (void)parse_server_url(text);
            break;
        }
    }
    return 0;
}
