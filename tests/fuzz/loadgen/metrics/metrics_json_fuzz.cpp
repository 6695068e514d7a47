// Fuzzes the metrics report reader. It may not crash, hang or throw; an accepted report must
// write back to text that reads to an equal set, answer its queries, and merge with itself to
// exactly twice its counts.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "stoa/loadgen/metrics/metrics_json.hpp"

namespace {

using namespace stoa::loadgen::metrics;

void check(bool condition) {
    if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    read_limits limits;
    limits.max_counters = std::size_t{1} << 20;  // keep each run's memory small
    const auto parsed = metric_set_from_json_text(text, limits);
    if (!parsed) {
        check(!to_string(parsed.error().code).empty());
        return 0;
    }
    const metric_set& set = *parsed;
    const auto again = metric_set_from_json_text(to_json_text(set), limits);
    check(again.ok());
    check(*again == set);

    for (std::size_t i = 0; i < set.catalog().histograms().size(); ++i) {
        const log_histogram& histogram = set.histogram(histogram_id{static_cast<std::uint32_t>(i)});
        const auto p50 = histogram.percentile(50);
        const auto p99 = histogram.percentile(99);
        check(p50.has_value() == !histogram.empty());
        if (p50) {
            check(*p50 <= *p99);
            check(*histogram.min() <= *p50 && *p99 <= *histogram.max());
        }
        std::uint64_t total = 0;
        for (const bucket_view bucket : histogram.buckets()) total += bucket.count;
        check(total == histogram.count());
    }
    for (std::size_t i = 0; i < set.series().intervals().size(); ++i) (void)set.series().latency_at_quantile(i, 0.99);

    metric_set doubled = set;
    if (doubled.merge(set).ok()) {
        for (std::size_t i = 0; i < set.catalog().histograms().size(); ++i) {
            const histogram_id id{static_cast<std::uint32_t>(i)};
            check(doubled.histogram(id).count() == 2 * set.histogram(id).count());
        }
    }
    return 0;
}
