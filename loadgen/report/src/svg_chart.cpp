// SVG charts drawn as text. Coordinates are in a fixed viewBox that CSS scales to the page width;
// every label goes through html_escape even where it is one of our own metric names.
#include "svg_chart.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>

#include "stoa/loadgen/metrics/quantile.hpp"
#include "text_format.hpp"

namespace stoa::loadgen::report_svg {
namespace {

using report_text::format_fixed;
using report_text::format_number;
using report_text::html_escape;

std::string coord(double value) {
    return format_fixed(value, 1);
}

// The plot area inside a chart's viewBox.
struct plot_area {
    double width;
    double height;
    double left;
    double top;
    double right;
    double bottom;
};

std::string svg_open(const plot_area& area, std::string_view title) {
    std::string out = "<svg class=\"chart\" viewBox=\"0 0 " + coord(area.width) + " " + coord(area.height) +
                      "\" role=\"img\" aria-label=\"" + html_escape(title) + "\">";
    out += "<title>" + html_escape(title) + "</title>";
    return out;
}

std::string text_at(double x, double y, std::string_view anchor, std::string_view css_class, std::string_view text) {
    return "<text class=\"" + std::string(css_class) + "\" x=\"" + coord(x) + "\" y=\"" + coord(y) +
           "\" text-anchor=\"" + std::string(anchor) + "\">" + html_escape(text) + "</text>";
}

std::string line_at(double x1, double y1, double x2, double y2, std::string_view css_class) {
    return "<line class=\"" + std::string(css_class) + "\" x1=\"" + coord(x1) + "\" y1=\"" + coord(y1) + "\" x2=\"" +
           coord(x2) + "\" y2=\"" + coord(y2) + "\"/>";
}

std::string axes(const plot_area& area) {
    return line_at(area.left, area.top, area.left, area.bottom, "axis") +
           line_at(area.left, area.bottom, area.right, area.bottom, "axis");
}

// A step of 1, 2 or 5 times a power of ten that splits `range` into about `ticks` parts.
double nice_step(double range, double ticks) {
    if (!(range > 0.0) || !std::isfinite(range)) return 1.0;
    const double raw = range / ticks;
    const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
    const double normalized = raw / magnitude;
    const double nice = normalized <= 1.0 ? 1.0 : normalized <= 2.0 ? 2.0 : normalized <= 5.0 ? 5.0 : 10.0;
    return nice * magnitude;
}

// Axis labels stay short: 12k, 3.5M.
std::string compact_number(double value) {
    const double size = std::fabs(value);
    if (size >= 1e12) return format_number(value / 1e12) + "T";
    if (size >= 1e9) return format_number(value / 1e9) + "G";
    if (size >= 1e6) return format_number(value / 1e6) + "M";
    if (size >= 1e4) return format_number(value / 1e3) + "k";
    return format_number(value, 4);
}

// The time axis: plain seconds for short runs, min:s or h:min:s for longer ones.
struct time_axis {
    double step = 1.0;
    enum class style : std::uint8_t { seconds, minutes, hours } labels = style::seconds;

    [[nodiscard]] std::string title() const {
        switch (labels) {
            case style::minutes:
                return "time since the start (min:s)";
            case style::hours:
                return "time since the start (h:min:s)";
            case style::seconds:
                break;
        }
        return "seconds since the start";
    }

    [[nodiscard]] std::string label(double seconds) const {
        if (labels == style::seconds) return compact_number(seconds);
        const auto total = static_cast<std::uint64_t>(std::llround(seconds));
        const auto two_digits = [](std::uint64_t n) { return (n < 10 ? "0" : "") + std::to_string(n); };
        if (labels == style::minutes) return std::to_string(total / 60) + ":" + two_digits(total % 60);
        return std::to_string(total / 3600) + ":" + two_digits(total % 3600 / 60) + ":" + two_digits(total % 60);
    }
};

time_axis time_axis_for(double total_seconds) {
    constexpr double most_ticks = 8.0;
    constexpr std::array<double, 17> steps{1,   2,   5,    10,   15,   30,    60,    120,  300,
                                           600, 900, 1800, 3600, 7200, 10800, 21600, 43200};
    time_axis axis;
    constexpr double minutes_from = 120.0;
    constexpr double hours_from = 3 * 3600.0;
    constexpr double clock_until = 1e7;  // past about four months, plain (compact) seconds
    if (total_seconds > minutes_from && total_seconds <= clock_until)
        axis.labels = total_seconds > hours_from ? time_axis::style::hours : time_axis::style::minutes;
    axis.step = 0.0;
    for (const double step : steps) {
        if (total_seconds / step <= most_ticks) {
            axis.step = step;
            break;
        }
    }
    if (axis.step == 0.0) {
        axis.step = axis.labels == time_axis::style::seconds ? nice_step(total_seconds, most_ticks - 2)
                                                             : std::ceil(total_seconds / most_ticks / 86400) * 86400;
    }
    return axis;
}

std::string polyline(const std::vector<std::pair<double, double>>& points, std::string_view color) {
    if (points.size() == 1)
        return "<circle cx=\"" + coord(points[0].first) + "\" cy=\"" + coord(points[0].second) +
               "\" r=\"2.5\" fill=\"" + std::string(color) + "\"/>";
    std::string out = "<polyline class=\"line\" stroke=\"" + std::string(color) + "\" points=\"";
    for (std::size_t i = 0; i < points.size(); ++i) {
        if (i > 0) out += ' ';
        out += coord(points[i].first) + "," + coord(points[i].second);
    }
    return out + "\"/>";
}

std::string legend(const plot_area& area, double y, const std::vector<std::pair<std::string, std::string_view>>& items,
                   std::size_t per_row) {
    std::string out = "<g class=\"legend\">";
    const double column = (area.right - area.left) / static_cast<double>(per_row);
    for (std::size_t i = 0; i < items.size(); ++i) {
        const double x = area.left + column * static_cast<double>(i % per_row);
        const double row_y = y + 18.0 * static_cast<double>(i / per_row);
        out += "<rect x=\"" + coord(x) + "\" y=\"" + coord(row_y - 9) + "\" width=\"12\" height=\"10\" fill=\"" +
               std::string(items[i].second) + "\"/>";
        out += text_at(x + 17, row_y, "start", "label", items[i].first);
    }
    return out + "</g>";
}

std::string micros_label(double micros) {
    if (micros < 1e3) return format_number(micros) + " µs";
    if (micros < 1e6) return format_number(micros / 1e3) + " ms";
    return format_number(micros / 1e6) + " s";
}

}  // namespace

std::string_view line_color(std::size_t index) noexcept {
    constexpr std::array<std::string_view, 8> colors{"#0072b2", "#d55e00", "#009e73", "#cc79a7",
                                                     "#e69f00", "#56b4e9", "#8c564b", "#555555"};
    return colors[index % colors.size()];
}

std::string render_time_chart(const time_chart& chart) {
    const plot_area area{560, 250, 58, 26, 546, 208};
    std::size_t intervals = 1;
    double highest = 0.0;
    for (const time_line& line : chart.lines) {
        intervals = std::max(intervals, line.values.size());
        for (const auto& value : line.values) {
            if (value && std::isfinite(*value)) highest = std::max(highest, *value);
        }
    }
    const double width = chart.interval_seconds > 0.0 ? chart.interval_seconds : 1.0;
    const double total = width * static_cast<double>(intervals);
    const auto x_of = [&](double seconds) { return area.left + (area.right - area.left) * seconds / total; };

    double step = nice_step(highest > 0.0 ? highest : 1.0, 5.0);
    if (chart.whole_numbers) step = std::max(step, 1.0);
    double top = step * std::ceil(highest / step);
    if (!(top > 0.0)) top = chart.whole_numbers ? step : 1.0;  // all zero: an axis from 0 to 1
    const auto y_of = [&](double value) { return area.bottom - (area.bottom - area.top) * value / top; };

    std::string out = svg_open(area, chart.title);
    constexpr int most_ticks = 12;
    for (int k = 0; k <= most_ticks && static_cast<double>(k) * step <= top * (1 + 1e-9); ++k) {
        const double value = static_cast<double>(k) * step;
        out += line_at(area.left, y_of(value), area.right, y_of(value), "grid");
        out += text_at(area.left - 6, y_of(value) + 4, "end", "tick", compact_number(value));
    }
    const time_axis axis = time_axis_for(total);
    for (int k = 0; k <= most_ticks && static_cast<double>(k) * axis.step <= total * (1 + 1e-9); ++k) {
        const double seconds = static_cast<double>(k) * axis.step;
        out += line_at(x_of(seconds), area.bottom, x_of(seconds), area.bottom + 4, "axis");
        out += text_at(x_of(seconds), area.bottom + 16, "middle", "tick", axis.label(seconds));
    }
    out += axes(area);
    out += text_at(area.left, area.top - 12, "start", "unit", chart.y_label);
    out += text_at((area.left + area.right) / 2, area.height - 6, "middle", "unit", axis.title());

    const double slot = (area.right - area.left) / static_cast<double>(intervals);
    for (const time_line& line : chart.lines) {
        out += "<g><title>" + html_escape(line.name) + "</title>";
        if (chart.bars) {
            const double bar = std::max(slot * 0.8, 0.5);
            for (std::size_t i = 0; i < line.values.size(); ++i) {
                const auto& value = line.values[i];
                if (!value || !(*value > 0.0)) continue;
                const double x = area.left + slot * static_cast<double>(i) + (slot - bar) / 2;
                out += "<rect x=\"" + coord(x) + "\" y=\"" + coord(y_of(*value)) + "\" width=\"" +
                       format_fixed(bar, 2) + "\" height=\"" + coord(area.bottom - y_of(*value)) + "\" fill=\"" +
                       std::string(line.color) + "\"/>";
            }
        } else {
            std::vector<std::pair<double, double>> points;
            for (std::size_t i = 0; i <= line.values.size(); ++i) {
                if (i < line.values.size() && line.values[i] && std::isfinite(*line.values[i])) {
                    const double middle = (static_cast<double>(i) + 0.5) * width;
                    points.emplace_back(x_of(middle), y_of(*line.values[i]));
                } else if (!points.empty()) {
                    out += polyline(points, line.color);
                    points.clear();
                }
            }
        }
        out += "</g>";
    }
    if (chart.lines.size() > 1) {
        std::vector<std::pair<std::string, std::string_view>> items;
        for (const time_line& line : chart.lines) items.emplace_back(line.name, line.color);
        const plot_area legend_area{area.width, area.height, area.right - 90.0 * static_cast<double>(items.size()),
                                    area.top,   area.right,  area.bottom};
        out += legend(legend_area, area.top - 12, items, items.size());
    }
    return out + "</svg>";
}

percentile_curve sample_percentiles(const metrics::log_histogram& histogram, std::string name, std::string_view color) {
    percentile_curve curve{std::move(name), color, histogram.count(), {}, {}};
    if (histogram.empty()) return curve;
    struct bucket {
        std::uint64_t highest;
        std::uint64_t count;
    };
    std::vector<bucket> buckets;
    for (const metrics::bucket_view view : histogram.buckets()) buckets.push_back({view.highest, view.count});
    const std::uint64_t lowest = *histogram.min();
    const std::uint64_t highest = *histogram.max();

    constexpr int samples = 200;
    std::size_t at = 0;
    std::uint64_t cumulative = buckets.front().count;
    for (int k = 0; k <= samples; ++k) {
        const double x = percentile_x_max * static_cast<double>(k) / samples;
        const double q = 1.0 - std::pow(10.0, -x);
        const std::uint64_t rank = metrics::rank_for_quantile(q, histogram.count());
        while (cumulative < rank && at + 1 < buckets.size()) cumulative += buckets[++at].count;
        curve.x.push_back(x);
        curve.micros.push_back(static_cast<double>(std::clamp(buckets[at].highest, lowest, highest)));
    }
    return curve;
}

std::string render_percentile_chart(std::span<const percentile_curve> curves, std::string_view title) {
    constexpr std::size_t per_row = 4;
    const std::size_t rows = (curves.size() + per_row - 1) / per_row;
    const double bottom = 26 + 260;
    const double height = bottom + 48 + 18.0 * static_cast<double>(rows);
    // As wide as the page's content, so its text is the size of the time charts'.
    const plot_area area{1100, height, 70, 26, 1066, bottom};

    double lowest = INFINITY;
    double highest = 0.0;
    for (const percentile_curve& curve : curves) {
        for (const double micros : curve.micros) {
            lowest = std::min(lowest, std::max(micros, 1.0));
            highest = std::max(highest, std::max(micros, 1.0));
        }
    }
    if (!std::isfinite(lowest)) lowest = highest = 1.0;
    const double decade_low = std::floor(std::log10(lowest));
    double decade_high = std::ceil(std::log10(highest));
    if (decade_high <= decade_low) decade_high = decade_low + 1;
    const auto x_of = [&](double x) { return area.left + (area.right - area.left) * x / percentile_x_max; };
    const auto y_of = [&](double micros) {
        const double position = (std::log10(std::max(micros, 1.0)) - decade_low) / (decade_high - decade_low);
        return area.bottom - (area.bottom - area.top) * position;
    };

    std::string out = svg_open(area, title);
    const double decades = decade_high - decade_low;
    const double decade_step = std::max(1.0, std::ceil(decades / 10));
    for (double decade = decade_low; decade <= decade_high; decade += decade_step) {
        const double micros = std::pow(10.0, decade);
        out += line_at(area.left, y_of(micros), area.right, y_of(micros), "grid");
        out += text_at(area.left - 6, y_of(micros) + 4, "end", "tick", micros_label(micros));
        if (decades <= 2 && decade < decade_high) {
            for (const double factor : {2.0, 5.0}) {
                out += line_at(area.left, y_of(micros * factor), area.right, y_of(micros * factor), "grid minor");
                out += text_at(area.left - 6, y_of(micros * factor) + 4, "end", "tick", micros_label(micros * factor));
            }
        }
    }
    struct percentile_tick {
        double x;
        std::string_view label;
    };
    const std::array<percentile_tick, 6> ticks{
        {{0.0, "0%"}, {std::log10(2.0), "50%"}, {1.0, "90%"}, {2.0, "99%"}, {3.0, "99.9%"}, {4.0, "99.99%"}}};
    for (const percentile_tick& tick : ticks) {
        out += line_at(x_of(tick.x), area.top, x_of(tick.x), area.bottom, "grid");
        out += line_at(x_of(tick.x), area.bottom, x_of(tick.x), area.bottom + 4, "axis");
        out += text_at(x_of(tick.x), area.bottom + 16, "middle", "tick", tick.label);
    }
    out += axes(area);
    out += text_at(area.left, area.top - 12, "start", "unit", "latency (log scale)");
    out += text_at((area.left + area.right) / 2, area.bottom + 34, "middle", "unit", "percentile");

    std::vector<std::pair<std::string, std::string_view>> items;
    for (const percentile_curve& curve : curves) {
        std::vector<std::pair<double, double>> points;
        for (std::size_t i = 0; i < curve.x.size() && i < curve.micros.size(); ++i)
            points.emplace_back(x_of(curve.x[i]), y_of(curve.micros[i]));
        if (points.empty()) continue;
        out += "<g><title>" + html_escape(curve.name) + "</title>" + polyline(points, curve.color) + "</g>";
        items.emplace_back(curve.name + " (" + report_text::format_count(static_cast<double>(curve.count)) + ")",
                           curve.color);
    }
    out += legend(area, area.bottom + 56, items, per_row);
    return out + "</svg>";
}

}  // namespace stoa::loadgen::report_svg
