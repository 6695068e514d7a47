// The run's catalog: one place decides which metrics exist and how precisely each is kept.
#include "stoa/loadgen/report/run_metrics.hpp"

#include <string>
#include <vector>

namespace stoa::loadgen::run_metrics {

result<metrics::metric_catalog, metrics::metrics_error> make_catalog(std::span<const std::string_view> error_names) {
    // 1 us to 1 hour at 3 significant digits: a join stalled for minutes is still measured, and
    // every latency is known to 0.1%.
    constexpr metrics::histogram_config latency_config{1, 3'600'000'000, 3};
    metrics::metric_catalog catalog;
    for (const std::string_view name : histograms) {
        if (auto id = catalog.add_histogram(name, latency_config); !id) return fail(id.error());
    }
    for (const std::string_view name : fixed_counters) {
        if (auto id = catalog.add_counter(name); !id) return fail(id.error());
    }
    // Error names come from the wire protocol's table. One that cannot be a metric name, or whose
    // counter already exists (e.g. "other"), gets no counter of its own: errors.other is there for
    // codes without one.
    std::vector<std::string_view> names(error_names.begin(), error_names.end());
    names.insert(names.end(), http_error_names.begin(), http_error_names.end());
    for (const std::string_view error_name : names) {
        if (error_name.empty()) continue;
        std::string name(error_prefix);
        name += error_name;
        if (!metrics::is_valid_metric_name(name) || catalog.find_counter(name) || catalog.find_histogram(name))
            continue;
        if (auto id = catalog.add_counter(name); !id) return fail(id.error());
    }
    return catalog;
}

}  // namespace stoa::loadgen::run_metrics
