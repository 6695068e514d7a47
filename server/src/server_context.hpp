// What every session needs from the server: its configuration, counters and the engine host.
#pragma once

#include <atomic>
#include <cstddef>

#include "engine_host.hpp"
#include "stoa/server/metrics.hpp"
#include "stoa/server/server_config.hpp"

namespace stoa::server {

struct server_context {
    server_context(const server_config& c, server_metrics& m, engine_host& e) : config(c), metrics(m), engine(e) {}

    const server_config& config;
    server_metrics& metrics;
    engine_host& engine;
    std::atomic<std::size_t> open_websockets{0};
};

}  // namespace stoa::server
