// The replay window: a 128-bit bitmap anchored at the highest accepted counter.
#include "stoa/e2ee/replay_window.hpp"

namespace stoa::e2ee {

status<e2ee_error> replay_window::check(std::uint64_t counter) const noexcept {
    if (!any_ || counter > highest_) return {};
    const std::uint64_t behind = highest_ - counter;
    if (behind >= window_size) return fail(e2ee_error::too_old);
    if (seen_.test(static_cast<std::size_t>(behind))) return fail(e2ee_error::replay);
    return {};
}

void replay_window::accept(std::uint64_t counter) noexcept {
    if (!any_) {
        any_ = true;
        highest_ = counter;
        seen_.reset();
        seen_.set(0);
        return;
    }
    if (counter > highest_) {
        const std::uint64_t ahead = counter - highest_;
        if (ahead >= window_size) {
            seen_.reset();
        } else {
            seen_ <<= static_cast<std::size_t>(ahead);
        }
        seen_.set(0);
        highest_ = counter;
        return;
    }
    const std::uint64_t behind = highest_ - counter;
    if (behind < window_size) seen_.set(static_cast<std::size_t>(behind));
}

}  // namespace stoa::e2ee
