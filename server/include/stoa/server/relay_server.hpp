// stoa-server as an object: one port serving the web client, /healthz, /metrics and the relay's
// WebSocket endpoint, on a pool of I/O threads. main() and the integration tests both use it.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "stoa/server/server_config.hpp"

namespace stoa::server {

class relay_server {
public:
    // Binds the listening socket (port 0 picks a free one) and loads TLS files. Throws on
    // misconfiguration: an address that does not parse or bind, unreadable certificates, a
    // non-loopback address without an origin (check_origin_configured).
    explicit relay_server(server_config config);
    ~relay_server();
    relay_server(const relay_server&) = delete;
    relay_server& operator=(const relay_server&) = delete;

    // Starts the I/O threads. Returns at once.
    void start();
    [[nodiscard]] std::uint16_t port() const noexcept;
    [[nodiscard]] const server_config& config() const noexcept;
    // The origin it serves: the configured one, or on loopback http(s)://ADDRESS:PORT. It is also
    // the auth context, the text every login signs (config().relay.auth_context).
    [[nodiscard]] const std::string& origin() const noexcept;
    // Why batches are written with writev rather than io_uring; empty when io_uring is in use.
    [[nodiscard]] const std::string& io_uring_refusal() const noexcept;
    // Graceful: stop accepting, send every client `shutdown`, let queues drain (bounded by
    // drain_timeout), then stop the threads. Returns at once; wait() blocks until done.
    void shutdown();
    void wait();
    // Immediate: asks the threads to stop without telling anyone (wait() joins them). Any thread.
    void stop();

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace stoa::server
