// Number formatting with std::to_chars: no locale, no exponent notation in what people read.
#include "text_format.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>

namespace stoa::loadgen::report_text {

std::string html_escape(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (const char c : text) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            case '\'':
                out += "&#39;";
                break;
            default:
                out += c;
        }
    }
    return out;
}

std::string format_fixed(double value, int decimals) {
    if (!std::isfinite(value)) return "0";
    std::array<char, 400> buffer{};
    const auto [end, error] =
        std::to_chars(buffer.data(), buffer.data() + buffer.size(), value, std::chars_format::fixed, decimals);
    if (error != std::errc{}) return "0";
    std::string out(buffer.data(), end);
    if (out == "-0" || (out.starts_with("-0.") && out.find_first_not_of("-0.") == std::string::npos))
        out.erase(0, 1);  // no "-0.0"
    return out;
}

std::string format_number(double value, int significant) {
    if (!std::isfinite(value)) return std::isnan(value) ? "NaN" : (value > 0 ? "∞" : "-∞");
    if (value == 0.0) return "0";
    constexpr int most_decimals = 12;
    const int magnitude = static_cast<int>(std::floor(std::log10(std::fabs(value))));
    int decimals = significant - 1 - magnitude;
    if (decimals < 0) decimals = 0;
    if (decimals > most_decimals) decimals = most_decimals;
    std::string out = format_fixed(value, decimals);
    if (out.find('.') != std::string::npos) {
        while (out.back() == '0') out.pop_back();
        if (out.back() == '.') out.pop_back();
    }
    return out;
}

std::string format_count(double value) {
    constexpr double largest_grouped = 1e18;
    if (!std::isfinite(value) || value != std::floor(value) || std::fabs(value) >= largest_grouped)
        return format_number(value, 4);
    const bool negative = value < 0;
    const std::string digits = std::to_string(static_cast<std::uint64_t>(std::fabs(value)));
    std::string out = negative ? "-" : "";
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0) out += "\u2009";  // thin space
        out += digits[i];
    }
    return out;
}

std::string format_seconds(double seconds) {
    const double size = std::fabs(seconds);
    if (seconds == 0.0) return "0 s";
    if (size < 1e-3) return format_number(seconds * 1e6) + " µs";
    if (size < 1.0) return format_number(seconds * 1e3) + " ms";
    if (size < 600.0) return format_number(seconds) + " s";
    if (size < 7200.0) return format_number(seconds / 60.0) + " min";
    return format_number(seconds / 3600.0) + " h";
}

std::string format_figure(double value, threshold_unit unit) {
    switch (unit) {
        case threshold_unit::seconds:
            return format_seconds(value);
        case threshold_unit::ratio:
            return format_number(value * 100.0) + "%";
        case threshold_unit::bytes: {
            constexpr std::array<std::string_view, 5> names{"B", "KiB", "MiB", "GiB", "TiB"};
            double scaled = value;
            std::size_t step = 0;
            while (std::fabs(scaled) >= 1024.0 && step + 1 < names.size()) {
                scaled /= 1024.0;
                ++step;
            }
            return format_number(scaled) + " " + std::string(names[step]);
        }
        case threshold_unit::per_second:
            return format_number(value) + " /s";
        case threshold_unit::none:
            return format_count(value);
    }
    return format_number(value);
}

std::string_view describe(threshold_unit unit) {
    switch (unit) {
        case threshold_unit::none:
            return "a count";
        case threshold_unit::seconds:
            return "a duration";
        case threshold_unit::ratio:
            return "a ratio";
        case threshold_unit::bytes:
            return "bytes";
        case threshold_unit::per_second:
            return "a rate";
    }
    return "a number";
}

}  // namespace stoa::loadgen::report_text
