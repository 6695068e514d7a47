// The server's own WebSocket framing against a live relay: pings answered ahead of queued
// messages, fragmented messages reassembled, frames that break RFC 6455 closed with 1002.
#include <catch2/catch.hpp>

#include <boost/asio/write.hpp>

#include "raw_client.hpp"
#include "server_fixture.hpp"

using stoa::test::raw_client;
using stoa::test::seeded_random;
using stoa::test::server_fixture;

namespace {

std::string hello_text(const stoa::e2ee::identity& identity) {
    return stoa::proto::encode(stoa::proto::client_message{std::nullopt, stoa::proto::hello{identity.key(), "raw", "1"}});
}

}  // namespace

TEST_CASE("a ping is answered and a fragmented message is reassembled", "[server][ws_frame]") {
    server_fixture f;
    seeded_random keys(5);
    const auto identity = stoa::e2ee::identity::generate(keys);
    raw_client client(f.port());
    auto& ws = client.websocket();
    bool pong = false;
    ws.control_callback([&](boost::beast::websocket::frame_type kind, boost::beast::string_view) {
        if (kind == boost::beast::websocket::frame_type::pong) pong = true;
    });
    ws.ping({});
    const std::string hello = hello_text(identity);
    REQUIRE(hello.size() > 20);
    ws.text(true);
    ws.write_some(false, boost::asio::buffer(hello.data(), 5));
    ws.write_some(false, boost::asio::buffer(hello.data() + 5, 10));
    ws.write_some(true, boost::asio::buffer(hello.data() + 15, hello.size() - 15));
    // The challenge proves the three fragments arrived as one hello; the pong came before it.
    CHECK(client.next_of<stoa::proto::challenge>().has_value());
    CHECK(pong);
}

TEST_CASE("a frame that breaks RFC 6455 closes the connection with 1002", "[server][ws_frame]") {
    server_fixture f;
    const std::vector<std::pair<const char*, std::string>> frames{
        {"unmasked", std::string("\x81\x02hi", 4)},
        {"reserved bit", std::string("\xc1\x80\x00\x00\x00\x00", 6)},
        {"unknown opcode", std::string("\x83\x80\x00\x00\x00\x00", 6)},
    };
    for (const auto& [what, bytes] : frames) {
        INFO(what);
        raw_client client(f.port());
        boost::asio::write(boost::beast::get_lowest_layer(client.websocket()).socket(), boost::asio::buffer(bytes));
        CHECK_FALSE(client.next_text().has_value());
        CHECK(client.close_code == 1002);
    }
}
