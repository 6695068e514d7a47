// The cluster's message bus over NATS (the official C client, libnats): publishes from the
// engine's thread, and hands what arrives (on the client's own threads) to the engine's thread
// in batches. Owns the connection and every subscription (RAII over the C handles).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "stoa/cluster/message_bus.hpp"
#include "stoa/common/result.hpp"

struct __natsConnection;
struct __natsSubscription;

namespace stoa::server {

struct bus_message {
    std::string subject;
    bytes payload;
};

struct nats_counters {
    bool connected = false;
    std::uint64_t disconnects = 0;
    std::uint64_t reconnects = 0;
    std::uint64_t publish_failures = 0;
    std::uint64_t inbox_dropped = 0;      // media dropped because the engine's inbox was full
    std::uint64_t slow_consumer_errors = 0;  // NATS dropped messages it could not hand over in time
};

class nats_bus final : public cluster::message_bus {
public:
    // Connects to `url` (nats://host:port, or several separated by commas), reconnecting forever
    // after a loss. `wake` is called on a NATS thread when the inbox goes from empty to non-empty.
    [[nodiscard]] static result<std::unique_ptr<nats_bus>, std::string> connect(const std::string& url,
                                                                                 const std::string& client_name,
                                                                                 std::function<void()> wake);
    ~nats_bus() override;
    nats_bus(const nats_bus&) = delete;
    nats_bus& operator=(const nats_bus&) = delete;

    void publish(const std::string& subject, bytes payload) override;
    void subscribe(const std::string& subject) override;
    void unsubscribe(const std::string& subject) override;

    // Everything received since the last call, in arrival order (engine's thread).
    [[nodiscard]] std::vector<bus_message> take();
    [[nodiscard]] nats_counters counters() const;

    // The inbox holds at most this many messages; over it, room media is dropped (counted), and
    // members' and nodes' messages are kept.
    static constexpr std::size_t max_inbox = 200'000;

private:
    struct impl;
    explicit nats_bus(std::unique_ptr<impl> state);
    std::unique_ptr<impl> impl_;
};

}  // namespace stoa::server
