// The relay's HTTP side on a live server: health, metrics, the web client's files with their
// headers and pre-compressed twins, conditional requests, and refusals.
#include <catch2/catch.hpp>

#include <filesystem>

#include "server_fixture.hpp"

using stoa::test::http_get;
using stoa::test::server_fixture;
namespace http = boost::beast::http;

namespace {

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

    const auto gzipped = http_get(f.port(), "/index.html", {{"Accept-Encoding", "gzip, br"}});
    CHECK(gzipped.status == 200);
    CHECK(gzipped.headers.at("content-encoding") == "gzip");
    CHECK(gzipped.headers.at("vary") == "Accept-Encoding");
    REQUIRE(gzipped.body.size() >= 2);
    CHECK(static_cast<unsigned char>(gzipped.body[0]) == 0x1f);  // the gzip magic number
    CHECK(static_cast<unsigned char>(gzipped.body[1]) == 0x8b);
    CHECK(gzipped.body.size() == std::filesystem::file_size(root / "index.html.gz"));

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
