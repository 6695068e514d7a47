// Whether a WebSocket peer is still there, as pure bookkeeping: checked every half idle timeout,
// a quiet half earns a ping and a quiet whole (the ping unanswered) a cut.
#pragma once

#include <cstdint>

namespace stoa::server {

enum class liveness_verdict : std::uint8_t {
    alive,  // the peer sent something since the last check
    ping,   // quiet for one check: ask it for a pong
    dead,   // quiet for two checks in a row, the ping included: cut the connection
};

class ws_liveness {
public:
    // Any bytes from the peer count, whatever the frame (a pong is only one way to answer).
    void heard() noexcept { heard_since_check_ = true; }
    // Called every half idle timeout.
    [[nodiscard]] liveness_verdict check() noexcept;

private:
    bool heard_since_check_ = false;
    bool ping_outstanding_ = false;
};

}  // namespace stoa::server
