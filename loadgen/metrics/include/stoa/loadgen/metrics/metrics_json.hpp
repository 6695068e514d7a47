// The JSON form of histograms, time series and metric sets: lossless and compact (a histogram is
// its configuration, exact min/max/clamped and [bucket index, count] pairs), so `stoa-load merge`
// combines reports from several hosts exactly. Reading treats the text as untrusted: every
// failure is a typed metrics_error, nothing throws, and memory is bounded by read_limits.
// The format is described in docs/loadgen.md, "Metrics".
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "stoa/common/result.hpp"
#include "stoa/loadgen/metrics/log_histogram.hpp"
#include "stoa/loadgen/metrics/metric_set.hpp"
#include "stoa/loadgen/metrics/metrics_error.hpp"
#include "stoa/loadgen/metrics/time_series.hpp"

namespace stoa::loadgen::metrics {

inline constexpr std::string_view metrics_format_name = "stoa-load-metrics";
inline constexpr std::uint64_t metrics_format_version = 1;

struct read_limits {
    std::size_t max_bytes = std::size_t{64} << 20;  // text size
    std::size_t max_values = std::size_t{1} << 22;  // JSON values (each costs a DOM node)
    std::size_t max_depth = 8;
    // Dense counters that all histograms of one document may allocate together (8 bytes each):
    // 2^23 is 64 MiB, 44 histograms of 1 us to 1 hour at 3 digits.
    std::size_t max_counters = std::size_t{1} << 23;
};

[[nodiscard]] nlohmann::json to_json(const log_histogram& histogram);
[[nodiscard]] nlohmann::json to_json(const time_series& series);
[[nodiscard]] nlohmann::json to_json(const metric_set& set);
// The metric set as compact JSON text.
[[nodiscard]] std::string to_json_text(const metric_set& set);

// From an already parsed value (e.g. the "metrics" member of a larger report).
[[nodiscard]] result<log_histogram, metrics_error> histogram_from_json(const nlohmann::json& value,
                                                                       const read_limits& limits = {});
[[nodiscard]] result<time_series, metrics_error> series_from_json(const nlohmann::json& value,
                                                                  const read_limits& limits = {});
[[nodiscard]] result<metric_set, metrics_error> metric_set_from_json(const nlohmann::json& value,
                                                                     const read_limits& limits = {});
// From text: size, UTF-8, depth, value count and duplicate keys are checked while parsing.
[[nodiscard]] result<metric_set, metrics_error> metric_set_from_json_text(std::string_view text,
                                                                          const read_limits& limits = {});

}  // namespace stoa::loadgen::metrics
