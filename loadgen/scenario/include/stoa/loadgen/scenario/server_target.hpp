// The relay stoa-load connects to: a ws:// or wss:// URL, and the auth context its members sign
// (the relay's --origin; by default the origin of the URL, which is what a loopback stoa-server
// started without --origin uses).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "stoa/common/result.hpp"

namespace stoa::loadgen {

enum class url_scheme : std::uint8_t { ws, wss };

struct server_url {
    url_scheme scheme = url_scheme::ws;
    std::string host;         // a name, an IPv4 address, or an IPv6 address without its brackets
    std::uint16_t port = 80;  // the URL's, or 80 for ws:// and 443 for wss://
    // With any query, as sent in the WebSocket handshake. A URL without a path means Stoa's
    // endpoint, /ws (stoa-server answers the upgrade only there); write "/" to ask for the root.
    std::string path = "/ws";
    // Whether the URL named its path: another protocol's adapter may have its own default
    // (Socket.IO's /socket.io/?EIO=4&transport=websocket).
    bool path_given = true;

    friend bool operator==(const server_url&, const server_url&) = default;
};

// "ws://127.0.0.1:8080" (path /ws), "wss://rooms.example/ws", "ws://[::1]:8080/". No user info, no fragment.
[[nodiscard]] result<server_url, std::string> parse_server_url(std::string_view text);

// The URL back as text (for reports), e.g. "ws://[::1]:8080/ws".
[[nodiscard]] std::string to_string(const server_url& url);

// The origin a page served at `url` would have, e.g. "http://127.0.0.1:8080" for
// ws://127.0.0.1:8080/ws, "https://rooms.example" for wss://rooms.example/ws.
[[nodiscard]] std::string default_origin(const server_url& url);

struct server_target {
    server_url url{url_scheme::ws, "127.0.0.1", 8080, "/ws"};
    // More relays of the same cluster (scenario key more_urls, or --server given again): members
    // are spread over `url` and these round-robin by member index, and a member that loses its
    // relay reconnects to the next one in the list. All must share the scheme and the origin.
    std::vector<server_url> more_urls{};
    // The auth context bound into every member's signature: the scenario's, or default_origin(url).
    std::string origin = "http://127.0.0.1:8080";
    // The room server's protocol: "stoa" (the default), or another adapter's name (--protocol).
    std::string protocol = "stoa";
    // wss://: check the relay's certificate (chain and name) against the system's trust store, or
    // against tls_ca (PEM) when given. tls_verify = false trusts any certificate (tests only).
    bool tls_verify = true;
    std::string tls_ca;

    friend bool operator==(const server_target&, const server_target&) = default;
};

}  // namespace stoa::loadgen
