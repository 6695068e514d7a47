#include <catch2/catch.hpp>

#include "stoa/loadgen/scenario/server_target.hpp"

using namespace stoa::loadgen;

TEST_CASE("parse_server_url takes ws:// and wss:// URLs apart", "[server_target]") {
    struct row {
        const char* text;
        server_url expected;
        const char* canonical;
    };
    const row rows[] = {
        // No path: Stoa's endpoint, /ws.
        {"ws://127.0.0.1:8080", {url_scheme::ws, "127.0.0.1", 8080, "/ws", false}, "ws://127.0.0.1:8080/ws"},
        {"ws://localhost", {url_scheme::ws, "localhost", 80, "/ws", false}, "ws://localhost/ws"},
        {"ws://127.0.0.1:8080/", {url_scheme::ws, "127.0.0.1", 8080, "/"}, "ws://127.0.0.1:8080/"},
        {"wss://rooms.example/ws", {url_scheme::wss, "rooms.example", 443, "/ws"}, "wss://rooms.example/ws"},
        {"wss://rooms.example:8443/a/b?x=1",
         {url_scheme::wss, "rooms.example", 8443, "/a/b?x=1"},
         "wss://rooms.example:8443/a/b?x=1"},
        {"ws://[::1]:9000", {url_scheme::ws, "::1", 9000, "/ws", false}, "ws://[::1]:9000/ws"},
        {"ws://host?room=2", {url_scheme::ws, "host", 80, "/ws?room=2", false}, "ws://host/ws?room=2"},
    };
    for (const auto& r : rows) {
        INFO(r.text);
        auto parsed = parse_server_url(r.text);
        REQUIRE(parsed.ok());
        CHECK(*parsed == r.expected);
        CHECK(to_string(*parsed) == r.canonical);
    }
}

TEST_CASE("parse_server_url refuses what a WebSocket client cannot dial", "[server_target]") {
    struct row {
        const char* text;
        const char* reason;
    };
    const row rows[] = {
        {"http://host", "a server URL starts with ws:// or wss://"},
        {"127.0.0.1:8080", "a server URL starts with ws:// or wss://"},
        {"ws://", "the server URL has no host"},
        {"ws://:8080", "the server URL has no host"},
        {"ws://host:", "the port is missing after :"},
        {"ws://host:0", "the port is a number from 1 to 65535"},
        {"ws://host:65536", "the port is a number from 1 to 65535"},
        {"ws://host:80a", "the port is a number from 1 to 65535"},
        {"ws://user@host", "a server URL has no user name or password"},
        {"ws://ho st", "the host has a character a host name cannot have"},
        {"ws://[::1", "an IPv6 address needs its closing ]"},
        {"ws://[zz]", "not an IPv6 address between [ ]"},
        {"ws://[::1]x", "expected :PORT after the IPv6 address"},
        {"ws://host/a#b", "a WebSocket URL has no #fragment"},
        {"ws://host/a b", "the path has a space or a character that needs percent-encoding"},
    };
    for (const auto& r : rows) {
        INFO(r.text);
        auto parsed = parse_server_url(r.text);
        REQUIRE_FALSE(parsed.ok());
        CHECK(parsed.error() == r.reason);
    }
}

TEST_CASE("the default origin is the URL's, as a loopback stoa-server without --origin serves", "[server_target]") {
    const std::pair<const char*, const char*> rows[] = {
        {"ws://127.0.0.1:8080/ws", "http://127.0.0.1:8080"},
        {"ws://127.0.0.1", "http://127.0.0.1"},
        {"wss://rooms.example/ws", "https://rooms.example"},
        {"wss://rooms.example:8443/a?b=1", "https://rooms.example:8443"},
        {"ws://[::1]:9000/", "http://[::1]:9000"},
    };
    for (const auto& [url, origin] : rows) {
        INFO(url);
        CHECK(default_origin(*parse_server_url(url)) == origin);
    }
}
