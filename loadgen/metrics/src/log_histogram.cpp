// The dense histogram: merging, quantiles, the corrected recording and the snapshot round trip.
#include "stoa/loadgen/metrics/log_histogram.hpp"

#include <algorithm>
#include <string>

#include "stoa/loadgen/metrics/quantile.hpp"

namespace stoa::loadgen::metrics {

log_histogram::log_histogram(const histogram_layout& layout)
    : layout_(layout), highest_(layout.config().highest_trackable), counts_(layout.counts_length(), 0) {}

result<log_histogram, metrics_error> log_histogram::make(const histogram_config& config) {
    auto layout = histogram_layout::make(config);
    if (!layout) return fail(std::move(layout).error());
    return log_histogram(*layout);
}

std::uint32_t log_histogram::first_index() const noexcept {
    return layout_.index_of(std::min(min_, highest_));
}
std::uint32_t log_histogram::last_index() const noexcept {
    return layout_.index_of(std::min(max_, highest_));
}

void log_histogram::record_corrected(std::uint64_t value, std::uint64_t expected_interval) noexcept {
    record(value);
    if (expected_interval == 0 || value / expected_interval < 2) return;
    // The missing samples are value - k * interval for k = 1 .. last_k, the smallest of them
    // still at least one interval. Each loop step below counts every k that lands in one bucket.
    const std::uint64_t interval = expected_interval;
    const std::uint64_t last_k = value / interval - 1;
    std::uint64_t k = 1;
    if (value - interval > highest_) {
        // Those above the range are clamped, like any recorded value: k up to (value - highest - 1) / interval.
        const std::uint64_t above = std::min(last_k, (value - highest_ - 1) / interval);
        counts_[layout_.index_of(highest_)] += above;
        clamped_ += above;
        k = above + 1;
    }
    while (k <= last_k) {
        const std::uint32_t index = layout_.index_of(value - k * interval);
        if (layout_.width_at(index) <= interval) {
            // Counters no wider than the interval hold one missing sample each: skip the division.
            ++counts_[index];
            ++k;
            continue;
        }
        const std::uint64_t bucket_last_k = std::min(last_k, (value - layout_.lowest_at(index)) / interval);
        counts_[index] += bucket_last_k - k + 1;
        k = bucket_last_k + 1;
    }
    total_ += last_k;
    min_ = std::min(min_, value - last_k * interval);
}

status<metrics_error> log_histogram::merge(const log_histogram& other) {
    if (!(layout_ == other.layout_)) return fail(metrics_error{metrics_error_code::config_mismatch, "histogram"});
    if (other.total_ == 0) return {};
    std::uint64_t total = 0;
    // No single counter can overflow when the total does not: each is at most its histogram's total.
    if (__builtin_add_overflow(total_, other.total_, &total))
        return fail(metrics_error{metrics_error_code::count_overflow, "histogram"});
    const std::uint32_t last = other.last_index();
    for (std::uint32_t i = other.first_index(); i <= last; ++i) counts_[i] += other.counts_[i];
    total_ = total;
    clamped_ += other.clamped_;
    min_ = std::min(min_, other.min_);
    max_ = std::max(max_, other.max_);
    return {};
}

void log_histogram::reset() noexcept {
    if (total_ != 0) std::fill(counts_.begin() + first_index(), counts_.begin() + last_index() + 1, 0);
    total_ = 0;
    clamped_ = 0;
    min_ = std::numeric_limits<std::uint64_t>::max();
    max_ = 0;
}

std::optional<double> log_histogram::mean() const noexcept {
    if (total_ == 0) return std::nullopt;
    double sum = 0.0;
    const std::uint32_t last = last_index();
    for (std::uint32_t i = first_index(); i <= last; ++i) {
        if (counts_[i] != 0) {
            const std::uint64_t middle = std::min(layout_.median_at(i), highest_);
            sum += static_cast<double>(middle) * static_cast<double>(counts_[i]);
        }
    }
    return sum / static_cast<double>(total_);
}

std::optional<std::uint64_t> log_histogram::value_at_quantile(double q) const noexcept {
    if (total_ == 0) return std::nullopt;
    const std::uint64_t rank = rank_for_quantile(q, total_);
    std::uint64_t cumulative = 0;
    const std::uint32_t last = last_index();
    std::uint32_t i = first_index();
    for (; i < last; ++i) {
        cumulative += counts_[i];
        if (cumulative >= rank) break;
    }
    return std::clamp(layout_.highest_at(i), min_, max_);
}

histogram_snapshot log_histogram::snapshot() const {
    histogram_snapshot snapshot;
    snapshot.config = config();
    if (total_ == 0) return snapshot;
    for (const bucket_view bucket : buckets()) snapshot.counts.push_back({bucket.index, bucket.count});
    snapshot.min = min_;
    snapshot.max = max_;
    snapshot.clamped = clamped_;
    return snapshot;
}

result<log_histogram, metrics_error> log_histogram::from_snapshot(const histogram_snapshot& snapshot) {
    auto made = make(snapshot.config);
    if (!made) return made;
    log_histogram histogram = std::move(made).value();
    const histogram_layout& layout = histogram.layout_;
    if (auto valid = validate_sparse_counts(layout, snapshot.counts); !valid)
        return fail(metrics_error{valid.error().code, "buckets" + valid.error().detail});
    const auto inconsistent = [](std::string detail) {
        return fail(metrics_error{metrics_error_code::inconsistent, std::move(detail)});
    };
    if (snapshot.counts.empty()) {
        if (snapshot.min != 0 || snapshot.max != 0 || snapshot.clamped != 0)
            return inconsistent("min, max and clamped must be 0 when there are no buckets");
        return histogram;
    }
    const std::uint64_t highest = histogram.highest_;
    // The exact extremes must lie in the first and last buckets, and clamped values (whose max
    // is above the range) can only be counted in the bucket of highest_trackable.
    if (snapshot.min > snapshot.max) return inconsistent("min above max");
    if (layout.index_of(std::min(snapshot.min, highest)) != snapshot.counts.front().index)
        return inconsistent("min not in the first bucket");
    const std::uint32_t top = layout.index_of(std::min(snapshot.max, highest));
    if (top != snapshot.counts.back().index) return inconsistent("max not in the last bucket");
    if ((snapshot.clamped > 0) != (snapshot.max > highest)) return inconsistent("clamped and max disagree");
    if (snapshot.clamped > snapshot.counts.back().count) return inconsistent("clamped above the top bucket's count");
    if (snapshot.min > highest && snapshot.clamped != snapshot.counts.back().count)
        return inconsistent("min above the range but not every value clamped");
    // Both extremes were recorded, so a single bucket needs a count of two when they differ.
    if (snapshot.counts.size() == 1 && snapshot.min != snapshot.max && snapshot.counts.front().count < 2)
        return inconsistent("min and max differ in a bucket of one value");

    for (const bucket_count& entry : snapshot.counts) histogram.counts_[entry.index] = entry.count;
    histogram.total_ = total_count(snapshot.counts);
    histogram.min_ = snapshot.min;
    histogram.max_ = snapshot.max;
    histogram.clamped_ = snapshot.clamped;
    return histogram;
}

bucket_view log_histogram::bucket_iterator::operator*() const noexcept {
    const auto index = static_cast<std::uint32_t>(index_);
    const histogram_layout& layout = histogram_->layout_;
    return {index, layout.lowest_at(index), layout.highest_at(index), histogram_->counts_[index_]};
}

log_histogram::bucket_iterator& log_histogram::bucket_iterator::operator++() noexcept {
    do {
        ++index_;
    } while (index_ < end_ && histogram_->counts_[index_] == 0);
    return *this;
}

log_histogram::bucket_range log_histogram::buckets() const noexcept {
    if (total_ == 0) return {bucket_iterator(this, 0, 0), bucket_iterator(this, 0, 0)};
    const std::size_t end = std::size_t{last_index()} + 1;
    // The first in-use counter is never zero: it holds the minimum.
    return {bucket_iterator(this, first_index(), end), bucket_iterator(this, end, end)};
}

bool operator==(const log_histogram& a, const log_histogram& b) noexcept {
    if (!(a.layout_ == b.layout_) || a.total_ != b.total_) return false;
    if (a.total_ == 0) return true;
    if (a.min_ != b.min_ || a.max_ != b.max_ || a.clamped_ != b.clamped_) return false;
    const std::uint32_t first = a.first_index();
    const std::uint32_t last = a.last_index();
    return std::equal(a.counts_.begin() + first, a.counts_.begin() + last + 1, b.counts_.begin() + first);
}

}  // namespace stoa::loadgen::metrics
