// Configuration: defaults, the JSON file, flags over the file, and refusal of anything unknown.
#include <catch2/catch.hpp>

#include <array>
#include <cstdio>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "stoa/server/server_config.hpp"

using stoa::server::parse_command_line;

namespace {
template <std::size_t N>
auto parse(const std::array<std::string_view, N>& args) {
    return parse_command_line(std::span<const std::string_view>(args.data(), args.size()));
}
}  // namespace

TEST_CASE("defaults: loopback, port 8080, a web root, no TLS", "[server][config]") {
    const auto parsed = parse(std::array<std::string_view, 0>{});
    REQUIRE(parsed.ok());
    CHECK(parsed->config.listen_address == "127.0.0.1");
    CHECK(parsed->config.port == 8080);
    CHECK_FALSE(parsed->config.web_root.empty());
    CHECK_FALSE(parsed->config.tls());
    CHECK(parsed->config.io_uring);
}

TEST_CASE("a JSON file sets limits and timeouts, and flags override it", "[server][config]") {
    const std::string path = (std::filesystem::temp_directory_path() / "stoa-config-test.json").string();
    std::ofstream(path) << R"({"port": 9000, "listen": "0.0.0.0", "threads": 3, "io_uring": false,
        "auth_context": "https://rooms.example",
        "limits": {"max_members": 500, "joins_per_address": {"burst": 5, "per_second": 0.5},
                   "send_queue_media_messages": 128, "max_connections_per_address": 8,
                   "speaker_signatures_per_connection": {"burst": 30, "per_second": 25},
                   "key_requests_per_connection": {"burst": 2, "per_second": 0.5}},
        "timeouts": {"reconnect_grace_ms": 4000, "idle_ms": 15000, "drain_ms": 1000}})";
    const auto parsed = parse(std::array<std::string_view, 4>{"--config", path, "--port", "9100"});
    REQUIRE(parsed.ok());
    const auto& config = parsed->config;
    CHECK(config.port == 9100);  // the flag wins
    CHECK(config.listen_address == "0.0.0.0");
    CHECK(config.threads == 3);
    CHECK_FALSE(config.io_uring);
    CHECK(config.relay.room_limits.max_members == 500);
    CHECK(config.relay.joins_per_address.burst == 5.0);
    CHECK(config.relay.joins_per_address.per_second == 0.5);
    CHECK(config.queue.max_media_messages == 128);
    CHECK(config.max_connections_per_address == 8);
    CHECK(config.relay.speaker_signatures_per_connection.burst == 30.0);
    CHECK(config.relay.speaker_signatures_per_connection.per_second == 25.0);
    CHECK(config.relay.key_requests_per_connection.burst == 2.0);
    CHECK(config.relay.key_requests_per_connection.per_second == 0.5);
    CHECK(config.relay.reconnect_grace == std::chrono::seconds(4));
    CHECK(config.idle_timeout == std::chrono::seconds(15));
    CHECK(config.drain_timeout == std::chrono::seconds(1));
    std::remove(path.c_str());
}

TEST_CASE("unknown keys, wrong types, bad flags and half a TLS pair are refused", "[server][config]") {
    stoa::server::server_config config;
    const char* documents[] = {
        R"({"prot": 80})",
        R"({"port": "80"})",
        R"({"port": 70000})",
        R"({"limits": {"max_member": 5}})",
        R"({"limits": {"joins_per_address": {"burst": -1}}})",
        R"({"timeouts": {"idle_ms": 1.5}})",
        R"({"io_uring": "yes"})",
        R"({"auth_context": ""})",
        R"({"limits": {"max_connections_per_address": -1}})",
        R"([1, 2])",
        R"({"port": 80)",
    };
    for (const char* document : documents) {
        INFO(document);
        CHECK_FALSE(stoa::server::apply_config_json(config, document).ok());
    }
    CHECK_FALSE(parse(std::array<std::string_view, 2>{"--port", "eighty"}).ok());
    CHECK_FALSE(parse(std::array<std::string_view, 1>{"--port"}).ok());
    CHECK_FALSE(parse(std::array<std::string_view, 2>{"--colour", "blue"}).ok());
    CHECK_FALSE(parse(std::array<std::string_view, 2>{"--tls-cert", "cert.pem"}).ok());
    CHECK(parse(std::array<std::string_view, 4>{"--tls-cert", "c.pem", "--tls-key", "k.pem"})->config.tls());
    CHECK(parse(std::array<std::string_view, 1>{"--help"})->help);
}

TEST_CASE("the origin flag sets the auth context browsers sign, over the file's", "[server][config]") {
    const std::string path = (std::filesystem::temp_directory_path() / "stoa-config-origin-test.json").string();
    std::ofstream(path) << R"({"auth_context": "https://from-file.example"})";
    const auto from_file = parse(std::array<std::string_view, 2>{"--config", path});
    REQUIRE(from_file.ok());
    CHECK(from_file->config.origin == "https://from-file.example");
    const auto flag = parse(std::array<std::string_view, 4>{"--config", path, "--origin", "http://127.0.0.1:8080"});
    REQUIRE(flag.ok());
    CHECK(flag->config.origin == "http://127.0.0.1:8080");
    // None given: the loopback relay derives its own when it binds (origin_policy_test.cpp).
    CHECK_FALSE(parse(std::array<std::string_view, 0>{})->config.origin.has_value());
    CHECK_FALSE(parse(std::array<std::string_view, 2>{"--origin", ""}).ok());
    CHECK_FALSE(parse(std::array<std::string_view, 1>{"--origin"}).ok());
    std::remove(path.c_str());
}

TEST_CASE("a reachable listen address without an origin is refused, by flag or by file", "[server][config]") {
    const auto refused = parse(std::array<std::string_view, 2>{"--listen", "0.0.0.0"});
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().find("needs --origin") != std::string::npos);
    CHECK_FALSE(parse(std::array<std::string_view, 2>{"--listen", "::"}).ok());
    CHECK_FALSE(parse(std::array<std::string_view, 2>{"--listen", "192.0.2.1"}).ok());
    CHECK(parse(std::array<std::string_view, 4>{"--listen", "0.0.0.0", "--origin", "https://rooms.example"}).ok());
    CHECK(parse(std::array<std::string_view, 2>{"--listen", "127.0.0.2"}).ok());
    CHECK(parse(std::array<std::string_view, 2>{"--listen", "::1"}).ok());
    CHECK(parse(std::array<std::string_view, 3>{"--listen", "0.0.0.0", "--help"})->help);  // help still shows

    const std::string path = (std::filesystem::temp_directory_path() / "stoa-config-listen-test.json").string();
    std::ofstream(path) << R"({"listen": "0.0.0.0"})";
    CHECK_FALSE(parse(std::array<std::string_view, 2>{"--config", path}).ok());
    CHECK(parse(std::array<std::string_view, 4>{"--config", path, "--origin", "https://rooms.example"}).ok());
    std::remove(path.c_str());
}

TEST_CASE("relay URLs for the web client: ws:// or wss://, host, port and path, nothing a header could misread",
          "[server][config][relays]") {
    using stoa::server::check_relay_url;
    using stoa::server::relay_url_error;
    for (const char* good :
         {"wss://relay-1.example/ws", "ws://10.0.0.2:8080/ws", "wss://relay.example", "wss://relay.example/",
          "wss://RELAY.example:443/stoa/ws", "ws://localhost:1/a%2Fb", "wss://r.example/(x)~!$&*+=:@-._"}) {
        INFO(good);
        CHECK(check_relay_url(good).ok());
    }
    const std::pair<std::string_view, relay_url_error> bad[] = {
        {"", relay_url_error::scheme},
        {"https://relay.example/ws", relay_url_error::scheme},
        {"WSS://relay.example/ws", relay_url_error::scheme},
        {"relay.example/ws", relay_url_error::scheme},
        {" wss://relay.example/ws", relay_url_error::scheme},
        {"wss://", relay_url_error::host},
        {"wss:///ws", relay_url_error::host},
        {"wss://user:pw@relay.example/ws", relay_url_error::host},
        {"wss://user@relay.example/ws", relay_url_error::host},
        {"wss://*.example/ws", relay_url_error::host},
        {"wss://[::1]:8080/ws", relay_url_error::host},
        {"wss://[::1]/ws", relay_url_error::host},
        {"wss://relay..example/ws", relay_url_error::host},
        {"wss://-relay.example/ws", relay_url_error::host},
        {"wss://relay example/ws", relay_url_error::host},
        {"wss://relay.example;/ws", relay_url_error::host},
        {"wss://relay.example:/ws", relay_url_error::port},
        {"wss://relay.example:0/ws", relay_url_error::port},
        {"wss://relay.example:65536/ws", relay_url_error::port},
        {"wss://relay.example:+80/ws", relay_url_error::port},
        {"wss://relay.example:80a/ws", relay_url_error::port},
        {"wss://relay.example/ws; script-src *", relay_url_error::path},
        {"wss://relay.example/ws;", relay_url_error::path},
        {"wss://relay.example/w's", relay_url_error::path},
        {"wss://relay.example/w\"s", relay_url_error::path},
        {"wss://relay.example/a,b", relay_url_error::path},
        {"wss://relay.example/ws?x=1", relay_url_error::path},
        {"wss://relay.example/ws#top", relay_url_error::path},
        {"wss://relay.example/ws\r\nSet-Cookie: a=b", relay_url_error::path},
        {"wss://relay.example/%zz", relay_url_error::path},
        {"wss://relay.example/%4", relay_url_error::path},
    };
    for (const auto& [url, error] : bad) {
        INFO(url);
        const auto checked = check_relay_url(url);
        REQUIRE_FALSE(checked.ok());
        CHECK(checked.error() == error);
        CHECK_FALSE(stoa::server::describe(checked.error()).empty());
    }
    const std::string long_url = "wss://relay.example/" + std::string(stoa::server::max_relay_url_length, 'a');
    CHECK(check_relay_url(long_url).error() == relay_url_error::too_long);
}

TEST_CASE("relays come from the file's \"relays\" or from --relay flags, which replace the file's",
          "[server][config][relays]") {
    CHECK(parse(std::array<std::string_view, 0>{})->config.relays.empty());

    const std::string path = (std::filesystem::temp_directory_path() / "stoa-config-relays-test.json").string();
    std::ofstream(path) << R"({"relays": ["wss://relay-1.example/ws", "wss://relay-2.example/ws"]})";
    const auto from_file = parse(std::array<std::string_view, 2>{"--config", path});
    REQUIRE(from_file.ok());
    CHECK(from_file->config.relays == std::vector<std::string>{"wss://relay-1.example/ws", "wss://relay-2.example/ws"});

    const auto flags = parse(std::array<std::string_view, 6>{"--relay", "wss://relay-3.example/ws", "--config", path,
                                                             "--relay", "ws://10.0.0.4:8080/ws"});
    REQUIRE(flags.ok());
    CHECK(flags->config.relays == std::vector<std::string>{"wss://relay-3.example/ws", "ws://10.0.0.4:8080/ws"});
    std::remove(path.c_str());

    // Named twice, kept once.
    const auto twice =
        parse(std::array<std::string_view, 4>{"--relay", "wss://a.example/ws", "--relay", "wss://a.example/ws"});
    REQUIRE(twice.ok());
    CHECK(twice->config.relays.size() == 1);

    stoa::server::server_config config;
    REQUIRE(stoa::server::apply_config_json(config, R"({"relays": []})").ok());
    CHECK(config.relays.empty());
}

TEST_CASE("a bad relay is refused with a message naming where it came from and what is wrong",
          "[server][config][relays]") {
    const auto flag = parse(std::array<std::string_view, 2>{"--relay", "https://relay.example/ws"});
    REQUIRE_FALSE(flag.ok());
    CHECK(flag.error().find("--relay \"https://relay.example/ws\"") != std::string::npos);
    CHECK(flag.error().find("ws:// or wss://") != std::string::npos);
    CHECK_FALSE(parse(std::array<std::string_view, 1>{"--relay"}).ok());

    const auto header = parse(std::array<std::string_view, 2>{"--relay", "wss://relay.example/ws; script-src *"});
    REQUIRE_FALSE(header.ok());
    CHECK(header.error().find("the path") != std::string::npos);

    const std::pair<const char*, const char*> documents[] = {
        {R"({"relays": "wss://relay.example/ws"})", "\"relays\" must be an array"},
        {R"({"relays": [42]})", "\"relays\"[0] must be a string"},
        {R"({"relays": ["wss://ok.example/ws", "wss://[::1]/ws"]})", "\"relays\"[1] \"wss://[::1]/ws\": the host"},
        {R"({"relays": ["wss://relay.example:99999/ws"]})", "the port"},
    };
    for (const auto& [document, message] : documents) {
        INFO(document);
        stoa::server::server_config config;
        const auto applied = stoa::server::apply_config_json(config, document);
        REQUIRE_FALSE(applied.ok());
        CHECK(applied.error().find(message) != std::string::npos);
    }

    std::vector<std::string> args;
    for (std::size_t i = 0; i <= stoa::server::max_relays; ++i) {
        args.push_back("--relay");
        args.push_back("wss://relay-" + std::to_string(i) + ".example/ws");
    }
    const std::vector<std::string_view> views(args.begin(), args.end());
    const auto too_many = parse_command_line(views);
    REQUIRE_FALSE(too_many.ok());
    CHECK(too_many.error().find("at most") != std::string::npos);
}
