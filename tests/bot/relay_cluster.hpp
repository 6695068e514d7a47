// Real relay processes for the end-to-end tests: a NATS server and stoa-server nodes as child
// processes on loopback, each waited for by what it prints or accepts (no sleeps), each
// killable with SIGKILL and startable again on the same port.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <regex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bot_process.hpp"

namespace stoa::test {

// A loopback port nobody listens on right now (the kernel's pick for a socket bound to port 0).
inline std::uint16_t free_loopback_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = 0;
    socklen_t length = sizeof address;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
        ::close(fd);
        throw std::runtime_error("no free loopback port");
    }
    ::close(fd);
    return ntohs(address.sin_port);
}

// True once something accepts TCP connections on the loopback port, false at the deadline.
inline bool await_listening(std::uint16_t port, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        address.sin_port = htons(port);
        const bool connected = ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
        ::close(fd);
        if (connected) return true;
        // Polling a port that is not open yet: there is no event to await from another process.
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
}

// nats-server on a loopback port, started and known to accept connections.
class nats_process {
public:
    nats_process() : port_(free_loopback_port()), monitor_port_(free_loopback_port()) {
        // -m: NATS's own monitoring endpoint (/varz counts messages in and out), for benchmarks.
        process_ = std::make_unique<bot_process>(
            STOA_NATS_SERVER_PATH, std::vector<std::string>{"-a", "127.0.0.1", "-p", std::to_string(port_), "-m",
                                                            std::to_string(monitor_port_)});
        if (!await_listening(port_, std::chrono::seconds(10))) throw std::runtime_error("nats-server did not start");
    }
    [[nodiscard]] std::string url() const { return "nats://127.0.0.1:" + std::to_string(port_); }
    [[nodiscard]] std::uint16_t monitor_port() const noexcept { return monitor_port_; }

private:
    std::uint16_t port_;
    std::uint16_t monitor_port_;
    std::unique_ptr<bot_process> process_;
};

// One stoa-server, alone or as a cluster node; kill() and start() again keep its port.
class relay_process {
public:
    struct options {
        std::optional<std::string> nats_url;
        std::string node;
        std::string origin;  // empty: the loopback default for its own port
        std::string config;  // a --config file, if any
    };

    // `port` 0: a free one, kept across restarts.
    explicit relay_process(options o, std::uint16_t port = 0) : options_(std::move(o)), port_(port) { start(); }

    void start() {
        std::vector<std::string> args{"--listen", "127.0.0.1", "--port", std::to_string(port_), "--threads", "1"};
        if (options_.nats_url) {
            args.insert(args.end(), {"--nats", *options_.nats_url, "--node", options_.node});
        }
        if (!options_.origin.empty()) args.insert(args.end(), {"--origin", options_.origin});
        if (!options_.config.empty()) args.insert(args.end(), {"--config", options_.config});
        process_ = std::make_unique<bot_process>(STOA_SERVER_PATH, std::move(args));
        static const std::regex listening(R"(listening on https?://[^:]+:(\d+)/)");
        for (;;) {
            const auto line = process_->next_line(std::chrono::seconds(15));
            if (!line) throw std::runtime_error("stoa-server did not start");
            std::smatch match;
            if (std::regex_search(*line, match, listening)) {
                port_ = static_cast<std::uint16_t>(std::stoi(match[1].str()));
                return;
            }
        }
    }
    // SIGKILL: the relay dies without telling anyone, as in a crash.
    void kill() { process_->kill_now(); }

    [[nodiscard]] std::uint16_t port() const noexcept { return port_; }
    [[nodiscard]] std::string ws_url() const { return "ws://127.0.0.1:" + std::to_string(port_) + "/ws"; }
    [[nodiscard]] const options& settings() const noexcept { return options_; }

private:
    options options_;
    std::uint16_t port_ = 0;  // 0 until the first start picks one
    std::unique_ptr<bot_process> process_;
};

// NATS and three nodes sharing one origin (node 1's URL), as docs/deployment.md describes.
class relay_cluster {
public:
    explicit relay_cluster(std::size_t nodes = 3) {
        const std::uint16_t first_port = free_loopback_port();
        origin_ = "http://127.0.0.1:" + std::to_string(first_port);
        for (std::size_t i = 0; i < nodes; ++i) {
            relay_process::options o;
            o.nats_url = nats_.url();
            o.node = "node" + std::to_string(i + 1);
            o.origin = origin_;
            nodes_.push_back(std::make_unique<relay_process>(std::move(o), i == 0 ? first_port : 0));
        }
    }
    [[nodiscard]] relay_process& node(std::size_t i) { return *nodes_.at(i); }
    [[nodiscard]] const std::string& origin() const noexcept { return origin_; }
    [[nodiscard]] const nats_process& nats() const noexcept { return nats_; }

private:
    nats_process nats_;
    std::string origin_;
    std::vector<std::unique_ptr<relay_process>> nodes_;
};

}  // namespace stoa::test
