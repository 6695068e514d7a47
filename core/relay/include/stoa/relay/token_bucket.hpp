// A token bucket on the caller's clock: the relay's rate limits (joins, directory reads, control
// messages, media frames) per connection, identity and address, without reading any clock.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>

#include "stoa/common/time.hpp"

namespace stoa::relay {

// `burst` requests at once, then `per_second` on average. A zero burst refuses everything.
struct rate_limit {
    double burst = 10.0;
    double per_second = 1.0;
};

class token_bucket {
public:
    token_bucket() = default;
    token_bucket(rate_limit limit, time_point now) : limit_(limit), tokens_(limit.burst), updated_(now) {}

    // Takes one token if there is one. Time running backwards adds nothing.
    [[nodiscard]] bool take(time_point now) noexcept {
        tokens_ = available(now);
        updated_ = std::max(updated_, now);
        if (tokens_ < 1.0) return false;
        tokens_ -= 1.0;
        return true;
    }
    // A full bucket behaves exactly like a new one, so its owner may forget it.
    [[nodiscard]] bool full(time_point now) const noexcept { return available(now) >= limit_.burst; }

private:
    [[nodiscard]] double available(time_point now) const noexcept {
        if (now <= updated_) return tokens_;
        const double elapsed = std::chrono::duration<double>(now - updated_).count();
        return std::min(limit_.burst, tokens_ + elapsed * limit_.per_second);
    }

    rate_limit limit_{};
    double tokens_ = 0.0;
    time_point updated_{};
};

}  // namespace stoa::relay
