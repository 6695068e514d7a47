// The shape of a log-linear histogram (HdrHistogram's layout): which counter a value falls in and
// which values a counter stands for. Pure index arithmetic, shared by the dense histogram, its
// sparse form and the JSON reader, so all three agree on what a bucket index means.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>

#include "stoa/common/result.hpp"
#include "stoa/loadgen/metrics/metrics_error.hpp"

namespace stoa::loadgen::metrics {

// What a histogram tracks. Values are non-negative integers; stoa-load records microseconds.
// Within [lowest_discernible, highest_trackable] a value is known to within 10^-significant_digits
// of itself (or within lowest_discernible, whichever is larger); values above the range are
// clamped to highest_trackable and counted apart.
struct histogram_config {
    std::uint64_t lowest_discernible = 1;
    std::uint64_t highest_trackable = 3'600'000'000;  // one hour in microseconds
    std::uint32_t significant_digits = 3;

    friend bool operator==(const histogram_config&, const histogram_config&) = default;
};

inline constexpr std::uint32_t max_significant_digits = 5;
inline constexpr std::uint64_t max_highest_trackable = std::uint64_t{1} << 62;
// A histogram's counters are dense; this cap (8 MiB of counters) keeps a configuration read from
// an untrusted report from asking for unbounded memory. 1 us to 1 hour at 4 digits needs 311,296.
inline constexpr std::size_t max_counts_length = std::size_t{1} << 20;

// A validated configuration and the constants derived from it. Only make() builds one, so holding
// a layout proves the configuration is usable.
class histogram_layout {
public:
    [[nodiscard]] static result<histogram_layout, metrics_error> make(const histogram_config& config);

    [[nodiscard]] const histogram_config& config() const noexcept { return config_; }
    // The number of dense counters: (bucket_count + 1) * sub_bucket_count / 2.
    [[nodiscard]] std::size_t counts_length() const noexcept { return counts_length_; }
    // Every reported value is within value / sub_bucket_half_count of the recorded one.
    [[nodiscard]] std::uint64_t sub_bucket_half_count() const noexcept { return std::uint64_t{1} << half_magnitude_; }
    [[nodiscard]] int unit_magnitude() const noexcept { return unit_magnitude_; }

    // The counter a value falls in. The value must not exceed highest_trackable.
    [[nodiscard]] std::uint32_t index_of(std::uint64_t value) const noexcept {
        // The bucket is the value's power of two above the first bucket's span; within the bucket
        // the top sub_bucket_magnitude bits pick the sub-bucket, the rest is below resolution.
        const int bucket = static_cast<int>(std::bit_width(value | sub_bucket_mask_)) - bucket_base_;
        return static_cast<std::uint32_t>((static_cast<std::uint64_t>(bucket) << half_magnitude_) +
                                          (value >> (bucket + unit_magnitude_)));
    }
    // The smallest and largest values that share counter `index`, and how many values that is.
    [[nodiscard]] std::uint64_t lowest_at(std::uint32_t index) const noexcept {
        const auto [bucket, sub_bucket] = split(index);
        return sub_bucket << (bucket + unit_magnitude_);
    }
    [[nodiscard]] std::uint64_t width_at(std::uint32_t index) const noexcept {
        return std::uint64_t{1} << (split(index).bucket + unit_magnitude_);
    }
    [[nodiscard]] std::uint64_t highest_at(std::uint32_t index) const noexcept {
        return lowest_at(index) + (width_at(index) - 1);
    }
    // The middle of the counter's range: what the mean uses for each recorded value.
    [[nodiscard]] std::uint64_t median_at(std::uint32_t index) const noexcept {
        return lowest_at(index) + width_at(index) / 2;
    }

    friend bool operator==(const histogram_layout& a, const histogram_layout& b) noexcept {
        return a.config_ == b.config_;
    }

private:
    struct bucket_and_sub_bucket {
        int bucket;
        std::uint64_t sub_bucket;
    };
    [[nodiscard]] bucket_and_sub_bucket split(std::uint32_t index) const noexcept {
        const std::uint64_t half = sub_bucket_half_count();
        const auto bucket_plus_one = static_cast<int>(index >> half_magnitude_);
        const std::uint64_t offset = index & (half - 1);
        // Bucket 0 holds its whole sub-bucket range; every later bucket only its upper half.
        if (bucket_plus_one == 0) return {0, offset};
        return {bucket_plus_one - 1, offset + half};
    }

    histogram_config config_{};
    int unit_magnitude_ = 0;
    int half_magnitude_ = 0;
    int bucket_base_ = 0;  // unit_magnitude + sub_bucket_magnitude
    std::uint64_t sub_bucket_mask_ = 0;
    std::size_t counts_length_ = 0;
};

}  // namespace stoa::loadgen::metrics
