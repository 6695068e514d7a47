// With --tls-cert and --tls-key the same port speaks https and wss only. The certificate is made
// by the test (a throwaway self-signed P-256 key) and trusted by the test's client alone.
#include <catch2/catch.hpp>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include <boost/asio/ssl.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include "server_fixture.hpp"

namespace fs = std::filesystem;

namespace {

struct pkey_free {
    void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct x509_free {
    void operator()(X509* p) const { X509_free(p); }
};
struct file_close {
    void operator()(std::FILE* f) const { std::fclose(f); }
};

// Writes cert.pem and key.pem for CN=127.0.0.1 into `dir`; returns the certificate's PEM text.
std::string make_self_signed(const fs::path& dir) {
    std::unique_ptr<EVP_PKEY, pkey_free> key(EVP_EC_gen("P-256"));
    REQUIRE(key);
    std::unique_ptr<X509, x509_free> cert(X509_new());
    X509_set_version(cert.get(), 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), -60);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), 3600);
    X509_set_pubkey(cert.get(), key.get());
    X509_NAME* name = X509_get_subject_name(cert.get());
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("127.0.0.1"), -1, -1, 0);
    X509_set_issuer_name(cert.get(), name);
    REQUIRE(X509_sign(cert.get(), key.get(), EVP_sha256()) > 0);
    {
        std::unique_ptr<std::FILE, file_close> out(std::fopen((dir / "cert.pem").c_str(), "w"));
        REQUIRE(PEM_write_X509(out.get(), cert.get()) == 1);
    }
    {
        std::unique_ptr<std::FILE, file_close> out(std::fopen((dir / "key.pem").c_str(), "w"));
        REQUIRE(PEM_write_PrivateKey(out.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) == 1);
    }
    std::ifstream in(dir / "cert.pem");
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

}  // namespace

TEST_CASE("with a certificate the port serves https and wss", "[server][tls]") {
    const fs::path dir = fs::temp_directory_path() / ("stoa-tls-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    const std::string certificate = make_self_signed(dir);
    auto config = stoa::test::test_config();
    config.tls_certificate = dir / "cert.pem";
    config.tls_private_key = dir / "key.pem";
    stoa::test::server_fixture f(config);

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
