// Pass/fail thresholds for CI runs: `--assert 'join.p99<1s'`, `--assert 'frames.loss<0.1%'`.
// A threshold is a metric path, a comparator and a value with its unit; the report decides
// whether the path names a metric and whether the unit suits it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "stoa/common/result.hpp"

namespace stoa::loadgen {

enum class comparator : std::uint8_t { less, less_or_equal, greater, greater_or_equal, equal };

enum class threshold_unit : std::uint8_t {
    none,        // a count or a plain number: "errors.count==0"
    seconds,     // written ns, us, µs, ms, s, m or h; held in seconds
    ratio,       // written with %; held as a fraction (0.1% is 0.001)
    bytes,       // written B, KB, MB, GB (powers of 1000) or KiB, MiB, GiB (powers of 1024); held in bytes
    per_second,  // written /s, /m or /h; held per second
};

struct threshold_value {
    double magnitude = 0.0;  // in the unit's base (seconds, fraction, bytes, per second)
    threshold_unit unit = threshold_unit::none;

    friend bool operator==(const threshold_value&, const threshold_value&) = default;
};

struct threshold {
    std::vector<std::string> metric;  // the path's parts: {"join", "p99"}
    comparator compare = comparator::less;
    threshold_value value;
    std::string text;  // as written, for reports

    // "join.p99"
    [[nodiscard]] std::string metric_path() const;
    // Whether a measured value (in the unit's base) meets the threshold.
    [[nodiscard]] bool holds(double measured) const noexcept;

    friend bool operator==(const threshold&, const threshold&) = default;
};

struct threshold_syntax_error {
    std::size_t offset = 0;  // 0-based byte offset in the text where the problem starts
    std::string message;

    friend bool operator==(const threshold_syntax_error&, const threshold_syntax_error&) = default;
};

// METRIC COMPARATOR NUMBER[UNIT], spaces allowed around the comparator. METRIC is dot-separated
// parts of [a-z0-9_-] (the first starting with a letter); COMPARATOR is <, <=, >, >= or ==; NUMBER is
// decimal ("1", "0.5", "2e3"), not negative.
[[nodiscard]] result<threshold, threshold_syntax_error> parse_threshold(std::string_view text);

[[nodiscard]] const char* to_string(comparator compare) noexcept;

}  // namespace stoa::loadgen
