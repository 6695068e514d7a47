// stoa-load's flags: a whole scenario from flags alone, or a file (--scenario) with flags that
// override its keys, plus what belongs to this generator host (its shard, where to write reports).
// The parse is a pure function of the arguments and of a file reader, so it is tested without
// touching the disk.
#pragma once

#include <functional>
#include <span>
#include <string>
#include <string_view>

#include "stoa/common/result.hpp"
#include "stoa/loadgen/scenario/scenario.hpp"
#include "stoa/loadgen/scenario/scenario_error.hpp"
#include "stoa/loadgen/scenario/shard.hpp"

namespace stoa::loadgen {

// How the run shows its progress on stderr.
enum class progress_mode : std::uint8_t {
    automatic,  // a live line when stderr is a terminal, otherwise a log line every 10 s
    line,       // a live line, rewritten in place
    log,        // a line every 10 s
    off,
};

inline constexpr std::uint32_t max_threads = 256;

struct load_options {
    scenario plan;
    shard part;
    std::string report_path;  // --report: the JSON report (empty: none)
    std::string html_path;    // --html: the self-contained HTML report (empty: none)
    std::uint32_t threads = 0;  // --threads: worker threads (0: one per core)
    std::string pcm_path;       // --pcm: the speech sample (empty: synthetic)
    progress_mode progress = progress_mode::automatic;
    // --bulk-read-interval: how often bulk listeners' sockets are drained (probes read at once).
    duration bulk_read_interval = std::chrono::milliseconds(100);
    // --stall-per-tick: a diagnostic that busy-waits in every worker tick, to show what a
    // generator without CPU to spare reports (tests of the saturation verdict use it).
    duration stall_per_tick{};
    bool help = false;        // --help / -h: print usage_text() and exit; nothing else was checked

    friend bool operator==(const load_options&, const load_options&) = default;
};

// Gives the text of a file, or a message saying why it cannot.
using file_reader = std::function<result<std::string, std::string>(const std::string& path)>;

// `args` are the arguments after the program name. Flags are `--name value` or `--name=value`.
[[nodiscard]] result<load_options, scenario_error> parse_command_line(std::span<const std::string_view> args,
                                                                      const file_reader& read_file);
// The same, reading --scenario files from the file system.
[[nodiscard]] result<load_options, scenario_error> parse_command_line(std::span<const std::string_view> args);

// The --help text: every flag, one a line.
[[nodiscard]] std::string_view usage_text() noexcept;

}  // namespace stoa::loadgen
