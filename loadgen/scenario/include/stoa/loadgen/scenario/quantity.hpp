// Quantities as people write them in scenario files and flags: durations with a unit ("250ms",
// "10s", "1m30s", "2h"), shares ("0.1%", "100%", or a fraction from 0 to 1) and rates ("20/s").
// Parsing never throws; a parse failure says what was expected.
#pragma once

#include <string>
#include <string_view>

#include "stoa/common/result.hpp"
#include "stoa/common/time.hpp"

namespace stoa::loadgen {

// A fraction of a group, from 0 to 1 inclusive.
struct share {
    double fraction = 0.0;

    friend constexpr bool operator==(share, share) = default;
};

// The longest duration a scenario may name (30 days): keeps every sum of durations far from
// overflowing the microsecond clock.
inline constexpr duration max_scenario_duration = std::chrono::hours(24 * 30);

// "250ms", "10s", "1.5m", "1h30m", "20us" (also "µs"). Units: us, ms, s, m (minutes), h. A number
// needs a unit; parts may be decimal but the total must be whole microseconds, at most 30 days.
// The error is a message such as `expected a duration like "10s"`.
[[nodiscard]] result<duration, std::string> parse_duration(std::string_view text);

// "0.1%", "100%" (0% to 100%), or a plain fraction "0.5" (0 to 1).
[[nodiscard]] result<share, std::string> parse_share(std::string_view text);

// Events per second from "20/s", "300/m", "5000/h" (also "/min").
[[nodiscard]] result<double, std::string> parse_rate(std::string_view text);

// The shortest exact text parse_duration reads back: "1h30m", "1.004s", "250ms", "0s".
[[nodiscard]] std::string format_duration(duration value);

// "0.1%", "100%", "33.333333%": the share as a percentage, exact to about nine digits.
[[nodiscard]] std::string format_share(share value);

}  // namespace stoa::loadgen
