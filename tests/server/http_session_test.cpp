// The relay's HTTP side on a live server: health, metrics, the web client's files with their
// headers and pre-compressed twins, conditional requests, and refusals.
#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <thread>

#include "server_fixture.hpp"

using stoa::test::http_get;
using stoa::test::server_fixture;
namespace http = boost::beast::http;

namespace {

// A WebSocket upgrade of /ws from `from` (any 127/8 address: Linux delivers them all on lo), with
// an Origin header when given, as a browser would send. The connection stays open while it lives.
// Written by hand: Beast 1.74's client handshake does not hand out the response it declined.
struct upgrade {
    upgrade(std::uint16_t port, std::optional<std::string> origin, const char* from = "127.0.0.1") : stream(io) {
        using boost::asio::ip::make_address;
        using boost::asio::ip::tcp;
        auto& socket = stream.socket();
        socket.open(tcp::v4());
        socket.bind(tcp::endpoint(make_address(from), 0));
        socket.connect(tcp::endpoint(make_address("127.0.0.1"), port));
        http::request<http::empty_body> request{http::verb::get, "/ws", 11};
        request.set(http::field::host, "127.0.0.1:" + std::to_string(port));
        request.set(http::field::upgrade, "websocket");
        request.set(http::field::connection, "Upgrade");
        request.set(http::field::sec_websocket_key, "dGhlIHNhbXBsZSBub25jZQ==");
        request.set(http::field::sec_websocket_version, "13");
        if (origin) request.set(http::field::origin, *origin);
        http::write(stream, request);
        boost::beast::flat_buffer buffer;
        http::read(stream, buffer, response);
        status = response.result_int();
    }
    // Drops the connection, as a client that goes away does.
    void close() {
        boost::system::error_code ignored;
        stream.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
        stream.socket().close(ignored);
    }

    boost::asio::io_context io;
    boost::beast::tcp_stream stream;
    http::response<http::string_body> response;
    unsigned status = 0;
};

void check_security_headers(const stoa::test::http_reply& reply) {
    CHECK(reply.headers.at("content-security-policy").find("default-src 'self'") != std::string::npos);
    CHECK(reply.headers.at("x-content-type-options") == "nosniff");
    CHECK(reply.headers.at("cross-origin-opener-policy") == "same-origin");
}

}  // namespace

TEST_CASE("health and metrics answer over HTTP on the relay's port", "[server][http]") {
    server_fixture f;
    const auto health = http_get(f.port(), "/healthz");
    CHECK(health.status == 200);
    CHECK(health.body == "ok\n");
    check_security_headers(health);

    (void)f.connect();
    f.run();
    const auto metrics = http_get(f.port(), "/metrics");
    CHECK(metrics.status == 200);
    CHECK(metrics.headers.at("content-type").starts_with("text/plain; version=0.0.4"));
    CHECK(stoa::test::metric(metrics.body, "stoa_connections") == 1.0);
    CHECK(stoa::test::metric(metrics.body, "stoa_authenticated_total") == 1.0);
    CHECK(stoa::test::metric(metrics.body, "process_resident_memory_bytes") > 0.0);
    CHECK(metrics.body.find("# TYPE stoa_join_latency_seconds histogram") != std::string::npos);
}

TEST_CASE("the web client's files come with their MIME type, cache policy, CSP and gzip twin", "[server][http]") {
    server_fixture f;
    const auto root = f.server.config().web_root;
    REQUIRE(std::filesystem::is_regular_file(root / "index.html"));
    REQUIRE(std::filesystem::is_regular_file(root / "index.html.gz"));  // made at build time

    const auto plain = http_get(f.port(), "/");
    CHECK(plain.status == 200);
    CHECK(plain.headers.at("content-type") == "text/html; charset=utf-8");
    CHECK(plain.headers.at("cache-control") == "no-cache");
    CHECK_FALSE(plain.headers.contains("content-encoding"));
    CHECK(plain.body.find("<!doctype html>") != std::string::npos);
    check_security_headers(plain);

    const auto gzipped = http_get(f.port(), "/index.html", {{"Accept-Encoding", "gzip, deflate"}});
    CHECK(gzipped.status == 200);
    CHECK(gzipped.headers.at("content-encoding") == "gzip");
    CHECK(gzipped.headers.at("vary") == "Accept-Encoding");
    REQUIRE(gzipped.body.size() >= 2);
    CHECK(static_cast<unsigned char>(gzipped.body[0]) == 0x1f);  // the gzip magic number
    CHECK(static_cast<unsigned char>(gzipped.body[1]) == 0x8b);
    CHECK(gzipped.body.size() == std::filesystem::file_size(root / "index.html.gz"));

    // Brotli when the client takes it (browsers do on https and localhost), with its own ETag.
    REQUIRE(std::filesystem::is_regular_file(root / "index.html.br"));  // made at build time
    const auto brotli = http_get(f.port(), "/index.html", {{"Accept-Encoding", "gzip, deflate, br"}});
    CHECK(brotli.status == 200);
    CHECK(brotli.headers.at("content-encoding") == "br");
    CHECK(brotli.headers.at("vary") == "Accept-Encoding");
    CHECK(brotli.body.size() == std::filesystem::file_size(root / "index.html.br"));
    CHECK(brotli.headers.at("etag") != gzipped.headers.at("etag"));
    const auto prefers_gzip = http_get(f.port(), "/index.html", {{"Accept-Encoding", "br;q=0.5, gzip"}});
    CHECK(prefers_gzip.headers.at("content-encoding") == "gzip");
    const auto refuses_both = http_get(f.port(), "/index.html", {{"Accept-Encoding", "br;q=0, gzip;q=0, *"}});
    CHECK_FALSE(refuses_both.headers.contains("content-encoding"));
    CHECK(refuses_both.body.find("<!doctype html>") != std::string::npos);

    const auto script = http_get(f.port(), "/app.js", {{"Accept-Encoding", "gzip;q=0"}});
    CHECK(script.status == 200);
    CHECK(script.headers.at("content-type") == "text/javascript; charset=utf-8");
    CHECK(script.headers.at("cache-control").find("max-age=") != std::string::npos);
    CHECK_FALSE(script.headers.contains("content-encoding"));

    // Revalidation with the ETag costs no body.
    const auto again = http_get(f.port(), "/app.js", {{"If-None-Match", script.headers.at("etag")}});
    CHECK(again.status == 304);
    CHECK(again.body.empty());

    const auto head = http_get(f.port(), "/style.css", {}, http::verb::head);
    CHECK(head.status == 200);
    CHECK(head.headers.at("content-length") == std::to_string(std::filesystem::file_size(root / "style.css")));
}

TEST_CASE("the installable app: manifest, service worker and rendered icons are served as a browser needs them",
          "[server][http][pwa]") {
    server_fixture f;
    const auto manifest = http_get(f.port(), "/manifest.webmanifest", {{"Accept-Encoding", "gzip;q=0"}});
    REQUIRE(manifest.status == 200);
    CHECK(manifest.headers.at("content-type") == "application/manifest+json");
    CHECK(manifest.headers.at("cache-control") == "no-cache");
    CHECK(manifest.body.find("\"display\": \"standalone\"") != std::string::npos);
    check_security_headers(manifest);
    CHECK(http_get(f.port(), "/manifest.webmanifest", {{"Accept-Encoding", "br"}}).headers.at("content-encoding") == "br");

    // The worker is stamped at build time with a build id and the files it caches, and must be
    // revalidated on every navigation so a deploy replaces it.
    const auto worker = http_get(f.port(), "/sw.js", {{"Accept-Encoding", "gzip;q=0"}});
    REQUIRE(worker.status == 200);
    CHECK(worker.headers.at("content-type") == "text/javascript; charset=utf-8");
    CHECK(worker.headers.at("cache-control") == "no-cache");
    CHECK(worker.body.find("__STOA_BUILD__") == std::string::npos);
    CHECK(worker.body.find("\"index.html\"") != std::string::npos);
    CHECK(worker.body.find("\"config.json\"") == std::string::npos);  // the relay list: network only
    // The service worker needs no wider scope than its own directory, and the CSP allows it.
    CHECK(worker.headers.at("content-security-policy").find("worker-src 'self'") != std::string::npos);

    for (const char* icon : {"/icons/stoa-192.png", "/icons/stoa-512.png", "/icons/stoa-maskable-512.png"}) {
        INFO(icon);
        const auto png = http_get(f.port(), icon);
        REQUIRE(png.status == 200);
        CHECK(png.headers.at("content-type") == "image/png");
        REQUIRE(png.body.size() > 8);
        CHECK(png.body.substr(1, 3) == "PNG");  // the PNG signature
    }
}

TEST_CASE("/config.json is the relay's own: an empty relay list when none is configured", "[server][http][relays]") {
    server_fixture f;
    // The staged web/config.json is there too; the relay answers in its place.
    REQUIRE(std::filesystem::is_regular_file(f.server.config().web_root / "config.json"));
    const auto reply = http_get(f.port(), "/config.json", {{"Accept-Encoding", "gzip"}});
    CHECK(reply.status == 200);
    CHECK(reply.body == R"({"relays":[]})");
    CHECK(reply.headers.at("content-type") == "application/json");
    CHECK(reply.headers.at("cache-control") == "no-cache");
    CHECK_FALSE(reply.headers.contains("content-encoding"));
    check_security_headers(reply);
    CHECK(reply.headers.at("content-security-policy").find("connect-src 'self';") != std::string::npos);
}

TEST_CASE("configured relays are served in /config.json and allowed by every response's CSP",
          "[server][http][relays]") {
    auto config = stoa::test::test_config();
    config.relays = {"wss://relay-1.example/ws", "ws://127.0.0.1:9/ws"};
    server_fixture f(config);
    const std::string connect_src = "; connect-src 'self' wss://relay-1.example/ws ws://127.0.0.1:9/ws; ";

    const auto listed = http_get(f.port(), "/config.json?v=2");
    CHECK(listed.status == 200);
    CHECK(listed.body == R"({"relays":["wss://relay-1.example/ws","ws://127.0.0.1:9/ws"]})");
    CHECK(listed.headers.at("content-type") == "application/json");
    CHECK(listed.headers.at("cache-control") == "no-cache");

    const auto head = http_get(f.port(), "/config.json", {}, http::verb::head);
    CHECK(head.status == 200);
    CHECK(head.headers.at("content-length") == std::to_string(listed.body.size()));

    // Pages, files, errors, health and the config itself all carry the same policy.
    for (const char* target : {"/", "/app.js", "/nope.html", "/healthz", "/config.json", "/ws"}) {
        INFO(target);
        const auto reply = http_get(f.port(), target);
        check_security_headers(reply);
        CHECK(reply.headers.at("content-security-policy").find(connect_src) != std::string::npos);
    }
    const upgrade refused(f.port(), "https://evil.example");
    CHECK(refused.status == 403);
    CHECK(std::string(refused.response["Content-Security-Policy"]).find(connect_src) != std::string::npos);
}

TEST_CASE("paths out of the web root, other methods and plain GETs of /ws are refused", "[server][http]") {
    server_fixture f;
    // The build tree holds files right next to the web root; none is reachable.
    for (const char* target : {"/../CMakeFiles", "/../cmake_install.cmake", "/%2e%2e/cmake_install.cmake",
                               "/..%2fcmake_install.cmake", "/%2e%2e%2fcmake_install.cmake", "/nope.html"}) {
        INFO(target);
        const auto reply = http_get(f.port(), target);
        CHECK(reply.status == 404);
        check_security_headers(reply);
    }
    CHECK(http_get(f.port(), "/", {}, http::verb::post).status == 405);
    CHECK(http_get(f.port(), "/ws").status == 426);
}

TEST_CASE("a WebSocket upgrade from a page of another origin is refused with 403", "[server][http][origin]") {
    server_fixture f;
    CHECK(upgrade(f.port(), f.origin()).status == 101);    // the relay's own page
    CHECK(upgrade(f.port(), std::nullopt).status == 101);  // stoa-bot, stoa-load: no Origin at all
    const std::string others[] = {"https://evil.example", "http://localhost:" + std::to_string(f.port()), "null",
                                  f.origin() + "/"};
    for (const auto& other : others) {
        INFO(other);
        const upgrade refused(f.port(), other);
        CHECK(refused.status == 403);
        CHECK(refused.response.body().find(f.origin()) != std::string::npos);  // says which origin it serves
    }
    const std::string metrics = f.metrics();
    CHECK(stoa::test::metric(metrics, "stoa_websocket_refused_total{reason=\"origin\"}") == 4.0);
    CHECK(stoa::test::metric(metrics, "stoa_websocket_refused_total{reason=\"per_address\"}") == 0.0);
    CHECK(stoa::test::metric(metrics, "stoa_websocket_refused_total{reason=\"full\"}") == 0.0);
}

TEST_CASE("one address holds at most max_connections_per_address WebSockets; 429 past it",
          "[server][http][address_limit]") {
    CHECK(stoa::server::server_config{}.max_connections_per_address == 64);  // a public relay's default
    auto config = stoa::test::test_config();
    config.max_connections_per_address = 2;
    server_fixture f(config);
    auto first = std::make_unique<upgrade>(f.port(), std::nullopt);
    const upgrade second(f.port(), f.origin());
    CHECK(first->status == 101);
    CHECK(second.status == 101);
    {
        const upgrade third(f.port(), std::nullopt);
        CHECK(third.status == 429);
        CHECK(third.response.body() == "too many connections from your address\n");
    }
    CHECK(stoa::test::metric(f.metrics(), "stoa_websocket_refused_total{reason=\"per_address\"}") == 1.0);
    // Another address has a share of its own.
    CHECK(upgrade(f.port(), std::nullopt, "127.0.0.2").status == 101);

    // A closed connection gives its share back once the relay has let go of it: retried until
    // then, with a deadline as the failure guard.
    first->close();
    first.reset();
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    unsigned status = 0;
    while ((status = upgrade(f.port(), std::nullopt).status) == 429 && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::yield();
    }
    CHECK(status == 101);
}
