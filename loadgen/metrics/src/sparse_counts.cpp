// The sparse form of a histogram's counts: validation, merging and quantiles without the dense array.
#include "stoa/loadgen/metrics/sparse_counts.hpp"

#include <algorithm>
#include <limits>
#include <string>

#include "stoa/loadgen/metrics/quantile.hpp"

namespace stoa::loadgen::metrics {
namespace {

constexpr std::uint64_t saturated = std::numeric_limits<std::uint64_t>::max();

std::uint64_t saturating_add(std::uint64_t a, std::uint64_t b) noexcept {
    std::uint64_t sum = 0;
    return __builtin_add_overflow(a, b, &sum) ? saturated : sum;
}

}  // namespace

status<metrics_error> validate_sparse_counts(const histogram_layout& layout, const sparse_counts& counts) {
    std::uint64_t total = 0;
    for (std::size_t i = 0; i < counts.size(); ++i) {
        const bucket_count& entry = counts[i];
        const auto where = [i] { return "[" + std::to_string(i) + "]"; };
        if (entry.index >= layout.counts_length())
            return fail(metrics_error{metrics_error_code::out_of_range, where()});
        if (entry.count == 0 || (i > 0 && entry.index <= counts[i - 1].index))
            return fail(metrics_error{metrics_error_code::not_ascending, where()});
        if (__builtin_add_overflow(total, entry.count, &total))
            return fail(metrics_error{metrics_error_code::count_overflow, where()});
    }
    return {};
}

std::uint64_t total_count(const sparse_counts& counts) noexcept {
    std::uint64_t total = 0;
    for (const bucket_count& entry : counts) total = saturating_add(total, entry.count);
    return total;
}

void add_sparse_counts(sparse_counts& into, const sparse_counts& from) {
    if (from.empty()) return;
    if (into.empty()) {
        into = from;
        return;
    }
    sparse_counts merged;
    merged.reserve(into.size() + from.size());
    auto a = into.begin();
    auto b = from.begin();
    while (a != into.end() || b != from.end()) {
        if (b == from.end() || (a != into.end() && a->index < b->index)) {
            merged.push_back(*a++);
        } else if (a == into.end() || b->index < a->index) {
            merged.push_back(*b++);
        } else {
            merged.push_back({a->index, saturating_add(a->count, b->count)});
            ++a;
            ++b;
        }
    }
    into = std::move(merged);
}

std::optional<std::uint64_t> value_at_quantile(const histogram_layout& layout, const sparse_counts& counts, double q) {
    const std::uint64_t total = total_count(counts);
    if (total == 0) return std::nullopt;
    const std::uint64_t rank = rank_for_quantile(q, total);
    std::uint64_t cumulative = 0;
    for (const bucket_count& entry : counts) {
        cumulative = saturating_add(cumulative, entry.count);
        if (cumulative >= rank) return std::min(layout.highest_at(entry.index), layout.config().highest_trackable);
    }
    return std::min(layout.highest_at(counts.back().index), layout.config().highest_trackable);
}

}  // namespace stoa::loadgen::metrics
