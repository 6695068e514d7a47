// stoa-server's configuration: command-line flags over an optional JSON file over defaults.
// Unknown flags and keys are errors, so a typo never silently leaves a limit at its default.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "stoa/common/result.hpp"
#include "stoa/relay/relay_engine.hpp"
#include "stoa/server/send_queue.hpp"

namespace stoa::server {

struct server_config {
    std::string listen_address = "127.0.0.1";
    std::uint16_t port = 8080;  // 0 picks a free port (tests)
    unsigned threads = 0;       // 0: one per hardware thread
    std::filesystem::path web_root{};
    std::optional<std::filesystem::path> tls_certificate{};  // PEM chain; with tls_private_key, serve wss/https
    std::optional<std::filesystem::path> tls_private_key{};

    // The URL users open, scheme://host[:port] (--origin, config key auth_context): browsers sign
    // it at login, and a WebSocket upgrade carrying another Origin is refused. Unset is allowed only
    // on a loopback address, where the relay serves http(s)://ADDRESS:PORT (origin_policy.hpp).
    std::optional<std::string> origin{};
    // Relays at other origins the web client may use (--relay, config key "relays"): served as
    // /config.json and allowed in the CSP's connect-src. Each passed check_relay_url.
    std::vector<std::string> relays{};
    relay::relay_config relay{};  // its auth_context is ignored: relay_server sets it from origin
    send_queue_limits queue{};
    std::size_t max_connections = 100'000;
    // Open WebSocket connections from one IP address; 0 is unlimited. One tab holds one, so this
    // leaves room for a household or an office behind one NAT address, not for one host to fill
    // the relay. Load tests from one machine lift it in their configuration.
    std::size_t max_connections_per_address = 64;
    // A WebSocket message over this is refused by closing with 1009 (the largest legal one is a
    // full key bundle).
    std::size_t max_message_bytes = 256 * 1024 + 64;
    // A connection that sends nothing for this long is closed; a ping goes out at half of it.
    std::chrono::milliseconds idle_timeout{30'000};
    std::chrono::milliseconds http_timeout{30'000};
    // How long a connection told to close (slow consumer, protocol error, shutdown) may take to
    // read what is left before its socket is cut.
    std::chrono::milliseconds close_timeout{5'000};
    // Graceful shutdown: tell clients, then wait at most this long for queues to drain.
    std::chrono::milliseconds drain_timeout{5'000};
    std::uint32_t reconnect_after_ms = 2'000;
    // SO_SNDBUF for WebSocket sockets; 0 keeps the system's. Tests shrink it to reach backpressure quickly.
    int socket_send_buffer = 0;
    // Gathered writes of one batch submitted through io_uring (one system call for all of a
    // thread's connections) when the kernel allows it; otherwise, or when false, one writev each.
    bool io_uring = true;

    // Set: this relay is one node of a cluster whose nodes talk over NATS (docs/deployment.md).
    struct cluster_settings {
        std::string nats_url;              // --nats, config key "nats": nats://HOST:PORT[,nats://...]
        std::string node_name;             // --node, config key "node": unique in the cluster
        std::string subject_prefix = "stoa";  // config key "nats_subject_prefix": one cluster per prefix
    };
    std::optional<cluster_settings> cluster{};

    [[nodiscard]] bool tls() const noexcept { return tls_certificate.has_value() && tls_private_key.has_value(); }
};

// Why a --relay URL cannot be used. It goes verbatim into a response header (the CSP) and must
// be a source expression browsers match, so only a plain ws:// or wss:// URL is taken.
enum class relay_url_error {
    too_long,  // over max_relay_url_length
    scheme,    // not ws:// or wss://
    host,      // empty, user info, or not a DNS name or IPv4 address (CSP cannot name IPv6 literals)
    port,      // not 1 to 65535
    path,      // a character outside A-Z a-z 0-9 %XX -._~/!$&()*+=:@ (a quote, ';', ',', space, '?', '#')
};
inline constexpr std::size_t max_relay_url_length = 512;
inline constexpr std::size_t max_relays = 16;  // the web client tries 8 at most

[[nodiscard]] std::string_view describe(relay_url_error error) noexcept;
// ws[s]://host[:port][/path]
[[nodiscard]] status<relay_url_error> check_relay_url(std::string_view url) noexcept;

// The web root when none is configured: the copy staged (with .gz files) in the build tree,
// else the source tree's web/.
[[nodiscard]] std::filesystem::path default_web_root();

// Applies a JSON document (see docs/protocol.md, "Running the relay") on top of `config`.
[[nodiscard]] status<std::string> apply_config_json(server_config& config, std::string_view json_text);

// Parses argv[1..]: --listen, --port, --threads, --config FILE, --origin, --web-root, --tls-cert,
// --tls-key, --relay (repeatable; any given replace the file's "relays"). --config is applied
// first, so flags override the file. `help` is set for --help.
// Fails, among the rest, for a non-loopback --listen without an origin (check_origin_configured).
struct command_line {
    server_config config{};
    bool help = false;
};
[[nodiscard]] result<command_line, std::string> parse_command_line(std::span<const std::string_view> args);

[[nodiscard]] std::string_view usage();

}  // namespace stoa::server
