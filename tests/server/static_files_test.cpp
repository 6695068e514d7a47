// Static file resolution and the HTTP policy helpers: traversal refused in every spelling, MIME
// types, cache lifetimes, gzip negotiation, the CSP and its relays, and config.json.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "stoa/server/static_files.hpp"

namespace fs = std::filesystem;
using stoa::server::resolve_static_path;

namespace {

// A web root with a secret next to it (outside) and a symlink pointing out.
struct web_tree {
    web_tree() {
        base = fs::temp_directory_path() / ("stoa-static-" + std::to_string(::getpid()) + "-" +
                                            std::to_string(reinterpret_cast<std::uintptr_t>(this)));
        fs::create_directories(base / "web" / "assets");
        write(base / "web" / "index.html", "<!doctype html>");
        write(base / "web" / "assets" / "app.js", "console.log(1)");
        write(base / "web" / "assets" / "index.html", "nested");
        write(base / "secret.txt", "do not serve");
        fs::create_symlink(base / "secret.txt", base / "web" / "leak.txt");
    }
    ~web_tree() {
        std::error_code ignored;
        fs::remove_all(base, ignored);
    }
    static void write(const fs::path& path, const std::string& text) { std::ofstream(path) << text; }
    fs::path root() const { return base / "web"; }
    fs::path base;
};

}  // namespace

TEST_CASE("targets resolve inside the web root, and directories to their index", "[server][static]") {
    web_tree tree;
    const auto root = fs::canonical(tree.root());
    CHECK(resolve_static_path(tree.root(), "/") == root / "index.html");
    CHECK(resolve_static_path(tree.root(), "/index.html?v=3#top") == root / "index.html");
    CHECK(resolve_static_path(tree.root(), "/assets/app.js") == root / "assets" / "app.js");
    CHECK(resolve_static_path(tree.root(), "/assets/") == root / "assets" / "index.html");
    CHECK(resolve_static_path(tree.root(), "//assets//app.js") == root / "assets" / "app.js");
    CHECK(resolve_static_path(tree.root(), "/%61ssets/app.js") == root / "assets" / "app.js");
    CHECK_FALSE(resolve_static_path(tree.root(), "/missing.js"));
}

TEST_CASE("every spelling of a way out of the web root is refused", "[server][static]") {
    web_tree tree;
    const char* attempts[] = {
        "/../secret.txt",       "/assets/../../secret.txt", "/%2e%2e/secret.txt", "/%2E%2E/secret.txt",
        "/.%2e/secret.txt",     "/..%2fsecret.txt",         "/assets%2f..%2f..%2fsecret.txt",
        "/..\\secret.txt",      "/%5c..%5csecret.txt",      "/index.html%00.js",  "/./index.html",
        "/leak.txt",  // a symlink inside the root that points out of it
        "secret.txt", "",       "/%zz", "/%2",
    };
    for (const char* target : attempts) {
        INFO(target);
        CHECK_FALSE(resolve_static_path(tree.root(), target));
    }
}

TEST_CASE("MIME types, cache lifetimes and what is worth compressing", "[server][static]") {
    using stoa::server::cache_control;
    using stoa::server::is_compressible;
    using stoa::server::mime_type;
    const std::tuple<const char*, const char*, bool> table[] = {
        {"index.html", "text/html; charset=utf-8", true},
        {"app.JS", "text/javascript; charset=utf-8", true},
        {"core.wasm", "application/wasm", true},
        {"style.css", "text/css; charset=utf-8", true},
        {"icon.svg", "image/svg+xml", true},
        {"photo.png", "image/png", false},
        {"voice.opus", "audio/ogg", false},
        {"manifest.webmanifest", "application/manifest+json", true},
        {"icons/stoa-192.png", "image/png", false},
        {"unknown.bin", "application/octet-stream", false},
    };
    for (const auto& [file, type, compress] : table) {
        INFO(file);
        CHECK(mime_type(file) == type);
        CHECK(is_compressible(file) == compress);
    }
    CHECK(cache_control("index.html") == "no-cache");
    CHECK(cache_control("app.js").find("max-age=") != std::string_view::npos);
    // The installable app: a new service worker or manifest is seen at once.
    CHECK(cache_control("sw.js") == "no-cache");
    CHECK(cache_control("manifest.webmanifest") == "no-cache");
    CHECK(cache_control("lib/sw.js.map").find("max-age=") != std::string_view::npos);
}

TEST_CASE("gzip is accepted unless refused with q=0", "[server][static]") {
    using stoa::server::accepts_gzip;
    CHECK(accepts_gzip("gzip"));
    CHECK(accepts_gzip("gzip, deflate, br"));
    CHECK(accepts_gzip("br;q=1.0, GZIP;q=0.5"));
    CHECK(accepts_gzip("*"));
    CHECK_FALSE(accepts_gzip(""));
    CHECK_FALSE(accepts_gzip("br, deflate"));
    CHECK_FALSE(accepts_gzip("gzip;q=0"));
    CHECK_FALSE(accepts_gzip("gzip; q=0.000"));
    CHECK_FALSE(accepts_gzip("x-gzip2"));
}

TEST_CASE("Accept-Encoding q-values: a named coding wins over *, q=0 and a malformed q refuse", "[server][static]") {
    using stoa::server::accepted_quality;
    const struct {
        std::string_view header;
        std::string_view coding;
        int quality;
    } cases[] = {
        {"gzip, deflate, br", "br", 1000},
        {"gzip, deflate, br, zstd", "gzip", 1000},  // Chromium's, on a secure context
        {"gzip, deflate", "br", 0},                 // Chromium's and Firefox's over plain http
        {"br;q=0.8, gzip;q=0.9", "br", 800},
        {"BR;Q=0.5", "br", 500},
        {"br;level=5;q=0.25", "br", 250},
        {"*;q=0.3", "br", 300},
        {"*;q=0.3, br;q=0", "br", 0},  // named refusal beats the wildcard, in any order
        {"br;q=0, *", "br", 0},
        {"br;q=1.000", "br", 1000},
        {"br;q=1.5", "br", 0},   // out of range
        {"br;q=abc", "br", 0},   // malformed
        {"br;q=0.1234", "br", 0},
        {"brotli", "br", 0},
        {"", "br", 0},
    };
    for (const auto& c : cases) {
        CAPTURE(c.header, c.coding);
        CHECK(accepted_quality(c.header, c.coding) == c.quality);
    }
}

TEST_CASE("the twin sent is the one the client wants most, brotli on a tie", "[server][static]") {
    using stoa::server::choose_coding;
    using stoa::server::content_coding;
    CHECK(choose_coding("gzip, deflate, br", true, true) == content_coding::br);
    CHECK(choose_coding("gzip, deflate", true, true) == content_coding::gzip);
    CHECK(choose_coding("br;q=0.5, gzip", true, true) == content_coding::gzip);
    CHECK(choose_coding("br, gzip;q=0.5", true, true) == content_coding::br);
    CHECK(choose_coding("br", false, true) == content_coding::identity);  // no .br twin built
    CHECK(choose_coding("gzip, br", false, true) == content_coding::gzip);
    CHECK(choose_coding("*", true, true) == content_coding::br);
    CHECK(choose_coding("br;q=0, gzip;q=0", true, true) == content_coding::identity);
    CHECK(choose_coding("", true, true) == content_coding::identity);
}

TEST_CASE("the content security policy names no origin but the page's own", "[server][static]") {
    const std::string csp = stoa::server::content_security_policy();
    CHECK(csp.find("default-src 'self'") != std::string::npos);
    CHECK(csp.find("connect-src 'self';") != std::string::npos);
    CHECK(csp.find("http") == std::string::npos);
    CHECK(csp.find("ws") == std::string::npos);
    CHECK(csp.find("*") == std::string::npos);
    CHECK(csp.find("unsafe-inline") == std::string::npos);
}

TEST_CASE("configured relays join connect-src, and only connect-src", "[server][static]") {
    const std::vector<std::string> relays{"wss://relay-1.example/ws", "wss://relay-2.example:8443/ws"};
    const std::string csp = stoa::server::content_security_policy(relays);
    CHECK(csp.find("; connect-src 'self' wss://relay-1.example/ws wss://relay-2.example:8443/ws; ") !=
          std::string::npos);
    CHECK(csp.find("relay-1") == csp.rfind("relay-1"));  // in no other directive
    // The rest of the policy is the one without relays.
    const std::string without = stoa::server::content_security_policy();
    const std::string listed = " wss://relay-1.example/ws wss://relay-2.example:8443/ws";
    CHECK(std::string(csp).erase(csp.find(listed), listed.size()) == without);

    const auto headers = stoa::server::security_headers(csp);
    CHECK(headers.front().first == "Content-Security-Policy");
    CHECK(headers.front().second == csp);
}

TEST_CASE("config.json lists the configured relays, an empty list when there are none", "[server][static]") {
    using stoa::server::web_client_config_json;
    CHECK(web_client_config_json({}) == R"({"relays":[]})");
    const std::vector<std::string> relays{"wss://relay-1.example/ws", "ws://10.0.0.2:8080"};
    CHECK(web_client_config_json(relays) == R"({"relays":["wss://relay-1.example/ws","ws://10.0.0.2:8080"]})");
}
