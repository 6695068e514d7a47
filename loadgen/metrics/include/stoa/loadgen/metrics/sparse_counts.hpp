// A histogram's counts as (bucket index, count) pairs, non-empty buckets only, in ascending index
// order: the compact lossless form that reports carry and that each time-series interval keeps.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "stoa/common/result.hpp"
#include "stoa/loadgen/metrics/histogram_layout.hpp"
#include "stoa/loadgen/metrics/metrics_error.hpp"

namespace stoa::loadgen::metrics {

struct bucket_count {
    std::uint32_t index = 0;
    std::uint64_t count = 0;

    friend bool operator==(const bucket_count&, const bucket_count&) = default;
};

// Invariant (checked by validate_sparse_counts for untrusted input): indexes strictly ascending,
// each below the layout's counts_length, every count at least 1, the total below 2^64.
using sparse_counts = std::vector<bucket_count>;

// Checks the invariant against a layout; the error's detail names the first offending entry.
[[nodiscard]] status<metrics_error> validate_sparse_counts(const histogram_layout& layout, const sparse_counts& counts);

// The sum of the counts; saturates at 2^64 - 1 (reachable only by crafted input).
[[nodiscard]] std::uint64_t total_count(const sparse_counts& counts) noexcept;

// Adds `from` into `into` bucket by bucket; both must satisfy the invariant. Counts saturate.
void add_sparse_counts(sparse_counts& into, const sparse_counts& from);

// The value at quantile q (see rank_for_quantile), reported as the highest value of its bucket;
// nullopt when there are no counts.
[[nodiscard]] std::optional<std::uint64_t> value_at_quantile(const histogram_layout& layout,
                                                             const sparse_counts& counts, double q);

}  // namespace stoa::loadgen::metrics
