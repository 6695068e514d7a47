// What every session needs from the server: its configuration, counters, the engine host and the
// HTTP answers computed once at start-up.
#pragma once

#include <atomic>
#include <cstddef>
#include <string>

#include "engine_host.hpp"
#include "stoa/server/address_limiter.hpp"
#include "stoa/server/metrics.hpp"
#include "stoa/server/server_config.hpp"
#include "stoa/server/static_files.hpp"

namespace stoa::server {

struct server_context {
    server_context(const server_config& c, server_metrics& m, engine_host& e)
        : config(c),
          metrics(m),
          engine(e),
          origin(c.relay.auth_context),
          security_policy(content_security_policy(c.relays)),
          client_config_json(web_client_config_json(c.relays)),
          per_address(c.max_connections_per_address) {}

    const server_config& config;
    server_metrics& metrics;
    engine_host& engine;
    // The origin the relay serves (relay_origin()): what logins sign and upgrades' Origin must be.
    const std::string origin;
    // Built once from the --relay list: every response's Content-Security-Policy, and /config.json.
    const std::string security_policy;
    const std::string client_config_json;
    std::atomic<std::size_t> open_websockets{0};
    address_limiter per_address;
};

}  // namespace stoa::server
