// A log-linear (HdrHistogram-style) histogram of non-negative integers, microseconds in stoa-load:
// fixed memory set by its configuration, O(1) recording, exact merging, percentiles within the
// configured precision. Not thread-safe: each worker thread owns its own (see metric_set.hpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <limits>
#include <optional>
#include <vector>

#include "stoa/common/result.hpp"
#include "stoa/common/time.hpp"
#include "stoa/loadgen/metrics/histogram_layout.hpp"
#include "stoa/loadgen/metrics/metrics_error.hpp"
#include "stoa/loadgen/metrics/sparse_counts.hpp"

namespace stoa::loadgen::metrics {

// One non-empty bucket: the values it stands for and how many were recorded there.
struct bucket_view {
    std::uint32_t index = 0;
    std::uint64_t lowest = 0;
    std::uint64_t highest = 0;
    std::uint64_t count = 0;
};

// Everything a histogram holds, in its lossless compact form: what its JSON carries.
struct histogram_snapshot {
    histogram_config config{};
    sparse_counts counts;
    std::uint64_t min = 0;      // exact smallest recorded value; 0 when empty
    std::uint64_t max = 0;      // exact largest recorded value, even above the range; 0 when empty
    std::uint64_t clamped = 0;  // how many recorded values exceeded highest_trackable

    friend bool operator==(const histogram_snapshot&, const histogram_snapshot&) = default;
};

class log_histogram {
public:
    explicit log_histogram(const histogram_layout& layout);
    [[nodiscard]] static result<log_histogram, metrics_error> make(const histogram_config& config);
    // Rebuilds a histogram from its snapshot, checking every invariant (untrusted input).
    [[nodiscard]] static result<log_histogram, metrics_error> from_snapshot(const histogram_snapshot& snapshot);

    // Records `count` occurrences of `value`. A value above highest_trackable is counted at
    // highest_trackable and in clamped(); min() and max() still see the value itself.
    void record(std::uint64_t value, std::uint64_t count = 1) noexcept {
        if (count == 0) [[unlikely]]
            return;
        std::uint64_t tracked = value;
        if (tracked > highest_) [[unlikely]] {
            tracked = highest_;
            clamped_ += count;
        }
        counts_[layout_.index_of(tracked)] += count;
        total_ += count;
        if (value < min_) min_ = value;
        if (value > max_) max_ = value;
    }

    // Latency measured from when the event was due, not from when the generator got round to it,
    // so a stalled generator shows up as latency instead of disappearing (coordinated omission).
    // A negative difference (a clock or caller bug) records 0.
    void record_from_schedule(time_point scheduled, time_point actual) noexcept {
        const std::int64_t micros = to_micros(actual) - to_micros(scheduled);
        record(micros > 0 ? static_cast<std::uint64_t>(micros) : 0);
    }

    // For a closed-loop measurement that could only run every `expected_interval`: records
    // `value`, and when it exceeds the interval also the samples the stall kept from being taken,
    // value - k * interval for every k >= 1 leaving at least one interval (HdrHistogram's
    // recordValueWithExpectedInterval). Costs one step per bucket touched, not per sample.
    // Prefer record_from_schedule wherever the scheduled time is known.
    void record_corrected(std::uint64_t value, std::uint64_t expected_interval) noexcept;

    // Adds every count of `other`, exactly. Fails, changing nothing, if the configurations differ
    // or the total would overflow.
    [[nodiscard]] status<metrics_error> merge(const log_histogram& other);

    // Empties the histogram; costs the span of buckets in use, not the whole counter array.
    void reset() noexcept;

    [[nodiscard]] const histogram_layout& layout() const noexcept { return layout_; }
    [[nodiscard]] const histogram_config& config() const noexcept { return layout_.config(); }
    [[nodiscard]] std::uint64_t count() const noexcept { return total_; }
    [[nodiscard]] bool empty() const noexcept { return total_ == 0; }
    [[nodiscard]] std::uint64_t clamped() const noexcept { return clamped_; }
    // Exact extremes of what was recorded; nullopt when empty.
    [[nodiscard]] std::optional<std::uint64_t> min() const noexcept {
        return total_ == 0 ? std::nullopt : std::optional(min_);
    }
    [[nodiscard]] std::optional<std::uint64_t> max() const noexcept {
        return total_ == 0 ? std::nullopt : std::optional(max_);
    }
    // The mean of the recorded (clamped) values, each taken at its bucket's middle; within the
    // configured precision of the exact mean. nullopt when empty.
    [[nodiscard]] std::optional<double> mean() const noexcept;

    // The value at quantile q in [0, 1] by the nearest-rank definition (rank_for_quantile),
    // reported as the highest value of its bucket but never beyond the exact min and max, so it
    // is never below the true sample and within the configured precision above it. nullopt when
    // empty: a percentile of nothing is not zero.
    [[nodiscard]] std::optional<std::uint64_t> value_at_quantile(double q) const noexcept;
    // The same with p in [0, 100]: percentile(99) is value_at_quantile(0.99).
    [[nodiscard]] std::optional<std::uint64_t> percentile(double p) const noexcept {
        return value_at_quantile(p / 100.0);
    }

    // The number of dense counters; memory is about 8 bytes times this.
    [[nodiscard]] std::size_t counts_length() const noexcept { return counts_.size(); }
    [[nodiscard]] std::uint64_t count_at(std::uint32_t index) const noexcept { return counts_[index]; }

    [[nodiscard]] histogram_snapshot snapshot() const;

    // Iteration over the non-empty buckets in ascending value order.
    class bucket_iterator {
    public:
        using iterator_category = std::forward_iterator_tag;
        using value_type = bucket_view;
        using difference_type = std::ptrdiff_t;
        using pointer = void;
        using reference = bucket_view;

        bucket_iterator() = default;
        [[nodiscard]] bucket_view operator*() const noexcept;
        bucket_iterator& operator++() noexcept;
        bucket_iterator operator++(int) noexcept {
            bucket_iterator before = *this;
            ++*this;
            return before;
        }
        friend bool operator==(const bucket_iterator& a, const bucket_iterator& b) noexcept {
            return a.index_ == b.index_;
        }

    private:
        friend class log_histogram;
        bucket_iterator(const log_histogram* histogram, std::size_t index, std::size_t end) noexcept
            : histogram_(histogram), index_(index), end_(end) {}
        const log_histogram* histogram_ = nullptr;
        std::size_t index_ = 0;
        std::size_t end_ = 0;
    };
    struct bucket_range {
        bucket_iterator first;
        bucket_iterator last;
        [[nodiscard]] bucket_iterator begin() const noexcept { return first; }
        [[nodiscard]] bucket_iterator end() const noexcept { return last; }
    };
    [[nodiscard]] bucket_range buckets() const noexcept;

    // Equal configuration and equal contents (counts, min, max, clamped).
    friend bool operator==(const log_histogram& a, const log_histogram& b) noexcept;

private:
    // The span of counters that can be non-zero: [first_index, last_index], valid when not empty.
    [[nodiscard]] std::uint32_t first_index() const noexcept;
    [[nodiscard]] std::uint32_t last_index() const noexcept;

    histogram_layout layout_;
    std::uint64_t highest_ = 0;
    std::vector<std::uint64_t> counts_;
    std::uint64_t total_ = 0;
    std::uint64_t clamped_ = 0;
    std::uint64_t min_ = std::numeric_limits<std::uint64_t>::max();
    std::uint64_t max_ = 0;
};

}  // namespace stoa::loadgen::metrics
