// Validating a histogram configuration and deriving its layout constants (HdrHistogram's).
#include "stoa/loadgen/metrics/histogram_layout.hpp"

#include <string>

namespace stoa::loadgen::metrics {

result<histogram_layout, metrics_error> histogram_layout::make(const histogram_config& config) {
    const auto invalid = [](std::string detail) {
        return fail(metrics_error{metrics_error_code::invalid_config, std::move(detail)});
    };
    if (config.significant_digits < 1 || config.significant_digits > max_significant_digits)
        return invalid("significant_digits must be 1 to 5");
    if (config.lowest_discernible < 1) return invalid("lowest_discernible must be at least 1");
    if (config.highest_trackable > max_highest_trackable) return invalid("highest_trackable above 2^62");
    if (config.highest_trackable < 2 * config.lowest_discernible)
        return invalid("highest_trackable must be at least twice lowest_discernible");

    // Values below 2 * 10^digits are kept to the unit, so every sub-bucket beyond the first
    // bucket is at most 10^-digits of its value wide.
    std::uint64_t single_unit_range = 2;
    for (std::uint32_t i = 0; i < config.significant_digits; ++i) single_unit_range *= 10;
    const auto sub_bucket_magnitude = static_cast<int>(std::bit_width(single_unit_range - 1));
    const int unit_magnitude = static_cast<int>(std::bit_width(config.lowest_discernible)) - 1;
    if (unit_magnitude + sub_bucket_magnitude > 62) return invalid("lowest_discernible too large for the precision");

    // Buckets double in span until one reaches past highest_trackable.
    std::uint64_t smallest_untrackable = std::uint64_t{1} << (sub_bucket_magnitude + unit_magnitude);
    std::size_t bucket_count = 1;
    while (smallest_untrackable <= config.highest_trackable) {
        smallest_untrackable <<= 1;
        ++bucket_count;
    }
    const std::size_t half = std::size_t{1} << (sub_bucket_magnitude - 1);
    const std::size_t counts_length = (bucket_count + 1) * half;
    if (counts_length > max_counts_length) return invalid("more than 2^20 counters");

    histogram_layout layout;
    layout.config_ = config;
    layout.unit_magnitude_ = unit_magnitude;
    layout.half_magnitude_ = sub_bucket_magnitude - 1;
    layout.bucket_base_ = unit_magnitude + sub_bucket_magnitude;
    layout.sub_bucket_mask_ = ((std::uint64_t{1} << sub_bucket_magnitude) - 1) << unit_magnitude;
    layout.counts_length_ = counts_length;
    return layout;
}

}  // namespace stoa::loadgen::metrics
