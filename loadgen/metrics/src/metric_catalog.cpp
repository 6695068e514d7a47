// Registering the run's metrics: names checked once, configurations validated once.
#include "stoa/loadgen/metrics/metric_catalog.hpp"

#include <algorithm>

namespace stoa::loadgen::metrics {

bool is_valid_metric_name(std::string_view name) noexcept {
    if (name.empty() || name.size() > max_metric_name_length) return false;
    return std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
    });
}

status<metrics_error> metric_catalog::check_new_name(std::string_view name) const {
    if (!is_valid_metric_name(name)) return fail(metrics_error{metrics_error_code::invalid_name, std::string(name)});
    if (find_histogram(name) || find_counter(name))
        return fail(metrics_error{metrics_error_code::duplicate_name, std::string(name)});
    if (histograms_.size() + counters_.size() >= max_catalog_metrics)
        return fail(metrics_error{metrics_error_code::too_large, "more than 256 metrics"});
    return {};
}

result<histogram_id, metrics_error> metric_catalog::add_histogram(std::string_view name,
                                                                  const histogram_config& config) {
    if (auto valid = check_new_name(name); !valid) return fail(valid.error());
    auto layout = histogram_layout::make(config);
    if (!layout) return fail(metrics_error{layout.error().code, std::string(name) + ": " + layout.error().detail});
    histograms_.push_back({std::string(name), *layout});
    return histogram_id{static_cast<std::uint32_t>(histograms_.size() - 1)};
}

result<counter_id, metrics_error> metric_catalog::add_counter(std::string_view name) {
    if (auto valid = check_new_name(name); !valid) return fail(valid.error());
    counters_.emplace_back(name);
    return counter_id{static_cast<std::uint32_t>(counters_.size() - 1)};
}

std::optional<histogram_id> metric_catalog::find_histogram(std::string_view name) const noexcept {
    for (std::size_t i = 0; i < histograms_.size(); ++i) {
        if (histograms_[i].name == name) return histogram_id{static_cast<std::uint32_t>(i)};
    }
    return std::nullopt;
}

std::optional<counter_id> metric_catalog::find_counter(std::string_view name) const noexcept {
    for (std::size_t i = 0; i < counters_.size(); ++i) {
        if (counters_[i] == name) return counter_id{static_cast<std::uint32_t>(i)};
    }
    return std::nullopt;
}

}  // namespace stoa::loadgen::metrics
