// The one small interface behind which the load generator speaks each relay's protocol (stoa,
// a plain `ws` broadcast, Socket.IO), and the context the protocols report frames to.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bench_connection.hpp"
#include "delivery_tracker.hpp"

namespace stoa::bench {

[[nodiscard]] inline std::int64_t now_us() {
    return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// What every protocol reports to, owned by the runner.
struct bench_context {
    delivery_tracker tracker;
    bool window_open = false;  // inside the measured window
    bool talking = false;      // speakers may send (warm-up, window)
    std::uint32_t members = 0;  // connections that should be open: every frame goes to members - 1
    std::uint32_t speakers = 0;
    std::size_t payload_bytes = 100;  // baselines' frame size (stoa's is whatever Opus + SFrame make)
    std::uint64_t media_bytes_sent = 0;
    std::uint64_t closed_connections = 0;
    std::uint64_t errors = 0;

    // A speaker's media message is being handed to its socket.
    void frame_sent(byte_span bytes, std::int64_t scheduled_us) {
        media_bytes_sent += bytes.size();
        tracker.sent(frame_key(bytes), scheduled_us, now_us(), members - 1, window_open);
    }
    // A member received a media message; a probe listener's also counts with its socket's timestamps.
    void frame_received(byte_span bytes, const bench_connection& from) {
        const auto key = frame_key(bytes);
        tracker.received(key, now_us(), window_open);
        if (from.timestamps_enabled()) tracker.probe_received(key, from.kernel_receive_us(), from.read_us(), window_open);
    }
};

class bench_protocol : public connection_handler {
public:
    // Members 0 .. speakers-1 speak; member 0 opens the room (stoa's host) and is connected first.
    virtual std::string target() const = 0;
    virtual void add_member(std::shared_ptr<bench_connection> connection) = 0;
    // Members whose connection is open and who are in the room.
    [[nodiscard]] virtual std::uint32_t ready_members() const = 0;
    // Called every 20 ms once everyone is in: brings speakers on stage etc. True when they may talk.
    virtual bool prepare_to_talk() = 0;
    // Speaker `speaker` sends frame `seq`, due at `scheduled_us`.
    virtual void speak(std::uint32_t speaker, std::uint32_t seq, std::int64_t scheduled_us) = 0;
    // Every 20 ms: timers of the protocol's clients.
    virtual void tick() = 0;
    // Protocol-specific figures for the report.
    [[nodiscard]] virtual nlohmann::json report() const = 0;
};

[[nodiscard]] std::unique_ptr<bench_protocol> make_ws_protocol(bench_context& context);
[[nodiscard]] std::unique_ptr<bench_protocol> make_socketio_protocol(bench_context& context);

struct stoa_options {
    std::uint32_t decrypt_every = 50;  // one listener in N decrypts every frame it receives
    std::int32_t bitrate_bps = 24'000;
    std::string auth_context = "stoa relay";
    std::uint64_t seed = 1;
};
[[nodiscard]] std::unique_ptr<bench_protocol> make_stoa_protocol(bench_context& context, stoa_options options);

}  // namespace stoa::bench
