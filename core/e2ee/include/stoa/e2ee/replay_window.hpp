// Sliding replay window over one sender's SFrame counters (one window per sender and epoch key).
#pragma once

#include <bitset>
#include <cstdint>

#include "stoa/common/result.hpp"
#include "stoa/e2ee/e2ee_error.hpp"

namespace stoa::e2ee {

// Accepts each counter at most once and any counter within `window_size` of the highest
// accepted one, so reordering by up to 128 frames (2.56 s of 20 ms audio) is tolerated.
class replay_window {
public:
    static constexpr std::uint64_t window_size = 128;

    // Whether `counter` may be accepted. Call before decrypting; call accept() only after the
    // frame authenticated, so forged frames cannot move the window.
    [[nodiscard]] status<e2ee_error> check(std::uint64_t counter) const noexcept;
    void accept(std::uint64_t counter) noexcept;

    [[nodiscard]] bool empty() const noexcept { return !any_; }
    [[nodiscard]] std::uint64_t highest() const noexcept { return highest_; }

private:
    bool any_ = false;
    std::uint64_t highest_ = 0;
    std::bitset<window_size> seen_{};  // bit i: highest_ - i was accepted
};

}  // namespace stoa::e2ee
