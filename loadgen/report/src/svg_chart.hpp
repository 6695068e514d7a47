// The HTML report's charts as inline SVG drawn here, so the page needs no script and no network:
// per-interval time charts and HdrHistogram-style percentile curves, with axes, ticks and units.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "stoa/loadgen/metrics/log_histogram.hpp"

namespace stoa::loadgen::report_svg {

// Colour-blind-safe line colours (Okabe and Ito), cycled when there are more lines.
[[nodiscard]] std::string_view line_color(std::size_t index) noexcept;

// One line of a time chart: a value per interval, nullopt where the interval has none.
struct time_line {
    std::string name;
    std::string_view color;
    std::vector<std::optional<double>> values;
};

struct time_chart {
    std::string title;              // the chart's accessible name
    std::string y_label;            // the values' unit, shown above the y axis: "members", "ms"
    double interval_seconds = 1.0;  // the width of each interval
    std::vector<time_line> lines;   // all of the same length
    bool bars = false;              // draw the lines as bars (counts per interval)
    bool whole_numbers = false;     // y ticks only at whole numbers
};

// Intervals along x (seconds since the start, each value at its interval's middle), values along a
// linear y from 0. A line with one value, or an isolated value between gaps, is drawn as a dot.
[[nodiscard]] std::string render_time_chart(const time_chart& chart);

// A latency distribution by percentile: x = log10(1 / (1 - q)), so 90%, 99%, 99.9% and 99.99% are
// evenly spaced; y = the latency in microseconds.
struct percentile_curve {
    std::string name;
    std::string_view color;
    std::uint64_t count = 0;
    std::vector<double> x;  // log10(1 / (1 - q))
    std::vector<double> micros;
};

inline constexpr double percentile_x_max = 4.0;  // 99.99%

// The curve of a non-empty histogram, sampled evenly in x over [0, percentile_x_max], each value
// as log_histogram::value_at_quantile gives it. One pass over the buckets.
[[nodiscard]] percentile_curve sample_percentiles(const metrics::log_histogram& histogram, std::string name,
                                                  std::string_view color);

// The curves on a log y axis (latency) against the percentile axis, with a legend.
[[nodiscard]] std::string render_percentile_chart(std::span<const percentile_curve> curves, std::string_view title);

}  // namespace stoa::loadgen::report_svg
