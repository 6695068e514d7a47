// The relay's origin: a non-loopback relay does not start without one, a loopback relay serves
// the URL it is reachable at (so no two relays share an auth context), and a browser's upgrade
// must come from it.
#include <catch2/catch.hpp>

#include <stdexcept>

#include "raw_client.hpp"
#include "server_fixture.hpp"
#include "stoa/server/origin_policy.hpp"

using stoa::server::check_origin_configured;
using stoa::server::is_loopback_address;
using stoa::server::relay_origin;
using stoa::server::server_config;
using stoa::server::upgrade_origin_allowed;

namespace {

server_config listening_on(std::string address, std::optional<std::string> origin = std::nullopt) {
    server_config config;
    config.listen_address = std::move(address);
    config.origin = std::move(origin);
    return config;
}

}  // namespace

TEST_CASE("loopback addresses are 127.0.0.0/8 and ::1, nothing else", "[server][origin]") {
    for (const char* loopback : {"127.0.0.1", "127.0.0.2", "127.255.255.254", "::1", "::ffff:127.0.0.1"}) {
        INFO(loopback);
        CHECK(is_loopback_address(loopback));
    }
    for (const char* reachable : {"0.0.0.0", "::", "192.168.1.10", "10.0.0.1", "128.0.0.1", "::ffff:10.0.0.1",
                                  "2001:db8::1", "localhost", "", "127.0.0.1 "}) {
        INFO(reachable);
        CHECK_FALSE(is_loopback_address(reachable));
    }
}

TEST_CASE("only a loopback relay may start without an origin", "[server][origin]") {
    CHECK(check_origin_configured(listening_on("127.0.0.1")).ok());
    CHECK(check_origin_configured(listening_on("::1")).ok());
    CHECK(check_origin_configured(listening_on("0.0.0.0", "https://rooms.example")).ok());
    for (const char* reachable : {"0.0.0.0", "::", "192.168.1.10"}) {
        INFO(reachable);
        const auto refused = check_origin_configured(listening_on(reachable));
        REQUIRE_FALSE(refused.ok());
        CHECK(refused.error().find("needs --origin") != std::string::npos);
    }
    const auto not_an_address = check_origin_configured(listening_on("rooms.example"));
    REQUIRE_FALSE(not_an_address.ok());
    CHECK(not_an_address.error().find("IP address") != std::string::npos);
    CHECK_FALSE(check_origin_configured(listening_on("127.0.0.1", "")).ok());
}

TEST_CASE("a loopback relay without an origin serves the URL it is reachable at", "[server][origin]") {
    CHECK(*relay_origin(listening_on("127.0.0.1"), 8080) == "http://127.0.0.1:8080");
    CHECK(*relay_origin(listening_on("127.0.0.2"), 9000) == "http://127.0.0.2:9000");
    CHECK(*relay_origin(listening_on("::1"), 8080) == "http://[::1]:8080");
    CHECK(*relay_origin(listening_on("127.0.0.1"), 80) == "http://127.0.0.1");  // as a browser writes Origin
    auto tls = listening_on("127.0.0.1");
    tls.tls_certificate = "cert.pem";
    tls.tls_private_key = "key.pem";
    CHECK(*relay_origin(tls, 8443) == "https://127.0.0.1:8443");
    CHECK(*relay_origin(tls, 443) == "https://127.0.0.1");
    // A configured origin is used as it is, wherever the relay listens.
    CHECK(*relay_origin(listening_on("127.0.0.1", "http://localhost:8080"), 8080) == "http://localhost:8080");
    CHECK(*relay_origin(listening_on("0.0.0.0", "https://rooms.example"), 8443) == "https://rooms.example");
    CHECK_FALSE(relay_origin(listening_on("0.0.0.0"), 8080).ok());
}

TEST_CASE("an upgrade may carry the relay's origin or none, nothing else", "[server][origin]") {
    const std::string relay = "https://rooms.example";
    CHECK(upgrade_origin_allowed(std::nullopt, relay));  // stoa-bot, stoa-load: not browsers
    CHECK(upgrade_origin_allowed("https://rooms.example", relay));
    for (const char* other : {"https://evil.example", "http://rooms.example", "https://rooms.example:443",
                              "https://rooms.example/", "https://ROOMS.example", "null", ""}) {
        INFO(other);
        CHECK_FALSE(upgrade_origin_allowed(std::string_view(other), relay));
    }
}

TEST_CASE("relay_server does not start on a reachable address without an origin", "[server][origin]") {
    auto config = stoa::test::test_config();
    config.listen_address = "0.0.0.0";
    CHECK_THROWS_AS(stoa::server::relay_server(config), std::invalid_argument);
    config.origin = "https://rooms.example";
    stoa::server::relay_server server(config);  // binds, and serves that origin
    CHECK(server.origin() == "https://rooms.example");
    CHECK(server.config().relay.auth_context == "https://rooms.example");
}

TEST_CASE("two loopback relays sign different contexts: the old shared default no longer logs in", "[server][origin]") {
    stoa::test::server_fixture f;
    const std::string origin = "http://127.0.0.1:" + std::to_string(f.port());
    CHECK(f.origin() == origin);
    CHECK(f.server.config().relay.auth_context == origin);
    stoa::test::server_fixture other;
    CHECK(other.origin() != f.origin());

    stoa::test::seeded_random keys(4242);
    const auto identity = stoa::e2ee::identity::generate(keys);
    {
        // A login signed for this relay's context is accepted (the query after it is answered once
        // the auth was handled).
        stoa::test::raw_client member(f.port());
        member.authenticate(identity);
        member.send(stoa::proto::directory_query{0, 10}, 7);
        REQUIRE(member.next_of<stoa::proto::directory_listing>().has_value());
        CHECK(stoa::test::metric(f.metrics(), "stoa_authenticated_total") == 1.0);
    }
    for (const std::string& wrong : {std::string("stoa relay"), other.origin()}) {
        INFO(wrong);
        stoa::test::raw_client replayer(f.port());
        replayer.authenticate(identity, wrong);
        const auto errors = replayer.errors_until_close();
        CHECK(std::find(errors.begin(), errors.end(),
                        static_cast<std::uint16_t>(stoa::proto::relay_error::auth_failed)) != errors.end());
        CHECK(replayer.close_code == 1008);
    }
}
