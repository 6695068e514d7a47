// The run second by second: members connected, frames received, errors, and the frame latency
// distribution of each second, in bounded memory however long the run. One per worker thread;
// series merge exactly (see merge()).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "stoa/common/result.hpp"
#include "stoa/common/time.hpp"
#include "stoa/loadgen/metrics/histogram_layout.hpp"
#include "stoa/loadgen/metrics/log_histogram.hpp"
#include "stoa/loadgen/metrics/metrics_error.hpp"
#include "stoa/loadgen/metrics/sparse_counts.hpp"

namespace stoa::loadgen::metrics {

inline constexpr std::size_t min_series_intervals = 2;
inline constexpr std::size_t max_series_intervals = std::size_t{1} << 16;

struct time_series_config {
    // The per-interval latency histograms: 1 us to 60 s at 2 significant digits (1%) is 2,560
    // dense counters for the open interval; closed intervals keep only their non-empty buckets.
    histogram_config latency{1, 60'000'000, 2};
    // The memory bound. When a run outlasts it at the current interval width, adjacent intervals
    // are merged pairwise and the width doubles: 1,024 intervals hold 17 minutes at 1 s, 34 at
    // 2 s, and so on, always covering the whole run.
    std::size_t max_intervals = 1024;

    friend bool operator==(const time_series_config&, const time_series_config&) = default;
};

// One interval: [index * width, (index + 1) * width) seconds from the start of the run.
struct series_interval {
    std::uint64_t connected = 0;  // members connected at the end of the interval (a gauge)
    std::uint64_t frames = 0;     // frames received during the interval
    std::uint64_t errors = 0;     // errors during the interval
    sparse_counts latency;        // frame latency (us) of the frames that measured it

    friend bool operator==(const series_interval&, const series_interval&) = default;
};

class time_series {
public:
    // `origin` is the run's start, the same for every thread's series so their seconds line up.
    [[nodiscard]] static result<time_series, metrics_error> make(const time_series_config& config, time_point origin);
    // Rebuilds a series from its parts (a parsed report), checking every invariant.
    [[nodiscard]] static result<time_series, metrics_error> from_intervals(const time_series_config& config,
                                                                           std::uint64_t interval_seconds,
                                                                           std::vector<series_interval> intervals);

    // Recording. Time only moves forward: an event stamped before the open interval counts in
    // the open interval, one before the origin in the first. Seconds with no event still get an
    // interval, carrying the connected gauge forward.
    void set_connected(time_point now, std::uint64_t members) {
        advance_to(now);
        intervals_.back().connected = members;
    }
    void add_frames(time_point now, std::uint64_t frames = 1) {
        advance_to(now);
        intervals_.back().frames += frames;
    }
    void add_errors(time_point now, std::uint64_t errors = 1) {
        advance_to(now);
        intervals_.back().errors += errors;
    }
    void record_latency(time_point now, std::uint64_t latency_micros) {
        advance_to(now);
        open_latency_.record(latency_micros);
    }
    // Opens the interval holding `now` (closing those before it). Call with the run's end on
    // every thread's series before merging, so all cover the same seconds.
    void advance_to(time_point now) {
        if (to_micros(now) - to_micros(origin_) >= open_end_micros_) [[unlikely]]
            roll(to_micros(now) - to_micros(origin_));
    }
    // Moves the open interval's latency counts into its sparse form. intervals() is complete
    // after this; merge(), equality and serialization take care of it themselves.
    void flush();

    // Adds `other` interval by interval: counts and the connected gauges add up (each thread or
    // host owns a share of the members). The series with the narrower width is widened first;
    // the result keeps this series' max_intervals. Fails, changing nothing, if the latency
    // configurations differ. An interval only one series has counts as zero in the other.
    [[nodiscard]] status<metrics_error> merge(const time_series& other);

    [[nodiscard]] const time_series_config& config() const noexcept { return config_; }
    [[nodiscard]] const histogram_layout& latency_layout() const noexcept { return open_latency_.layout(); }
    [[nodiscard]] std::uint64_t interval_seconds() const noexcept { return width_seconds_; }
    [[nodiscard]] const std::vector<series_interval>& intervals() const noexcept { return intervals_; }
    // Frame latency at quantile q in one interval (after flush()); nullopt with no samples.
    [[nodiscard]] std::optional<std::uint64_t> latency_at_quantile(std::size_t interval, double q) const;

    friend bool operator==(const time_series& a, const time_series& b);

private:
    time_series(const time_series_config& config, const histogram_layout& layout, time_point origin);
    void roll(std::int64_t elapsed_micros);
    // Merges intervals pairwise, doubling the width.
    void coarsen();
    void coarsen_to(std::uint64_t width_seconds);
    void reopen_last();

    time_series_config config_;
    time_point origin_;
    std::uint64_t width_seconds_ = 1;
    std::vector<series_interval> intervals_;  // never empty; the last is the open interval
    log_histogram open_latency_;              // the open interval's latency, dense until flush()
    std::int64_t open_end_micros_ = 0;        // where the open interval ends, from the origin
};

}  // namespace stoa::loadgen::metrics
