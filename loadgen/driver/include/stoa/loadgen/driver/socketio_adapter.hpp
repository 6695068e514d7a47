// Socket.IO rooms behind protocol_adapter, as tests/bench/relay/baseline_socketio.js serves them:
// Engine.IO v4 on the websocket transport (no long-polling), the main namespace, where the server
// puts every client in one room and relays each "audio" event to the rest of it. A frame
// (fanout_frame.hpp) is an "audio" event with one binary attachment; an announcement
// (fanout_control.hpp) an "audio" event with a JSON object. Engine.IO pings are answered as they
// come. URL path: /socket.io/?EIO=4&transport=websocket.
#pragma once

#include <memory>
#include <string_view>

#include "stoa/loadgen/driver/protocol_adapter.hpp"

namespace stoa::loadgen {

inline constexpr std::string_view socketio_path = "/socket.io/?EIO=4&transport=websocket";

[[nodiscard]] std::unique_ptr<protocol_adapter> make_socketio_adapter();

}  // namespace stoa::loadgen
