#include "stoa/loadgen/driver/ws_connection.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/websocket.hpp>

namespace stoa::loadgen {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;

ws_connection::ws_connection(net::io_context& context, connection_owner& owner)
    : stream_(context), deadline_(context), owner_(&owner) {}

ws_connection::~ws_connection() = default;

void ws_connection::start(const connection_target& target, std::chrono::milliseconds timeout) {
    auto self = shared_from_this();
    beast::error_code ec;
    auto& socket = stream_.next_layer();
    socket.open(target.server.protocol(), ec);
    if (ec) return fail("socket: " + ec.message());
    if (target.source) {
        // Many members from one host: spread them over several source addresses, each with its
        // own ~28,000 ephemeral ports. The port is left to connect() (IP_BIND_ADDRESS_NO_PORT).
#ifdef IP_BIND_ADDRESS_NO_PORT
        const int on = 1;
        (void)::setsockopt(socket.native_handle(), IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &on, sizeof on);
#endif
        socket.bind(net::ip::tcp::endpoint(*target.source, 0), ec);
        if (ec) return fail("bind: " + ec.message());
    }
    deadline_.expires_after(timeout);
    deadline_.async_wait([self](const beast::error_code& waited) {
        if (!waited && !self->open_ && !self->ended_) self->fail("timed out");
    });
    websocket::stream_base::timeout timeouts = websocket::stream_base::timeout::suggested(beast::role_type::client);
    timeouts.handshake_timeout = timeout;
    timeouts.idle_timeout = websocket::stream_base::none();  // the relay pings; Beast answers
    stream_.set_option(timeouts);
    stream_.read_message_max(max_message_bytes);
    stream_.auto_fragment(false);
    // Beast masks a client's frames in a write buffer of this size, kept for the connection's
    // life: members send little (listeners almost nothing), so a small one saves memory.
    stream_.write_buffer_bytes(write_buffer);
    socket.async_connect(target.server, [self, target](const beast::error_code& connected) {
        if (self->ended_) return;
        if (connected) return self->fail("connect: " + connected.message());
        beast::error_code ignored;
        self->stream_.next_layer().set_option(net::ip::tcp::no_delay(true), ignored);
        self->stream_.async_handshake(target.host_header, target.path, [self](const beast::error_code& upgraded) {
            if (self->ended_) return;
            if (upgraded) return self->fail("upgrade: " + upgraded.message());
            self->open_ = true;
            self->deadline_.cancel();
            if (self->owner_ != nullptr) self->owner_->on_ws_open();
            self->read();
            self->write_next();
        });
    });
}

void ws_connection::read() {
    auto self = shared_from_this();
    stream_.async_read(buffer_, [self](const beast::error_code& ec, std::size_t) {
        if (self->ended_) return;
        if (ec) return self->fail(ec == websocket::error::closed ? "closed by the relay" : ec.message());
        const auto data = self->buffer_.cdata();
        const auto* bytes = static_cast<const std::uint8_t*>(data.data());
        if (self->owner_ != nullptr) {
            if (self->stream_.got_text()) {
                self->owner_->on_ws_text(std::string_view(reinterpret_cast<const char*>(bytes), data.size()));
            } else {
                self->owner_->on_ws_binary(byte_view(bytes, data.size()));
            }
        }
        self->buffer_.consume(self->buffer_.size());
        // A listener's buffer grows to its largest message (a roster snapshot, a key package) and
        // would stay there; audio frames need a few hundred bytes, so give the rest back.
        if (self->buffer_.capacity() > kept_read_buffer) self->buffer_.shrink_to_fit();
        if (!self->ended_) self->read();
    });
}

void ws_connection::send(wire_message message) {
    if (ended_ || closing_) return;
    if (queue_.size() - sent_ >= max_queued) {
        // Not from inside the caller's loop: the owner hears of it from the io_context.
        closing_ = true;
        net::post(stream_.get_executor(), [self = shared_from_this()] { self->fail("send queue overflow"); });
        return;
    }
    queue_.push_back(std::move(message));
    write_next();
}

void ws_connection::write_next() {
    if (!open_ || writing_ || ended_) return;
    if (sent_ == queue_.size()) {
        queue_.clear();
        sent_ = 0;
        if (closing_) {
            writing_ = true;
            auto self = shared_from_this();
            stream_.async_close(websocket::close_code::normal, [self](const beast::error_code&) {
                self->writing_ = false;
                self->fail("closed");
            });
        }
        return;
    }
    writing_ = true;
    // Out of the vector while in flight: a push_back may move the vector's strings.
    in_flight_ = std::move(queue_[sent_]);
    ++sent_;
    stream_.binary(in_flight_.binary);
    auto self = shared_from_this();
    stream_.async_write(net::buffer(in_flight_.data), [self](const beast::error_code& ec, std::size_t) {
        self->writing_ = false;
        if (self->ended_) return;
        if (ec) return self->fail("write: " + ec.message());
        self->in_flight_.data = std::string();  // its memory back now
        self->write_next();
    });
}

void ws_connection::close_gracefully() {
    if (ended_) return;
    if (!open_) return abort();
    closing_ = true;
    write_next();
}

void ws_connection::abort() {
    if (ended_) return;
    ended_ = true;
    owner_ = nullptr;
    beast::error_code ignored;
    deadline_.cancel();
    stream_.next_layer().cancel(ignored);
    stream_.next_layer().close(ignored);
    queue_.clear();
    sent_ = 0;
}

void ws_connection::fail(std::string_view reason) {
    if (ended_) return;
    ended_ = true;
    const bool opened = open_;
    open_ = false;
    beast::error_code ignored;
    deadline_.cancel();
    stream_.next_layer().close(ignored);
    queue_.clear();
    if (connection_owner* owner = std::exchange(owner_, nullptr)) owner->on_ws_closed(opened, reason);
}

}  // namespace stoa::loadgen
