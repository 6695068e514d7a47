// The --assert grammar: METRIC COMPARATOR NUMBER[UNIT]. Errors give the byte offset of the
// problem so the caller can point at it in the flag or in the file.
#include "stoa/loadgen/scenario/threshold.hpp"

#include <charconv>
#include <cmath>

namespace stoa::loadgen {

namespace {

// The characters of stoa::loadgen::metrics' names, less the dot that separates parts here.
bool is_name_char(char c) noexcept {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

struct unit_entry {
    std::string_view name;
    threshold_unit unit;
    double scale;
};
// Longest names first where one is a prefix of another.
constexpr unit_entry threshold_units[] = {
    {"ns", threshold_unit::seconds, 1e-9},
    {"us", threshold_unit::seconds, 1e-6},
    {"\xC2\xB5s", threshold_unit::seconds, 1e-6},
    {"ms", threshold_unit::seconds, 1e-3},
    {"s", threshold_unit::seconds, 1.0},
    {"min", threshold_unit::seconds, 60.0},
    {"m", threshold_unit::seconds, 60.0},
    {"h", threshold_unit::seconds, 3600.0},
    {"%", threshold_unit::ratio, 0.01},
    {"B", threshold_unit::bytes, 1.0},
    {"KB", threshold_unit::bytes, 1e3},
    {"MB", threshold_unit::bytes, 1e6},
    {"GB", threshold_unit::bytes, 1e9},
    {"KiB", threshold_unit::bytes, 1024.0},
    {"MiB", threshold_unit::bytes, 1024.0 * 1024.0},
    {"GiB", threshold_unit::bytes, 1024.0 * 1024.0 * 1024.0},
    {"/s", threshold_unit::per_second, 1.0},
    {"/min", threshold_unit::per_second, 1.0 / 60.0},
    {"/m", threshold_unit::per_second, 1.0 / 60.0},
    {"/h", threshold_unit::per_second, 1.0 / 3600.0},
};

failure<threshold_syntax_error> error_at(std::size_t offset, std::string message) {
    return fail(threshold_syntax_error{offset, std::move(message)});
}

}  // namespace

std::string threshold::metric_path() const {
    std::string out;
    for (const auto& part : metric) {
        if (!out.empty()) out += '.';
        out += part;
    }
    return out;
}

bool threshold::holds(double measured) const noexcept {
    switch (compare) {
        case comparator::less:
            return measured < value.magnitude;
        case comparator::less_or_equal:
            return measured <= value.magnitude;
        case comparator::greater:
            return measured > value.magnitude;
        case comparator::greater_or_equal:
            return measured >= value.magnitude;
        case comparator::equal:
            return measured == value.magnitude;
    }
    return false;
}

const char* to_string(comparator compare) noexcept {
    switch (compare) {
        case comparator::less:
            return "<";
        case comparator::less_or_equal:
            return "<=";
        case comparator::greater:
            return ">";
        case comparator::greater_or_equal:
            return ">=";
        case comparator::equal:
            return "==";
    }
    return "?";
}

result<threshold, threshold_syntax_error> parse_threshold(std::string_view text) {
    threshold out;
    out.text = std::string(text);
    std::size_t i = 0;
    const auto skip_spaces = [&] {
        while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
    };
    skip_spaces();

    // METRIC: name parts separated by dots; the first starts with a letter.
    const std::size_t metric_start = i;
    while (true) {
        const std::size_t part_start = i;
        while (i < text.size() && is_name_char(text[i])) ++i;
        if (i == part_start) {
            if (i < text.size() && text[i] >= 'A' && text[i] <= 'Z') {
                return error_at(i, "metric names are lower case, like join.p99");
            }
            return error_at(
                i, out.metric.empty() ? "expected a metric name like join.p99" : "expected a name after the dot");
        }
        if (out.metric.empty() && !(text[part_start] >= 'a' && text[part_start] <= 'z')) {
            return error_at(part_start, "a metric name starts with a letter, like join.p99");
        }
        out.metric.emplace_back(text.substr(part_start, i - part_start));
        if (i < text.size() && text[i] == '.') {
            ++i;
            continue;
        }
        break;
    }
    if (i < text.size() && text[i] >= 'A' && text[i] <= 'Z')
        return error_at(i, "metric names are lower case, like join.p99");
    (void)metric_start;

    // COMPARATOR
    skip_spaces();
    const std::string_view rest = text.substr(i);
    if (rest.starts_with("<=")) {
        out.compare = comparator::less_or_equal;
        i += 2;
    } else if (rest.starts_with(">=")) {
        out.compare = comparator::greater_or_equal;
        i += 2;
    } else if (rest.starts_with("==")) {
        out.compare = comparator::equal;
        i += 2;
    } else if (rest.starts_with("<")) {
        out.compare = comparator::less;
        i += 1;
    } else if (rest.starts_with(">")) {
        out.compare = comparator::greater;
        i += 1;
    } else if (rest.starts_with("=")) {
        return error_at(i, "use == to compare for equality");
    } else if (rest.empty()) {
        return error_at(i, "expected a comparator (<, <=, >, >= or ==) and a value after the metric");
    } else {
        return error_at(i, "expected a comparator: <, <=, >, >= or ==");
    }

    // NUMBER
    skip_spaces();
    const std::size_t number_start = i;
    if (i >= text.size()) return error_at(i, "expected a value after the comparator");
    if (text[i] == '-') return error_at(i, "thresholds are not negative");
    if (!((text[i] >= '0' && text[i] <= '9') || text[i] == '.'))
        return error_at(i, "expected a number, like 1s or 0.1%");
    double number = 0.0;
    const auto [end, error] = std::from_chars(text.data() + i, text.data() + text.size(), number);
    if (error != std::errc{} || !std::isfinite(number))
        return error_at(number_start, "expected a number, like 1s or 0.1%");
    i = static_cast<std::size_t>(end - text.data());

    // UNIT (optional), then only trailing spaces.
    std::size_t unit_end = i;
    while (unit_end < text.size() && text[unit_end] != ' ' && text[unit_end] != '\t') ++unit_end;
    const std::string_view unit_text = text.substr(i, unit_end - i);
    if (!unit_text.empty()) {
        const unit_entry* unit = nullptr;
        for (const auto& candidate : threshold_units) {
            if (unit_text == candidate.name) {
                unit = &candidate;
                break;
            }
        }
        if (unit == nullptr) {
            return error_at(
                i, "unknown unit \"" + std::string(unit_text) +
                       "\" (use a time unit ns, us, ms, s, m, h; %; B, KB, MB, GB, KiB, MiB, GiB; or /s, /m, /h)");
        }
        out.value = {number * unit->scale, unit->unit};
    } else {
        out.value = {number, threshold_unit::none};
    }
    i = unit_end;
    skip_spaces();
    if (i != text.size()) return error_at(i, "unexpected text after the value");
    return out;
}

}  // namespace stoa::loadgen
