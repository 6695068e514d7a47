// Which frames the speakers sent and when, and which listeners got them and when: deliveries,
// losses and relay-added latency. The generator is one process on one clock, so a frame is
// matched by a hash of its bytes (every relay here forwards the bytes unchanged).
#pragma once

#include <algorithm>
#include <cstdint>
#include <span>
#include <unordered_map>
#include <vector>

namespace stoa::bench {

// Log-linear latency histogram in microseconds: exact below 1,024 µs, then 512 buckets per
// power of two (about 0.2% resolution), which is plenty for p50/p99.
class latency_histogram {
public:
    void add(std::int64_t micros) {
        const auto v = static_cast<std::uint64_t>(std::max<std::int64_t>(micros, 0));
        const auto b = bucket(v);
        if (b >= counts_.size()) counts_.resize(b + 1, 0);
        ++counts_[b];
        ++total_;
        max_ = std::max(max_, v);
    }
    [[nodiscard]] std::uint64_t count() const noexcept { return total_; }
    [[nodiscard]] std::uint64_t max() const noexcept { return max_; }
    // The value at quantile q (0..1), as the lower edge of its bucket.
    [[nodiscard]] double quantile(double q) const {
        if (total_ == 0) return 0.0;
        const auto rank = static_cast<std::uint64_t>(q * static_cast<double>(total_ - 1)) + 1;
        std::uint64_t seen = 0;
        for (std::size_t b = 0; b < counts_.size(); ++b) {
            seen += counts_[b];
            if (seen >= rank) return static_cast<double>(lower_edge(b));
        }
        return static_cast<double>(max_);
    }

private:
    static constexpr std::uint64_t linear_limit = 1024;
    static constexpr std::uint64_t sub_buckets = 512;
    [[nodiscard]] static std::size_t bucket(std::uint64_t v) noexcept {
        if (v < linear_limit) return static_cast<std::size_t>(v);
        const int top = 63 - __builtin_clzll(v);  // >= 10
        const int shift = top - 9;                 // keeps 10 significant bits
        const std::uint64_t mantissa = v >> shift;  // in [512, 1024)
        return static_cast<std::size_t>(linear_limit + static_cast<std::uint64_t>(shift - 1) * sub_buckets +
                                        (mantissa - sub_buckets));
    }
    [[nodiscard]] static std::uint64_t lower_edge(std::size_t b) noexcept {
        if (b < linear_limit) return b;
        const std::uint64_t shift = (b - linear_limit) / sub_buckets + 1;
        const std::uint64_t mantissa = (b - linear_limit) % sub_buckets + sub_buckets;
        return mantissa << shift;
    }
    std::vector<std::uint64_t> counts_;
    std::uint64_t total_ = 0;
    std::uint64_t max_ = 0;
};

[[nodiscard]] inline std::uint64_t frame_key(std::span<const std::uint8_t> bytes) noexcept {
    // FNV-1a over the first 48 bytes and the length: routing header, SFrame header (its counter)
    // and the start of the ciphertext, or the baselines' speaker and sequence numbers.
    std::uint64_t h = 1469598103934665603ULL ^ bytes.size();
    const std::size_t n = std::min<std::size_t>(bytes.size(), 48);
    for (std::size_t i = 0; i < n; ++i) h = (h ^ bytes[i]) * 1099511628211ULL;
    return h;
}

class delivery_tracker {
public:
    // `scheduled_us`: when the talk pattern said the frame was due; `written_us`: when it was
    // handed to the speaker's socket. `expected` receivers; `measured`: inside the window.
    void sent(std::uint64_t key, std::int64_t scheduled_us, std::int64_t written_us, std::uint32_t expected, bool measured) {
        frames_.insert_or_assign(key, frame{scheduled_us, written_us, expected, 0, measured});
        if (measured) ++frames_measured_;
    }

    // A listener received bytes with this key at `now_us`; `in_window` counts it as a delivery.
    void received(std::uint64_t key, std::int64_t now_us, bool in_window) {
        const auto it = frames_.find(key);
        if (it == frames_.end()) {
            ++unmatched_;
            return;
        }
        ++it->second.receipts;
        ++receipts_any_;
        if (in_window) {
            ++deliveries_;
            from_scheduled_.add(now_us - it->second.scheduled_us);
            from_written_.add(now_us - it->second.written_us);
        }
    }

    // A probe listener's receipt, also counted by received(): `kernel_us` when the kernel queued
    // it on the probe's socket (0 if unknown), `read_us` when the generator read it.
    void probe_received(std::uint64_t key, std::int64_t kernel_us, std::int64_t read_us, bool in_window) {
        const auto it = frames_.find(key);
        if (it == frames_.end() || !in_window) return;
        ++probe_receipts_;
        probe_read_.add(read_us - it->second.written_us);
        if (kernel_us == 0) {
            ++probe_without_timestamp_;
            return;
        }
        probe_relay_.add(kernel_us - it->second.written_us);
    }

    // After the drain: receipts missing for frames sent inside the window.
    [[nodiscard]] std::uint64_t lost() const {
        std::uint64_t missing = 0;
        for (const auto& [key, f] : frames_) {
            if (f.measured && f.receipts < f.expected) missing += f.expected - f.receipts;
        }
        return missing;
    }
    [[nodiscard]] std::uint64_t expected_deliveries() const {
        std::uint64_t sum = 0;
        for (const auto& [key, f] : frames_) sum += f.measured ? f.expected : 0;
        return sum;
    }

    [[nodiscard]] std::uint64_t deliveries() const noexcept { return deliveries_; }
    // Matched receipts inside the window or not (the calibration counts them before the window).
    [[nodiscard]] std::uint64_t deliveries_any() const noexcept { return receipts_any_; }
    [[nodiscard]] std::uint64_t frames_measured() const noexcept { return frames_measured_; }
    [[nodiscard]] std::uint64_t unmatched() const noexcept { return unmatched_; }
    [[nodiscard]] const latency_histogram& from_scheduled() const noexcept { return from_scheduled_; }
    [[nodiscard]] const latency_histogram& from_written() const noexcept { return from_written_; }
    // Probe listeners: speaker's write to the kernel's receipt on the probe socket (what the relay
    // and loopback add), and to the generator's read of it (adds the generator's own delay).
    [[nodiscard]] const latency_histogram& probe_relay() const noexcept { return probe_relay_; }
    [[nodiscard]] const latency_histogram& probe_read() const noexcept { return probe_read_; }
    [[nodiscard]] std::uint64_t probe_receipts() const noexcept { return probe_receipts_; }
    [[nodiscard]] std::uint64_t probe_without_timestamp() const noexcept { return probe_without_timestamp_; }

private:
    struct frame {
        std::int64_t scheduled_us;
        std::int64_t written_us;
        std::uint32_t expected;
        std::uint32_t receipts;
        bool measured;
    };
    std::unordered_map<std::uint64_t, frame> frames_;
    std::uint64_t deliveries_ = 0;
    std::uint64_t receipts_any_ = 0;
    std::uint64_t frames_measured_ = 0;
    std::uint64_t unmatched_ = 0;
    latency_histogram from_scheduled_;
    latency_histogram from_written_;
    latency_histogram probe_relay_;
    latency_histogram probe_read_;
    std::uint64_t probe_receipts_ = 0;
    std::uint64_t probe_without_timestamp_ = 0;
};

}  // namespace stoa::bench
