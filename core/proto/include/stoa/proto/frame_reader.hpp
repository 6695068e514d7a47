// Length-prefixed framing for transports without WebSocket framing (pipes, tests, fuzzers):
// kind u8 (0 = text, 1 = binary) || length u32 big-endian || payload. Bytes in, callbacks out;
// any chunking of the input yields the same frames.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>

#include "stoa/common/bytes.hpp"
#include "stoa/common/result.hpp"
#include "stoa/proto/errors.hpp"
#include "stoa/proto/limits.hpp"

namespace stoa::proto {

enum class frame_kind : std::uint8_t { text = 0, binary = 1 };

// Appends one frame to `out`. Throws std::invalid_argument if payload exceeds UINT32_MAX bytes.
void append_frame(bytes& out, frame_kind kind, byte_view payload);

class frame_reader {
public:
    explicit frame_reader(std::size_t max_payload = default_max_frame_payload) noexcept : max_payload_(max_payload) {}

    // Calls on_frame(frame_kind, byte_view payload) for each complete frame, in order. The view
    // is valid only during the call. On a bad header (unknown kind, length over max_payload) it
    // returns the error and the reader stays failed: the stream cannot be resynchronised.
    // Memory held is at most one frame header plus max_payload.
    template <typename OnFrame>
    [[nodiscard]] status<decode_error> feed(byte_view chunk, OnFrame&& on_frame) {
        if (failed_) return fail(*failed_);
        while (!chunk.empty()) {
            if (!header_ready_) {
                const std::size_t take = std::min(chunk.size(), frame_header_size - header_fill_);
                for (std::size_t i = 0; i < take; ++i) header_[header_fill_++] = chunk[i];
                chunk = chunk.subspan(take);
                if (header_fill_ < frame_header_size) break;
                if (auto error = start_frame()) {
                    failed_ = *error;
                    return fail(*error);
                }
                if (!header_ready_) {  // a zero-length frame is complete at once
                    on_frame(kind_, byte_view{});
                    continue;
                }
            }
            // Deliver straight from the chunk when the whole payload is there and nothing is buffered.
            if (buffer_.empty() && chunk.size() >= expected_) {
                on_frame(kind_, chunk.first(expected_));
                chunk = chunk.subspan(expected_);
                reset();
                continue;
            }
            const std::size_t take = std::min(chunk.size(), expected_ - buffer_.size());
            buffer_.insert(buffer_.end(), chunk.begin(), chunk.begin() + static_cast<std::ptrdiff_t>(take));
            chunk = chunk.subspan(take);
            if (buffer_.size() == expected_) {
                on_frame(kind_, byte_view(buffer_));
                reset();
            }
        }
        return {};
    }

    // True when no partial frame is pending (a clean end of stream).
    [[nodiscard]] bool idle() const noexcept { return !failed_ && header_fill_ == 0; }

private:
    std::optional<decode_error> start_frame();
    void reset() noexcept {
        buffer_.clear();
        header_fill_ = 0;
        header_ready_ = false;
        expected_ = 0;
    }

    std::size_t max_payload_;
    std::uint8_t header_[frame_header_size]{};
    std::size_t header_fill_ = 0;
    bool header_ready_ = false;
    frame_kind kind_ = frame_kind::text;
    std::size_t expected_ = 0;
    bytes buffer_;
    std::optional<decode_error> failed_;
};

}  // namespace stoa::proto
