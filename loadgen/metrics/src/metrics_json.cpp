// Writing and reading the metrics JSON. The reader checks the type of every value before touching
// it (nlohmann::json throws on a wrong-typed get), so no exception can escape.
#include "stoa/loadgen/metrics/metrics_json.hpp"

#include <initializer_list>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "stoa/loadgen/metrics/bounded_nlohmann.hpp"

namespace stoa::loadgen::metrics {
namespace {

using json = nlohmann::json;

json config_to_json(const histogram_config& config) {
    return json{{"lowest_discernible", config.lowest_discernible},
                {"highest_trackable", config.highest_trackable},
                {"significant_digits", config.significant_digits}};
}

json sparse_to_json(const sparse_counts& counts) {
    json pairs = json::array();
    for (const bucket_count& entry : counts) pairs.push_back(json::array({entry.index, entry.count}));
    return pairs;
}

// Keys from untrusted input go into error details; keep them short.
std::string shown(std::string_view key) {
    constexpr std::size_t longest = 64;
    return std::string(key.substr(0, longest));
}

// Reads typed fields, remembering the first error; later reads then return nothing, so callers
// read straight through and check once.
class reader {
public:
    explicit reader(const read_limits& limits) : counters_left_(limits.max_counters) {}

    [[nodiscard]] bool failed() const noexcept { return error_.has_value(); }
    [[nodiscard]] metrics_error take_error() { return std::move(*error_); }
    void fail(metrics_error_code code, std::string path) {
        if (!error_) error_ = metrics_error{code, std::move(path)};
    }

    // An object whose keys are all known; the unknown one is named in the error.
    bool object(const json& value, const std::string& path, std::initializer_list<std::string_view> known) {
        if (failed()) return false;
        if (!value.is_object()) {
            fail(metrics_error_code::wrong_type, path.empty() ? "(top level)" : path);
            return false;
        }
        for (const auto& item : value.items()) {
            bool is_known = false;
            for (std::string_view k : known) is_known = is_known || item.key() == k;
            if (!is_known) {
                fail(metrics_error_code::unknown_field, join(path, shown(item.key())));
                return false;
            }
        }
        return true;
    }

    const json* field(const json& object, std::string_view key, const std::string& path) {
        if (failed()) return nullptr;
        const auto it = object.find(key);
        if (it == object.end()) {
            fail(metrics_error_code::missing_field, join(path, key));
            return nullptr;
        }
        return &*it;
    }

    std::optional<std::uint64_t> unsigned_value(const json& value, const std::string& path, std::uint64_t min,
                                                std::uint64_t max) {
        if (failed()) return std::nullopt;
        // Parsed text holds non-negative integers as number_unsigned; a value built in C++ from a
        // signed integer is number_integer whatever its sign. Fractions are number_float.
        if (!value.is_number_integer()) {
            fail(metrics_error_code::wrong_type, path);
            return std::nullopt;
        }
        if (!value.is_number_unsigned() && value.get<std::int64_t>() < 0) {
            fail(metrics_error_code::out_of_range, path);
            return std::nullopt;
        }
        const auto number = value.is_number_unsigned() ? value.get<std::uint64_t>()
                                                       : static_cast<std::uint64_t>(value.get<std::int64_t>());
        if (number < min || number > max) {
            fail(metrics_error_code::out_of_range, path);
            return std::nullopt;
        }
        return number;
    }
    std::optional<std::uint64_t> unsigned_field(const json& object, std::string_view key, const std::string& path,
                                                std::uint64_t min = 0, std::uint64_t max = UINT64_MAX) {
        const json* value = field(object, key, path);
        if (!value) return std::nullopt;
        return unsigned_value(*value, join(path, key), min, max);
    }

    const json* array_field(const json& object, std::string_view key, const std::string& path) {
        const json* value = field(object, key, path);
        if (value && !value->is_array()) {
            fail(metrics_error_code::wrong_type, join(path, key));
            return nullptr;
        }
        return value;
    }
    const json* object_field(const json& object, std::string_view key, const std::string& path) {
        const json* value = field(object, key, path);
        if (value && !value->is_object()) {
            fail(metrics_error_code::wrong_type, join(path, key));
            return nullptr;
        }
        return value;
    }

    // Spends `counters` of the document's dense-counter budget.
    bool spend_counters(std::size_t counters, const std::string& path) {
        if (failed()) return false;
        if (counters > counters_left_) {
            fail(metrics_error_code::too_large, path);
            return false;
        }
        counters_left_ -= counters;
        return true;
    }

    static std::string join(const std::string& path, std::string_view key) {
        return path.empty() ? std::string(key) : path + "." + std::string(key);
    }
    static std::string at(const std::string& path, std::size_t index) {
        return path + "[" + std::to_string(index) + "]";
    }

private:
    std::optional<metrics_error> error_;
    std::size_t counters_left_;
};

std::optional<histogram_config> read_config(reader& in, const json& object, const std::string& path) {
    histogram_config config;
    const auto lowest = in.unsigned_field(object, "lowest_discernible", path);
    const auto highest = in.unsigned_field(object, "highest_trackable", path);
    const auto digits = in.unsigned_field(object, "significant_digits", path, 0, max_significant_digits);
    if (in.failed()) return std::nullopt;
    config.lowest_discernible = *lowest;
    config.highest_trackable = *highest;
    config.significant_digits = static_cast<std::uint32_t>(*digits);
    return config;
}

std::optional<histogram_config> read_config_object(reader& in, const json& value, const std::string& path) {
    if (!in.object(value, path, {"lowest_discernible", "highest_trackable", "significant_digits"})) return std::nullopt;
    return read_config(in, value, path);
}

std::optional<histogram_layout> read_layout(reader& in, const histogram_config& config, const std::string& path) {
    if (in.failed()) return std::nullopt;
    auto layout = histogram_layout::make(config);
    if (!layout) {
        in.fail(layout.error().code, path + ": " + layout.error().detail);
        return std::nullopt;
    }
    return *layout;
}

// [[index, count], ...]; ordering and ranges are checked by validate_sparse_counts afterwards.
sparse_counts read_sparse(reader& in, const json& value, const std::string& path) {
    sparse_counts counts;
    if (in.failed()) return counts;
    if (!value.is_array()) {
        in.fail(metrics_error_code::wrong_type, path);
        return counts;
    }
    counts.reserve(value.size());
    for (std::size_t i = 0; i < value.size(); ++i) {
        const json& pair = value[i];
        if (!pair.is_array() || pair.size() != 2) {
            in.fail(metrics_error_code::wrong_type, reader::at(path, i));
            return counts;
        }
        const auto index = in.unsigned_value(pair[0], reader::at(path, i), 0, UINT32_MAX);
        const auto count = in.unsigned_value(pair[1], reader::at(path, i), 0, UINT64_MAX);
        if (in.failed()) return counts;
        counts.push_back({static_cast<std::uint32_t>(*index), *count});
    }
    return counts;
}

std::optional<log_histogram> read_histogram(reader& in, const json& value, const std::string& path) {
    if (!in.object(value, path,
                   {"lowest_discernible", "highest_trackable", "significant_digits", "count", "min", "max", "clamped",
                    "buckets"}))
        return std::nullopt;
    const auto config = read_config(in, value, path);
    if (!config) return std::nullopt;
    const auto layout = read_layout(in, *config, path);
    if (!layout || !in.spend_counters(layout->counts_length(), path)) return std::nullopt;

    histogram_snapshot snapshot;
    snapshot.config = *config;
    const auto count = in.unsigned_field(value, "count", path);
    const auto min = in.unsigned_field(value, "min", path);
    const auto max = in.unsigned_field(value, "max", path);
    const auto clamped = in.unsigned_field(value, "clamped", path);
    const json* buckets = in.field(value, "buckets", path);
    if (in.failed()) return std::nullopt;
    snapshot.counts = read_sparse(in, *buckets, reader::join(path, "buckets"));
    if (in.failed()) return std::nullopt;
    snapshot.min = *min;
    snapshot.max = *max;
    snapshot.clamped = *clamped;

    auto histogram = log_histogram::from_snapshot(snapshot);
    if (!histogram) {
        const std::string separator = histogram.error().detail.starts_with("buckets") ? "." : ": ";
        in.fail(histogram.error().code, path + separator + histogram.error().detail);
        return std::nullopt;
    }
    if (histogram->count() != *count) {
        in.fail(metrics_error_code::inconsistent, reader::join(path, "count"));
        return std::nullopt;
    }
    return std::move(histogram).value();
}

std::optional<time_series> read_series(reader& in, const json& value, const std::string& path) {
    if (!in.object(value, path,
                   {"interval_seconds", "max_intervals", "latency_config", "connected", "frames", "errors", "latency"}))
        return std::nullopt;
    time_series_config config;
    const auto width = in.unsigned_field(value, "interval_seconds", path, 1, UINT64_MAX);
    const auto max_intervals =
        in.unsigned_field(value, "max_intervals", path, min_series_intervals, max_series_intervals);
    const json* latency_config = in.field(value, "latency_config", path);
    if (in.failed()) return std::nullopt;
    const auto latency = read_config_object(in, *latency_config, reader::join(path, "latency_config"));
    if (!latency) return std::nullopt;
    config.latency = *latency;
    config.max_intervals = static_cast<std::size_t>(*max_intervals);
    const auto layout = read_layout(in, config.latency, reader::join(path, "latency_config"));
    if (!layout || !in.spend_counters(layout->counts_length(), path)) return std::nullopt;

    const json* connected = in.array_field(value, "connected", path);
    const json* frames = in.array_field(value, "frames", path);
    const json* errors = in.array_field(value, "errors", path);
    const json* latencies = in.array_field(value, "latency", path);
    if (in.failed()) return std::nullopt;
    const std::size_t length = connected->size();
    if (frames->size() != length || errors->size() != length || latencies->size() != length) {
        in.fail(metrics_error_code::inconsistent, path + ": connected, frames, errors and latency differ in length");
        return std::nullopt;
    }
    if (length == 0 || length > config.max_intervals) {
        in.fail(metrics_error_code::out_of_range, reader::join(path, "connected"));
        return std::nullopt;
    }
    std::vector<series_interval> intervals(length);
    for (std::size_t i = 0; i < length && !in.failed(); ++i) {
        series_interval& interval = intervals[i];
        interval.connected =
            in.unsigned_value((*connected)[i], reader::at(reader::join(path, "connected"), i), 0, UINT64_MAX)
                .value_or(0);
        interval.frames =
            in.unsigned_value((*frames)[i], reader::at(reader::join(path, "frames"), i), 0, UINT64_MAX).value_or(0);
        interval.errors =
            in.unsigned_value((*errors)[i], reader::at(reader::join(path, "errors"), i), 0, UINT64_MAX).value_or(0);
        interval.latency = read_sparse(in, (*latencies)[i], reader::at(reader::join(path, "latency"), i));
    }
    if (in.failed()) return std::nullopt;
    auto series = time_series::from_intervals(config, *width, std::move(intervals));
    if (!series) {
        in.fail(series.error().code, reader::join(path, series.error().detail));
        return std::nullopt;
    }
    return std::move(series).value();
}

std::optional<metric_set> read_metric_set(reader& in, const json& value) {
    const std::string top;
    if (!in.object(value, top, {"format", "version", "histograms", "counters", "series"})) return std::nullopt;
    const json* format = in.field(value, "format", top);
    if (in.failed()) return std::nullopt;
    if (!format->is_string()) {
        in.fail(metrics_error_code::wrong_type, "format");
        return std::nullopt;
    }
    if (format->get_ref<const std::string&>() != metrics_format_name) {
        in.fail(metrics_error_code::unsupported_version, "format");
        return std::nullopt;
    }
    const auto version = in.unsigned_field(value, "version", top);
    if (in.failed()) return std::nullopt;
    if (*version != metrics_format_version) {
        in.fail(metrics_error_code::unsupported_version, "version");
        return std::nullopt;
    }

    const json* histograms_json = in.object_field(value, "histograms", top);
    const json* counters_json = in.object_field(value, "counters", top);
    const json* series_json = in.field(value, "series", top);
    if (in.failed()) return std::nullopt;
    auto series = read_series(in, *series_json, "series");
    if (!series) return std::nullopt;

    metric_catalog catalog(series->config());
    std::vector<log_histogram> histograms;
    for (const auto& item : histograms_json->items()) {
        const std::string path = "histograms." + shown(item.key());
        if (!is_valid_metric_name(item.key())) {
            in.fail(metrics_error_code::invalid_name, path);
            return std::nullopt;
        }
        auto histogram = read_histogram(in, item.value(), path);
        if (!histogram) return std::nullopt;
        if (auto id = catalog.add_histogram(item.key(), histogram->config()); !id) {
            in.fail(id.error().code, path);
            return std::nullopt;
        }
        histograms.push_back(std::move(*histogram));
    }
    std::vector<std::uint64_t> counters;
    for (const auto& item : counters_json->items()) {
        const std::string path = "counters." + shown(item.key());
        if (auto id = catalog.add_counter(item.key()); !id) {
            in.fail(id.error().code, path);
            return std::nullopt;
        }
        const auto number = in.unsigned_value(item.value(), path, 0, UINT64_MAX);
        if (!number) return std::nullopt;
        counters.push_back(*number);
    }
    auto set =
        metric_set::from_parts(std::move(catalog), std::move(histograms), std::move(counters), std::move(*series));
    if (!set) {
        in.fail(set.error().code, set.error().detail);
        return std::nullopt;
    }
    return std::move(set).value();
}

template <typename T, typename Read>
result<T, metrics_error> read_document(const json& value, const read_limits& limits, Read read) {
    reader in(limits);
    auto read_value = read(in, value);
    if (in.failed() || !read_value) {
        if (!in.failed()) return fail(metrics_error{metrics_error_code::invalid_json, "(top level)"});
        return fail(in.take_error());
    }
    return std::move(*read_value);
}

}  // namespace

json to_json(const log_histogram& histogram) {
    const histogram_snapshot snapshot = histogram.snapshot();
    json out = config_to_json(snapshot.config);
    out["count"] = histogram.count();
    out["min"] = snapshot.min;
    out["max"] = snapshot.max;
    out["clamped"] = snapshot.clamped;
    out["buckets"] = sparse_to_json(snapshot.counts);
    return out;
}

json to_json(const time_series& series) {
    time_series flushed = series;
    flushed.flush();
    json connected = json::array();
    json frames = json::array();
    json errors = json::array();
    json latency = json::array();
    for (const series_interval& interval : flushed.intervals()) {
        connected.push_back(interval.connected);
        frames.push_back(interval.frames);
        errors.push_back(interval.errors);
        latency.push_back(sparse_to_json(interval.latency));
    }
    return json{{"interval_seconds", flushed.interval_seconds()},
                {"max_intervals", flushed.config().max_intervals},
                {"latency_config", config_to_json(flushed.config().latency)},
                {"connected", std::move(connected)},
                {"frames", std::move(frames)},
                {"errors", std::move(errors)},
                {"latency", std::move(latency)}};
}

json to_json(const metric_set& set) {
    json histograms = json::object();
    for (std::size_t i = 0; i < set.catalog().histograms().size(); ++i) {
        histograms[set.catalog().histograms()[i].name] =
            to_json(set.histogram(histogram_id{static_cast<std::uint32_t>(i)}));
    }
    json counters = json::object();
    for (std::size_t i = 0; i < set.catalog().counters().size(); ++i)
        counters[set.catalog().counters()[i]] = set.counter(counter_id{static_cast<std::uint32_t>(i)});
    return json{{"format", metrics_format_name},
                {"version", metrics_format_version},
                {"histograms", std::move(histograms)},
                {"counters", std::move(counters)},
                {"series", to_json(set.series())}};
}

std::string to_json_text(const metric_set& set) {
    return to_json(set).dump();
}

result<log_histogram, metrics_error> histogram_from_json(const json& value, const read_limits& limits) {
    return read_document<log_histogram>(value, limits,
                                        [](reader& in, const json& v) { return read_histogram(in, v, ""); });
}

result<time_series, metrics_error> series_from_json(const json& value, const read_limits& limits) {
    return read_document<time_series>(value, limits, [](reader& in, const json& v) { return read_series(in, v, ""); });
}

result<metric_set, metrics_error> metric_set_from_json(const json& value, const read_limits& limits) {
    return read_document<metric_set>(value, limits, [](reader& in, const json& v) { return read_metric_set(in, v); });
}

result<metric_set, metrics_error> metric_set_from_json_text(std::string_view text, const read_limits& limits) {
    auto parsed =
        parse_bounded_nlohmann(text, proto::json_limits{limits.max_bytes, limits.max_depth, limits.max_values});
    if (!parsed) {
        const proto::decode_error& error = parsed.error();
        const auto code = error.code == proto::proto_error::message_too_large ? metrics_error_code::too_large
                                                                              : metrics_error_code::invalid_json;
        return fail(metrics_error{code, std::string(proto::to_string(error.code)) + ": " + error.detail});
    }
    return metric_set_from_json(*parsed, limits);
}

}  // namespace stoa::loadgen::metrics
