// The plain WebSocket fan-out protocol behind protocol_adapter: what tests/bench/relay/baseline_ws.js
// relays (every message from a client, text or binary, to every other client) and what the peers
// fixture (tests/bench/loadgen/peers/fixture.cpp) pushes. Announcements (fanout_control.hpp) go as
// text messages, frames (fanout_frame.hpp) as binary ones; the fixture's own frames are counted
// with no send time. Any URL path: neither server looks at it.
#pragma once

#include <memory>

#include "stoa/loadgen/driver/protocol_adapter.hpp"

namespace stoa::loadgen {

[[nodiscard]] std::unique_ptr<protocol_adapter> make_plain_adapter();

}  // namespace stoa::loadgen
