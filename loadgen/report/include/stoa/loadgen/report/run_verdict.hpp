// Whether a run measured what it set out to, apart from its thresholds: a run in which planned
// members never joined, nobody heard a frame, or the generator itself ran out of CPU must not read
// as clean. Judged from the metrics alone, so a merged report is judged the same way.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "stoa/loadgen/report/load_report.hpp"

namespace stoa::loadgen {

enum class run_verdict : std::uint8_t {
    measured = 0,             // the figures describe the server
    failed = 1,               // planned members never joined, or nothing was heard
    generator_saturated = 2,  // the generator fell behind: latency figures describe the generator
};

// A worker is saturated when its loop lag p99 is over this, or it was over 90% busy in at least a
// fifth of the seconds it ran (see docs/loadgen.md, "Saturation").
inline constexpr double saturation_lag_p99_seconds = 0.050;
inline constexpr double saturation_busy_share = 0.90;

struct run_judgement {
    run_verdict verdict = run_verdict::measured;
    std::vector<std::string> reasons;  // one sentence each, for the terminal and the HTML report
};

[[nodiscard]] run_judgement judge_run(const load_report& report);
[[nodiscard]] const char* to_string(run_verdict verdict) noexcept;

}  // namespace stoa::loadgen
