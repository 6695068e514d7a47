// The typed errors of stoa-load's metrics: a configuration that cannot be built, histograms that
// cannot be merged, and every way a serialized report (untrusted JSON) can be wrong.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace stoa::loadgen::metrics {

enum class metrics_error_code : std::uint8_t {
    invalid_config,       // a histogram or time series configuration outside its documented limits
    config_mismatch,      // merging histograms, series or metric sets whose configurations differ
    invalid_name,         // a metric name that is empty, too long or uses other than [a-z0-9_.-]
    duplicate_name,       // the same metric name registered twice
    count_overflow,       // a merge or a parsed report whose counts would exceed 2^64 - 1
    invalid_json,         // not JSON, too large, too deep, too many values, or a duplicate key
    wrong_type,           // e.g. a string or a float where an unsigned integer belongs
    missing_field,        // a required key is absent
    unknown_field,        // a key the format does not define
    out_of_range,         // a number outside its stated range, e.g. a bucket index past the counts
    not_ascending,        // bucket indexes not strictly increasing, or a zero count listed
    inconsistent,         // fields that contradict each other (count, min, max, clamped, lengths)
    too_large,            // a report that would allocate more than the reader's budget
    unsupported_version,  // a format or version this reader does not know
};

[[nodiscard]] std::string_view to_string(metrics_error_code code) noexcept;

// The code plus a short path to the offending field, e.g. "histograms.join.buckets[3]".
struct metrics_error {
    metrics_error_code code{};
    std::string detail;

    friend bool operator==(const metrics_error&, const metrics_error&) = default;
};

}  // namespace stoa::loadgen::metrics
