// The report's JSON form. Writing never throws (invalid UTF-8 in a run string is replaced,
// non-finite numbers become null); reading treats the text as untrusted, like the metrics reader
// it delegates to: bounded parsing, every type checked before use, a typed error naming the field.
#include <algorithm>
#include <cmath>
#include <initializer_list>
#include <optional>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include "stoa/loadgen/metrics/metrics_json.hpp"
#include "stoa/loadgen/report/load_report.hpp"
#include "stoa/loadgen/scenario/shard.hpp"
#include "stoa/loadgen/metrics/bounded_nlohmann.hpp"
#include "stoa/proto/bounded_json.hpp"

namespace stoa::loadgen {
namespace {

using json = nlohmann::json;
using ordered_json = nlohmann::ordered_json;

// Scenario names, server URLs and timestamps are short; a longer one is not a report we wrote.
constexpr std::size_t max_run_text_length = 4096;

std::string dump(const json& value) {
    return value.dump(-1, ' ', false, json::error_handler_t::replace);
}
std::string dump(const ordered_json& value) {
    return value.dump(-1, ' ', false, ordered_json::error_handler_t::replace);
}

// Untrusted keys and values go into error details; keep them short.
std::string shown(std::string_view text) {
    constexpr std::size_t longest = 64;
    return std::string(text.substr(0, longest));
}

failure<report_error> error(report_error_code code, std::string detail) {
    return fail(report_error{code, std::move(detail)});
}

bool is_digits(std::string_view text) {
    return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool is_number_between(std::string_view text, int low, int high) {
    if (!is_digits(text)) return false;
    int number = 0;
    for (const char c : text) number = number * 10 + (c - '0');
    return number >= low && number <= high;
}

// YYYY-MM-DDTHH:MM:SS[.fraction]Z: UTC in one format, so merging can take the earliest by
// comparing the text.
bool is_utc_timestamp(std::string_view text) {
    constexpr std::size_t seconds_end = 19;  // "2026-11-21T22:04:05"
    if (text.size() < seconds_end + 1 || text.back() != 'Z') return false;
    if (text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' || text[16] != ':') return false;
    if (!is_digits(text.substr(0, 4)) || !is_number_between(text.substr(5, 2), 1, 12) ||
        !is_number_between(text.substr(8, 2), 1, 31) || !is_number_between(text.substr(11, 2), 0, 23) ||
        !is_number_between(text.substr(14, 2), 0, 59) || !is_number_between(text.substr(17, 2), 0, 60))
        return false;
    const std::string_view fraction = text.substr(seconds_end, text.size() - seconds_end - 1);
    return fraction.empty() || (fraction[0] == '.' && is_digits(fraction.substr(1)));
}

// Reads the "run" object, remembering the first error so the fields read straight through.
class run_reader {
public:
    explicit run_reader(const json& run) : run_(run) {}

    [[nodiscard]] bool failed() const noexcept { return error_.has_value(); }
    [[nodiscard]] report_error take_error() { return std::move(*error_); }

    bool only_known_keys(std::initializer_list<std::string_view> known) {
        for (const auto& item : run_.items()) {
            if (std::find(known.begin(), known.end(), item.key()) == known.end()) {
                fail_at(path(item.key()), "unknown field");
                return false;
            }
        }
        return true;
    }

    std::string text(std::string_view key, bool (*valid)(std::string_view), const char* expected) {
        const json* value = field(key);
        if (!value) return {};
        if (!value->is_string()) {
            fail_at(path(key), "expected a string");
            return {};
        }
        const auto& string = value->get_ref<const std::string&>();
        if (string.size() > max_run_text_length) {
            fail_at(path(key), "longer than " + std::to_string(max_run_text_length) + " bytes");
            return {};
        }
        if (valid && !valid(string)) {
            fail_at(path(key), expected);
            return {};
        }
        return string;
    }

    std::uint64_t unsigned_number(std::string_view key, std::uint64_t min, std::uint64_t max) {
        const json* value = field(key);
        return value ? unsigned_value(*value, path(key), min, max) : 0;
    }

    double seconds(std::string_view key) {
        const json* value = field(key);
        if (!value) return 0.0;
        if (!value->is_number()) {
            fail_at(path(key), "expected a number of seconds");
            return 0.0;
        }
        const double number = value->get<double>();
        if (!std::isfinite(number) || number < 0.0) {
            fail_at(path(key), "expected a finite number of seconds, not negative");
            return 0.0;
        }
        return number;
    }

    std::vector<std::uint32_t> shards(std::string_view key, std::uint32_t shard_count) {
        std::vector<std::uint32_t> out;
        const json* value = array(key);
        if (!value) return out;
        if (value->empty()) {
            fail_at(path(key), "expected at least one shard");
            return out;
        }
        for (std::size_t i = 0; i < value->size() && !failed(); ++i) {
            const std::string at = path(key) + "[" + std::to_string(i) + "]";
            const auto index = static_cast<std::uint32_t>(unsigned_value((*value)[i], at, 1, shard_count));
            if (!failed() && !out.empty() && index <= out.back()) fail_at(at, "shards must be strictly ascending");
            out.push_back(index);
        }
        return out;
    }

    std::vector<threshold> thresholds(std::string_view key) {
        std::vector<threshold> out;
        const json* value = array(key);
        if (!value) return out;
        for (std::size_t i = 0; i < value->size() && !failed(); ++i) {
            const std::string at = path(key) + "[" + std::to_string(i) + "]";
            const json& item = (*value)[i];
            if (!item.is_string()) {
                fail_at(at, "expected a threshold's text");
                break;
            }
            auto parsed = parse_threshold(item.get_ref<const std::string&>());
            if (!parsed) {
                fail_at(at,
                        parsed.error().message + " (at character " + std::to_string(parsed.error().offset + 1) + ")");
                break;
            }
            out.push_back(std::move(parsed).value());
        }
        return out;
    }

private:
    static std::string path(std::string_view key) { return "run." + std::string(key); }

    void fail_at(std::string at, std::string_view what) {
        if (!error_) error_ = report_error{report_error_code::invalid_field, std::move(at) + ": " + std::string(what)};
    }

    const json* field(std::string_view key) {
        if (failed()) return nullptr;
        const auto it = run_.find(key);
        if (it == run_.end()) {
            fail_at(path(key), "missing");
            return nullptr;
        }
        return &*it;
    }

    const json* array(std::string_view key) {
        const json* value = field(key);
        if (value && !value->is_array()) {
            fail_at(path(key), "expected an array");
            return nullptr;
        }
        return value;
    }

    std::uint64_t unsigned_value(const json& value, const std::string& at, std::uint64_t min, std::uint64_t max) {
        if (failed()) return 0;
        // Parsed text holds non-negative integers as number_unsigned, negative ones as number_integer.
        if (!value.is_number_unsigned()) {
            fail_at(at, value.is_number_integer() ? "expected a number not below " + std::to_string(min)
                                                  : "expected a whole number");
            return 0;
        }
        const auto number = value.get<std::uint64_t>();
        if (number < min || number > max) {
            fail_at(at, "expected a number from " + std::to_string(min) + " to " + std::to_string(max));
            return 0;
        }
        return number;
    }

    const json& run_;
    std::optional<report_error> error_;
};

result<run_info, report_error> read_run(const json& value) {
    if (!value.is_object()) return error(report_error_code::invalid_field, "run: expected an object");
    run_reader in(value);
    if (!in.only_known_keys({"scenario_name", "server", "seed", "shards", "shard_count", "members_planned", "threads",
                             "started_utc", "duration_seconds", "thresholds"}))
        return fail(in.take_error());
    run_info run;
    run.scenario_name = in.text("scenario_name", nullptr, "");
    run.server = in.text("server", nullptr, "");
    run.seed = in.unsigned_number("seed", 0, UINT64_MAX);
    run.shard_count = static_cast<std::uint32_t>(in.unsigned_number("shard_count", 1, max_shards));
    run.shards = in.shards("shards", run.shard_count);
    run.members_planned = static_cast<std::uint32_t>(in.unsigned_number("members_planned", 0, UINT32_MAX));
    run.threads = static_cast<std::uint32_t>(in.unsigned_number("threads", 1, UINT32_MAX));
    run.started_utc = in.text(
        "started_utc", [](std::string_view text) { return text.empty() || is_utc_timestamp(text); },
        "expected a UTC time like 2026-11-21T22:04:05Z (or an empty string)");
    run.duration_seconds = in.seconds("duration_seconds");
    run.thresholds = in.thresholds("thresholds");
    if (in.failed()) return fail(in.take_error());
    return run;
}

// Whole figures (counts, most of all) as integers, for people; the rest as the shortest decimal
// that reads back to the same double. Non-finite values become null.
template <typename Json = json>
Json number_json(double value) {
    constexpr double exact_integers = 9007199254740992.0;  // 2^53
    if (std::isfinite(value) && value == std::floor(value) && std::fabs(value) < exact_integers)
        return Json(static_cast<std::int64_t>(value));
    return Json(value);
}

ordered_json run_to_json(const run_info& run) {
    ordered_json thresholds = ordered_json::array();
    for (const threshold& limit : run.thresholds) thresholds.push_back(limit.text);
    return ordered_json{{"scenario_name", run.scenario_name},
                        {"server", run.server},
                        {"seed", run.seed},
                        {"shards", run.shards},
                        {"shard_count", run.shard_count},
                        {"members_planned", run.members_planned},
                        {"threads", run.threads},
                        {"started_utc", run.started_utc},
                        {"duration_seconds", run.duration_seconds},
                        {"thresholds", std::move(thresholds)}};
}

}  // namespace

std::string_view to_string(report_error_code code) noexcept {
    switch (code) {
        case report_error_code::invalid_json:
            return "invalid_json";
        case report_error_code::wrong_format:
            return "wrong_format";
        case report_error_code::invalid_field:
            return "invalid_field";
        case report_error_code::invalid_metrics:
            return "invalid_metrics";
        case report_error_code::incompatible:
            return "incompatible";
    }
    return "unknown";
}

std::string to_json_text(const load_report& report) {
    const std::vector<summary_value> summary = summarize(report);
    const std::vector<threshold_result> results = check_thresholds(report, summary);

    // One member per line, and one line per figure and per threshold, for people and grep; the
    // metrics stay on one (long) line.
    std::string out = "{\"format\":" + dump(json(std::string(report_format_name))) +
                      ",\"version\":" + std::to_string(report_format_version) +
                      ",\n\"run\":" + dump(run_to_json(report.run));
    out += ",\n\"summary\":{";
    for (std::size_t i = 0; i < summary.size(); ++i) {
        out += i == 0 ? "\n" : ",\n";
        out += dump(json(summary[i].path)) + ":" + dump(number_json(summary[i].value));
    }
    out += "},\n\"thresholds\":[";
    for (std::size_t i = 0; i < results.size(); ++i) {
        const threshold_result& result = results[i];
        out += i == 0 ? "\n" : ",\n";
        out += dump(
            ordered_json{{"text", result.text},
                         {"measured", result.measured ? number_json<ordered_json>(*result.measured) : ordered_json()},
                         {"passed", result.passed},
                         {"problem", result.problem}});
    }
    out += "],\n\"metrics\":" + dump(metrics::to_json(report.metrics)) + "}\n";
    return out;
}

result<load_report, report_error> report_from_json_text(std::string_view text) {
    return report_from_json_text(text, metrics::read_limits{});
}

result<load_report, report_error> report_from_json_text(std::string_view text, const metrics::read_limits& limits) {
    auto parsed =
        metrics::parse_bounded_nlohmann(text, proto::json_limits{limits.max_bytes, limits.max_depth, limits.max_values});
    if (!parsed) {
        const proto::decode_error& failed = parsed.error();
        return error(report_error_code::invalid_json,
                     "(top level): " + std::string(proto::to_string(failed.code)) + ": " + failed.detail);
    }
    const json& document = *parsed;
    if (!document.is_object()) return error(report_error_code::wrong_format, "(top level): expected an object");

    const auto format = document.find("format");
    if (format == document.end()) return error(report_error_code::wrong_format, "format: missing");
    if (!format->is_string() || format->get_ref<const std::string&>() != report_format_name) {
        const std::string found = format->is_string() ? "\"" + shown(format->get_ref<const std::string&>()) + "\"" : "";
        return error(report_error_code::wrong_format,
                     "format: " + (found.empty() ? std::string("expected a string") : found) + " is not " +
                         std::string(report_format_name));
    }
    const auto version = document.find("version");
    if (version == document.end()) return error(report_error_code::wrong_format, "version: missing");
    if (!version->is_number_unsigned() || version->get<std::uint64_t>() != report_format_version)
        return error(report_error_code::wrong_format,
                     "version: this reader knows version " + std::to_string(report_format_version) + " only");

    for (const auto& item : document.items()) {
        const std::string& key = item.key();
        if (key != "format" && key != "version" && key != "run" && key != "summary" && key != "thresholds" &&
            key != "metrics")
            return error(report_error_code::invalid_field, shown(key) + ": unknown field");
    }
    // "summary" and "thresholds" are for readers of the file; they are recomputed, never trusted.
    const auto run_value = document.find("run");
    if (run_value == document.end()) return error(report_error_code::invalid_field, "run: missing");
    auto run = read_run(*run_value);
    if (!run) return fail(std::move(run).error());

    const auto metrics_value = document.find("metrics");
    if (metrics_value == document.end()) return error(report_error_code::invalid_field, "metrics: missing");
    auto set = metrics::metric_set_from_json(*metrics_value, limits);
    if (!set) {
        const metrics::metrics_error& failed = set.error();
        const bool names_a_field = !failed.detail.empty() && failed.detail != "(top level)";
        return error(report_error_code::invalid_metrics, (names_a_field ? "metrics." + failed.detail : "metrics") +
                                                             ": " + std::string(metrics::to_string(failed.code)));
    }
    return load_report{std::move(run).value(), std::move(set).value()};
}

}  // namespace stoa::loadgen
