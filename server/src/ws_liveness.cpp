// The two-strike idle rule of ws_liveness.hpp.
#include "stoa/server/ws_liveness.hpp"

namespace stoa::server {

liveness_verdict ws_liveness::check() noexcept {
    if (heard_since_check_) {
        heard_since_check_ = false;
        ping_outstanding_ = false;
        return liveness_verdict::alive;
    }
    if (ping_outstanding_) return liveness_verdict::dead;
    ping_outstanding_ = true;
    return liveness_verdict::ping;
}

}  // namespace stoa::server
