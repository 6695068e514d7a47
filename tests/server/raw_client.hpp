// A WebSocket peer that speaks the protocol by hand with blocking calls: for what a real client
// never does (stop reading, send garbage, send too much).
#pragma once

#include <optional>
#include <string>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include "stoa/e2ee/identity.hpp"
#include "stoa/proto/auth.hpp"
#include "stoa/proto/control_codec.hpp"

namespace stoa::test {

class raw_client {
public:
    // `receive_buffer` shrinks SO_RCVBUF before connecting, so a client that stops reading
    // pushes back on the relay after a few kilobytes instead of megabytes.
    explicit raw_client(std::uint16_t port, int receive_buffer = 0) : port_(port), ws_(io_) {
        auto& socket = boost::beast::get_lowest_layer(ws_).socket();
        socket.open(boost::asio::ip::tcp::v4());
        if (receive_buffer > 0) socket.set_option(boost::asio::socket_base::receive_buffer_size(receive_buffer));
        socket.connect(boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port));
        ws_.handshake("127.0.0.1:" + std::to_string(port), "/ws");
        ws_.read_message_max(4 * 1024 * 1024);
    }

    void send_text(const std::string& text) {
        ws_.text(true);
        ws_.write(boost::asio::buffer(text));
    }
    void send_binary(const std::string& data) {
        ws_.binary(true);
        ws_.write(boost::asio::buffer(data));
    }
    void send(const proto::client_body& body, std::optional<std::uint32_t> request_id = std::nullopt) {
        send_text(proto::encode(proto::client_message{request_id, body}));
    }

    // The next text message, skipping binary ones; nullopt once the connection closed.
    std::optional<proto::server_message> next_text() {
        for (;;) {
            boost::beast::flat_buffer buffer;
            boost::system::error_code error;
            ws_.read(buffer, error);
            if (error) {
                close_code = static_cast<std::uint16_t>(ws_.reason().code);
                closed = true;
                return std::nullopt;
            }
            if (!ws_.got_text()) {
                ++binary_received;
                continue;
            }
            auto decoded = proto::decode_server_message(boost::beast::buffers_to_string(buffer.data()));
            if (decoded.ok()) return std::move(decoded).value();
        }
    }
    // Reads until a message of type T (returned) or the close.
    template <typename T>
    std::optional<T> next_of() {
        while (auto message = next_text()) {
            if (auto* found = std::get_if<T>(&message->body)) return *found;
        }
        return std::nullopt;
    }
    // Every error code until the connection closes.
    std::vector<std::uint16_t> errors_until_close() {
        std::vector<std::uint16_t> codes;
        while (auto message = next_text()) {
            if (const auto* error = std::get_if<proto::error_message>(&message->body)) codes.push_back(error->code);
        }
        return codes;
    }

    // Signs `context`, by default the test relay's loopback origin (relay_server::origin()).
    void authenticate(const e2ee::identity& identity, std::optional<std::string> context = std::nullopt) {
        if (!context) context = "http://127.0.0.1:" + std::to_string(port_);
        send(proto::hello{identity.key(), "raw", "1"});
        const auto challenge = next_of<proto::challenge>();
        REQUIRE(challenge.has_value());
        const auto signature = identity.sign(proto::auth_transcript(*context, challenge->nonce));
        proto::auth auth;
        std::copy(signature.begin(), signature.end(), auth.signature.begin());
        send(auth);
    }

    // For tests of the framing itself: pings, fragments, bytes that are not a valid frame.
    boost::beast::websocket::stream<boost::beast::tcp_stream>& websocket() { return ws_; }

    bool closed = false;
    std::uint16_t close_code = 0;
    std::size_t binary_received = 0;

private:
    std::uint16_t port_;
    boost::asio::io_context io_;
    boost::beast::websocket::stream<boost::beast::tcp_stream> ws_;
};

}  // namespace stoa::test
