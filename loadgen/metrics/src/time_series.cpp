// The per-second series: rolling to a new interval, pairwise coarsening at capacity, merging.
#include "stoa/loadgen/metrics/time_series.hpp"

#include <algorithm>
#include <bit>
#include <limits>
#include <string>
#include <utility>

namespace stoa::loadgen::metrics {
namespace {

constexpr std::int64_t micros_per_second = 1'000'000;
// Far beyond any run (35 years at 1 s); keeps interval arithmetic in microseconds inside 64 bits.
constexpr std::uint64_t max_interval_seconds = std::uint64_t{1} << 30;

std::uint64_t saturating_add(std::uint64_t a, std::uint64_t b) noexcept {
    std::uint64_t sum = 0;
    return __builtin_add_overflow(a, b, &sum) ? std::numeric_limits<std::uint64_t>::max() : sum;
}

// Folds `later` into `earlier`, the interval just before it in time.
void append_in_time(series_interval& earlier, series_interval&& later) {
    earlier.connected = later.connected;
    earlier.frames = saturating_add(earlier.frames, later.frames);
    earlier.errors = saturating_add(earlier.errors, later.errors);
    add_sparse_counts(earlier.latency, later.latency);
}

// Adds another thread's or host's share of the same interval.
void add_share(series_interval& into, const series_interval& share) {
    into.connected = saturating_add(into.connected, share.connected);
    into.frames = saturating_add(into.frames, share.frames);
    into.errors = saturating_add(into.errors, share.errors);
    add_sparse_counts(into.latency, share.latency);
}

status<metrics_error> check_config(const time_series_config& config) {
    if (config.max_intervals < min_series_intervals || config.max_intervals > max_series_intervals)
        return fail(metrics_error{metrics_error_code::invalid_config, "max_intervals must be 2 to 65536"});
    return {};
}

}  // namespace

time_series::time_series(const time_series_config& config, const histogram_layout& layout, time_point origin)
    : config_(config), origin_(origin), intervals_(1), open_latency_(layout) {
    reopen_last();
}

result<time_series, metrics_error> time_series::make(const time_series_config& config, time_point origin) {
    if (auto valid = check_config(config); !valid) return fail(valid.error());
    auto layout = histogram_layout::make(config.latency);
    if (!layout) return fail(std::move(layout).error());
    return time_series(config, *layout, origin);
}

result<time_series, metrics_error> time_series::from_intervals(const time_series_config& config,
                                                               std::uint64_t interval_seconds,
                                                               std::vector<series_interval> intervals) {
    auto made = make(config, time_point{});
    if (!made) return made;
    if (interval_seconds == 0 || interval_seconds > max_interval_seconds || !std::has_single_bit(interval_seconds))
        return fail(metrics_error{metrics_error_code::out_of_range, "interval_seconds"});
    if (intervals.empty() || intervals.size() > config.max_intervals)
        return fail(metrics_error{metrics_error_code::out_of_range, "intervals: 1 to max_intervals"});
    time_series series = std::move(made).value();
    for (std::size_t i = 0; i < intervals.size(); ++i) {
        if (auto valid = validate_sparse_counts(series.latency_layout(), intervals[i].latency); !valid)
            return fail(metrics_error{valid.error().code, "latency[" + std::to_string(i) + "]" + valid.error().detail});
    }
    series.width_seconds_ = interval_seconds;
    series.intervals_ = std::move(intervals);
    series.reopen_last();
    return series;
}

void time_series::flush() {
    if (open_latency_.empty()) return;
    sparse_counts open;
    for (const bucket_view bucket : open_latency_.buckets()) open.push_back({bucket.index, bucket.count});
    add_sparse_counts(intervals_.back().latency, open);
    open_latency_.reset();
}

void time_series::reopen_last() {
    const std::uint64_t end_seconds = intervals_.size() * width_seconds_;
    constexpr auto limit = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max() / micros_per_second);
    open_end_micros_ = end_seconds > limit ? std::numeric_limits<std::int64_t>::max()
                                           : static_cast<std::int64_t>(end_seconds) * micros_per_second;
}

void time_series::roll(std::int64_t elapsed_micros) {
    flush();
    const auto seconds = static_cast<std::uint64_t>(std::max<std::int64_t>(elapsed_micros, 0) / micros_per_second);
    while (seconds / width_seconds_ >= config_.max_intervals) coarsen();
    const std::uint64_t open_index = seconds / width_seconds_;
    const std::uint64_t carried = intervals_.back().connected;
    while (intervals_.size() <= open_index) {
        series_interval next;
        next.connected = carried;
        intervals_.push_back(std::move(next));
    }
    reopen_last();
}

void time_series::coarsen() {
    std::vector<series_interval> wider;
    wider.reserve((intervals_.size() + 1) / 2);
    for (std::size_t i = 0; i < intervals_.size(); ++i) {
        if (i % 2 == 0) {
            wider.push_back(std::move(intervals_[i]));
        } else {
            append_in_time(wider.back(), std::move(intervals_[i]));
        }
    }
    intervals_ = std::move(wider);
    width_seconds_ *= 2;
    reopen_last();
}

void time_series::coarsen_to(std::uint64_t width_seconds) {
    flush();
    while (width_seconds_ < width_seconds) coarsen();
}

status<metrics_error> time_series::merge(const time_series& other) {
    if (!(config_.latency == other.config_.latency))
        return fail(metrics_error{metrics_error_code::config_mismatch, "series.latency"});
    const std::uint64_t width = std::max(width_seconds_, other.width_seconds_);
    const time_series* source = &other;
    std::optional<time_series> widened;
    if (!other.open_latency_.empty() || other.width_seconds_ < width) {
        widened = other;
        widened->coarsen_to(width);
        source = &*widened;
    }
    coarsen_to(width);
    const std::vector<series_interval>& shares = source->intervals_;
    for (std::size_t i = 0; i < shares.size(); ++i) {
        if (i < intervals_.size()) {
            add_share(intervals_[i], shares[i]);
        } else {
            intervals_.push_back(shares[i]);
        }
    }
    while (intervals_.size() > config_.max_intervals) coarsen();
    reopen_last();
    return {};
}

std::optional<std::uint64_t> time_series::latency_at_quantile(std::size_t interval, double q) const {
    if (interval >= intervals_.size()) return std::nullopt;
    return value_at_quantile(latency_layout(), intervals_[interval].latency, q);
}

bool operator==(const time_series& a, const time_series& b) {
    if (!a.open_latency_.empty() || !b.open_latency_.empty()) {
        time_series flushed_a = a;
        time_series flushed_b = b;
        flushed_a.flush();
        flushed_b.flush();
        return flushed_a == flushed_b;
    }
    return a.config_ == b.config_ && a.width_seconds_ == b.width_seconds_ && a.intervals_ == b.intervals_;
}

}  // namespace stoa::loadgen::metrics
