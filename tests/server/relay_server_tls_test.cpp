// With --tls-cert and --tls-key the same port speaks https and wss only. The certificate is made
// by the test (a throwaway self-signed P-256 key) and trusted by the test's client alone.
#include <catch2/catch.hpp>

#include <filesystem>

#include <boost/asio/ssl.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include "self_signed_certificate.hpp"
#include "server_fixture.hpp"

namespace fs = std::filesystem;

TEST_CASE("with a certificate the port serves https and wss", "[server][tls]") {
    const fs::path dir = fs::temp_directory_path() / ("stoa-tls-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    const std::string certificate = stoa::test::make_self_signed(dir);
    auto config = stoa::test::test_config();
    config.tls_certificate = dir / "cert.pem";
    config.tls_private_key = dir / "key.pem";
    stoa::test::server_fixture f(config);
    CHECK(f.origin() == "https://127.0.0.1:" + std::to_string(f.port()));  // what its pages' Origin is

    namespace net = boost::asio;
    namespace beast = boost::beast;
    net::io_context io;
    net::ssl::context trust(net::ssl::context::tls_client);
    trust.add_certificate_authority(net::buffer(certificate));
    trust.set_verify_mode(net::ssl::verify_peer);
    const net::ip::tcp::endpoint relay(net::ip::make_address("127.0.0.1"), f.port());

    SECTION("https") {
        beast::ssl_stream<beast::tcp_stream> stream(io, trust);
        beast::get_lowest_layer(stream).connect(relay);
        stream.handshake(net::ssl::stream_base::client);
        beast::http::request<beast::http::empty_body> request{beast::http::verb::get, "/healthz", 11};
        request.set(beast::http::field::host, "127.0.0.1");
        beast::http::write(stream, request);
        beast::flat_buffer buffer;
        beast::http::response<beast::http::string_body> response;
        beast::http::read(stream, buffer, response);
        CHECK(response.result_int() == 200);
        CHECK(response.body() == "ok\n");
    }
    SECTION("wss: a directory request over the relay's endpoint") {
        beast::websocket::stream<beast::ssl_stream<beast::tcp_stream>> ws(io, trust);
        beast::get_lowest_layer(ws).connect(relay);
        ws.next_layer().handshake(net::ssl::stream_base::client);
        ws.handshake("127.0.0.1", "/ws");
        ws.text(true);
        ws.write(net::buffer(stoa::proto::encode(stoa::proto::client_message{4, stoa::proto::directory_query{0, 10}})));
        beast::flat_buffer buffer;
        ws.read(buffer);
        auto reply = stoa::proto::decode_server_message(beast::buffers_to_string(buffer.data()));
        REQUIRE(reply.ok());
        CHECK(reply->request_id == 4U);
        CHECK(std::holds_alternative<stoa::proto::directory_listing>(reply->body));
    }
    SECTION("plain http on the TLS port gets nothing") {
        boost::system::error_code error;
        beast::tcp_stream stream(io);
        stream.connect(relay);
        beast::http::request<beast::http::empty_body> request{beast::http::verb::get, "/healthz", 11};
        beast::http::write(stream, request, error);
        beast::flat_buffer buffer;
        beast::http::response<beast::http::string_body> response;
        beast::http::read(stream, buffer, response, error);
        CHECK(error);
    }
    std::error_code ignored;
    fs::remove_all(dir, ignored);
}
