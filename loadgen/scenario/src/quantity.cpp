// Durations, shares and rates as text. Durations are parsed exactly in decimal (no floating
// point), so "1.004s" is 1,004,000 microseconds and never 1,003,999.
#include "stoa/loadgen/scenario/quantity.hpp"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <optional>

namespace stoa::loadgen {

namespace {

constexpr std::int64_t max_micros =
    std::chrono::duration_cast<std::chrono::microseconds>(max_scenario_duration).count();

struct unit_entry {
    std::string_view name;
    std::int64_t micros;
};
// Longest names first, so "ms" and "min" are tried before "m".
constexpr unit_entry duration_units[] = {
    {"\xC2\xB5s", 1}, {"us", 1},         {"ms", 1'000},        {"min", 60'000'000},
    {"s", 1'000'000}, {"m", 60'000'000}, {"h", 3'600'000'000},
};

bool is_digit(char c) noexcept {
    return c >= '0' && c <= '9';
}

// A finite, non-negative decimal number that takes up the whole text ("12", "0.5", "2e3").
std::optional<double> parse_plain_number(std::string_view text) {
    if (text.empty() || !(is_digit(text.front()) || text.front() == '.')) return std::nullopt;
    double value = 0.0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc{} || end != text.data() + text.size() || !std::isfinite(value)) return std::nullopt;
    return value;
}

}  // namespace

result<duration, std::string> parse_duration(std::string_view text) {
    if (text.empty()) return fail(std::string("it is empty"));
    std::int64_t total = 0;
    std::size_t i = 0;
    while (i < text.size()) {
        // The number: digits, then optionally a point and more digits.
        std::uint64_t whole = 0;
        std::uint64_t fraction = 0;
        int fraction_digits = 0;
        bool any_digit = false;
        bool too_long = false;
        while (i < text.size() && is_digit(text[i])) {
            any_digit = true;
            if (whole > 1'000'000'000'000ULL)
                too_long = true;
            else
                whole = whole * 10 + static_cast<std::uint64_t>(text[i] - '0');
            ++i;
        }
        if (i < text.size() && text[i] == '.') {
            ++i;
            int zeros = 0;  // trailing zeros are held back so "1.500s" is as good as "1.5s"
            while (i < text.size() && is_digit(text[i])) {
                any_digit = true;
                if (text[i] == '0') {
                    ++zeros;
                } else {
                    for (; zeros > 0; --zeros) {
                        fraction *= 10;
                        ++fraction_digits;
                    }
                    fraction = fraction * 10 + static_cast<std::uint64_t>(text[i] - '0');
                    ++fraction_digits;
                    if (fraction_digits > 9) return fail(std::string("it is finer than a microsecond"));
                }
                ++i;
            }
        }
        if (!any_digit) {
            if (i < text.size() && text[i] == '-') return fail(std::string("a duration cannot be negative"));
            if (i > 0) return fail(std::string("unknown unit (use us, ms, s, m or h)"));
            return fail(std::string("a duration is a number and a unit (us, ms, s, m or h)"));
        }
        if (too_long) return fail(std::string("it is longer than 30 days"));
        // The unit.
        const unit_entry* unit = nullptr;
        for (const auto& candidate : duration_units) {
            if (text.substr(i, candidate.name.size()) == candidate.name) {
                unit = &candidate;
                break;
            }
        }
        if (unit == nullptr) {
            if (i == text.size()) return fail(std::string("a number needs a unit: us, ms, s, m or h"));
            return fail(std::string("unknown unit (use us, ms, s, m or h)"));
        }
        i += unit->name.size();
        std::uint64_t scale = 1;
        for (int d = 0; d < fraction_digits; ++d) scale *= 10;
        // fraction < 10^9 and unit < 4·10^9: the product fits in 64 bits.
        const std::uint64_t fraction_micros = fraction * static_cast<std::uint64_t>(unit->micros);
        if (fraction_micros % scale != 0) return fail(std::string("it is finer than a microsecond"));
        if (whole > static_cast<std::uint64_t>(max_micros / unit->micros))
            return fail(std::string("it is longer than 30 days"));
        total += static_cast<std::int64_t>(whole) * unit->micros + static_cast<std::int64_t>(fraction_micros / scale);
        if (total > max_micros) return fail(std::string("it is longer than 30 days"));
    }
    return duration(total);
}

result<share, std::string> parse_share(std::string_view text) {
    if (!text.empty() && text.back() == '%') {
        const auto percent = parse_plain_number(text.substr(0, text.size() - 1));
        if (!percent) return fail(std::string("a share is a percentage from 0% to 100% or a fraction from 0 to 1"));
        if (*percent > 100.0) return fail(std::string("a share is at most 100%"));
        return share{*percent / 100.0};
    }
    const auto fraction = parse_plain_number(text);
    if (!fraction) return fail(std::string("a share is a percentage from 0% to 100% or a fraction from 0 to 1"));
    if (*fraction > 1.0) return fail(std::string("a fraction is at most 1 (write a percentage with %)"));
    return share{*fraction};
}

result<double, std::string> parse_rate(std::string_view text) {
    const auto slash = text.find('/');
    if (slash == std::string_view::npos) return fail(std::string("a rate is a number per unit of time: /s, /m or /h"));
    const auto count = parse_plain_number(text.substr(0, slash));
    if (!count) return fail(std::string("a rate starts with a number that is not negative"));
    const std::string_view unit = text.substr(slash + 1);
    double per_second = 0.0;
    if (unit == "s")
        per_second = *count;
    else if (unit == "m" || unit == "min")
        per_second = *count / 60.0;
    else if (unit == "h")
        per_second = *count / 3600.0;
    else
        return fail(std::string("a rate's unit is /s, /m or /h"));
    return per_second;
}

std::string format_duration(duration value) {
    std::int64_t micros = value.count();
    if (micros == 0) return "0s";
    std::string out;
    if (micros < 0) {
        out += '-';
        micros = -micros;
    }
    const std::int64_t hours = micros / 3'600'000'000;
    micros %= 3'600'000'000;
    const std::int64_t minutes = micros / 60'000'000;
    micros %= 60'000'000;
    if (hours != 0) out += std::to_string(hours) + "h";
    if (minutes != 0) out += std::to_string(minutes) + "m";
    if (micros == 0) return out;
    if (micros % 1'000'000 == 0) return out + std::to_string(micros / 1'000'000) + "s";
    if (micros < 1'000'000 && micros % 1000 == 0) return out + std::to_string(micros / 1000) + "ms";
    if (micros < 1000) return out + std::to_string(micros) + "us";
    std::string fraction = std::to_string(micros % 1'000'000);
    fraction.insert(0, 6 - fraction.size(), '0');
    while (fraction.back() == '0') fraction.pop_back();
    return out + std::to_string(micros / 1'000'000) + "." + fraction + "s";
}

std::string format_share(share value) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.9g%%", value.fraction * 100.0);
    return buffer;
}

}  // namespace stoa::loadgen
