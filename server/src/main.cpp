// stoa-server: parses its flags, starts the relay and waits for SIGINT or SIGTERM to drain and exit.
#include <csignal>
#include <cstdio>
#include <exception>
#include <functional>
#include <thread>
#include <string_view>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include "stoa/server/relay_server.hpp"

int main(int argc, char** argv) {
    std::vector<std::string_view> args(argv + 1, argv + argc);
    auto parsed = stoa::server::parse_command_line(args);
    if (!parsed.ok()) {
        std::fprintf(stderr, "stoa-server: %s\n%.*s", parsed.error().c_str(),
                     static_cast<int>(stoa::server::usage().size()), stoa::server::usage().data());
        return 2;
    }
    if (parsed->help) {
        std::printf("%.*s", static_cast<int>(stoa::server::usage().size()), stoa::server::usage().data());
        return 0;
    }
    try {
        // Signals are caught from before the first connection can arrive, on an io_context of
        // their own, so a busy relay still hears them.
        boost::asio::io_context signals_io;
        boost::asio::signal_set signals(signals_io, SIGINT, SIGTERM);
        stoa::server::relay_server server(std::move(parsed->config));
        const auto& config = server.config();
        bool draining = false;
        std::function<void(const boost::system::error_code&, int)> on_signal;
        on_signal = [&](const boost::system::error_code& error, int) {
            if (error) return;
            if (draining) {
                server.stop();  // a second signal: stop without waiting
                return;
            }
            draining = true;
            std::printf("stoa-server: shutting down (telling clients, draining for at most %lld ms)\n",
                        static_cast<long long>(config.drain_timeout.count()));
            std::fflush(stdout);
            server.shutdown();
            signals.async_wait(on_signal);
        };
        signals.async_wait(on_signal);
        std::thread signal_thread([&] { signals_io.run(); });

        server.start();
        std::printf("stoa-server: listening on %s://%s:%u/ (WebSocket /ws, /healthz, /metrics), %u I/O threads, web root %s\n",
                    config.tls() ? "https" : "http", config.listen_address.c_str(), server.port(), config.threads,
                    config.web_root.string().c_str());
        std::printf("stoa-server: origin %s (signed at login; WebSocket upgrades from other origins are refused)\n",
                    server.origin().c_str());
        if (!server.io_uring_refusal().empty()) {
            std::printf("stoa-server: writes with writev, not io_uring (%s)\n", server.io_uring_refusal().c_str());
        }
        std::fflush(stdout);
        server.wait();
        signals_io.stop();
        signal_thread.join();
        std::printf("stoa-server: stopped\n");
        return 0;
    } catch (const std::exception& error) {
        std::fprintf(stderr, "stoa-server: %s\n", error.what());
        return 1;
    }
}
