// Text for people: figures with their units, and HTML-escaped report strings. Locale-independent
// (std::to_chars), so a report renders the same on every host.
#pragma once

#include <string>
#include <string_view>

#include "stoa/loadgen/scenario/threshold.hpp"

namespace stoa::loadgen::report_text {

// & < > " ' as entities: safe in element content and in quoted attributes.
[[nodiscard]] std::string html_escape(std::string_view text);

// `value` to `significant` digits, never in exponent notation: 0.000123, 1.23, 12300.
[[nodiscard]] std::string format_number(double value, int significant = 3);
// A fixed number of decimals (SVG coordinates).
[[nodiscard]] std::string format_fixed(double value, int decimals);
// A whole number grouped by thousands with thin spaces ("12 345"); other values as format_number.
[[nodiscard]] std::string format_count(double value);
// Seconds in the unit that suits them: "850 µs", "12.3 ms", "1.25 s", "12.5 min", "2.1 h".
[[nodiscard]] std::string format_seconds(double seconds);
// A summary figure or a threshold value in its unit's base, written the way --assert reads it.
[[nodiscard]] std::string format_figure(double value, threshold_unit unit);
// "a duration", "a ratio", "bytes", "a rate", "a count": for unit mismatch messages.
[[nodiscard]] std::string_view describe(threshold_unit unit);

}  // namespace stoa::loadgen::report_text
