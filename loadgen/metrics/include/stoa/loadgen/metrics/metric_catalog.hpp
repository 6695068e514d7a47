// The metrics a run records, named once at start-up: histograms with their configurations,
// counters, and the time series' configuration. Every thread's metric_set is built from the same
// catalog, so an id means the same metric in all of them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "stoa/common/result.hpp"
#include "stoa/common/strong_type.hpp"
#include "stoa/loadgen/metrics/histogram_layout.hpp"
#include "stoa/loadgen/metrics/metrics_error.hpp"
#include "stoa/loadgen/metrics/time_series.hpp"

namespace stoa::loadgen::metrics {

struct histogram_id_tag;
struct counter_id_tag;
using histogram_id = strong_int<histogram_id_tag, std::uint32_t>;
using counter_id = strong_int<counter_id_tag, std::uint32_t>;

inline constexpr std::size_t max_metric_name_length = 64;
inline constexpr std::size_t max_catalog_metrics = 256;

// 1 to 64 characters of [a-z0-9_.-], so names read the same in JSON, in --assert and in charts.
[[nodiscard]] bool is_valid_metric_name(std::string_view name) noexcept;

struct histogram_entry {
    std::string name;
    histogram_layout layout;
};

class metric_catalog {
public:
    explicit metric_catalog(const time_series_config& series = {}) : series_(series) {}

    [[nodiscard]] result<histogram_id, metrics_error> add_histogram(std::string_view name,
                                                                    const histogram_config& config);
    [[nodiscard]] result<counter_id, metrics_error> add_counter(std::string_view name);

    [[nodiscard]] const std::vector<histogram_entry>& histograms() const noexcept { return histograms_; }
    [[nodiscard]] const std::vector<std::string>& counters() const noexcept { return counters_; }
    [[nodiscard]] const time_series_config& series() const noexcept { return series_; }
    [[nodiscard]] std::optional<histogram_id> find_histogram(std::string_view name) const noexcept;
    [[nodiscard]] std::optional<counter_id> find_counter(std::string_view name) const noexcept;

private:
    [[nodiscard]] status<metrics_error> check_new_name(std::string_view name) const;

    std::vector<histogram_entry> histograms_;
    std::vector<std::string> counters_;
    time_series_config series_;
};

}  // namespace stoa::loadgen::metrics
