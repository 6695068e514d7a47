// One WebSocket connection on its own strand: reads go to the engine strand one at a time,
// writes drain the bounded send queue in batches, and a close deadline cuts a peer that stops reading.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include "connection_handle.hpp"
#include "server_context.hpp"

namespace stoa::server {

template <class Stream>
class websocket_session final : public connection_handle,
                                public std::enable_shared_from_this<websocket_session<Stream>> {
public:
    // Messages taken from the queue per wakeup; each is one WebSocket message, written back-to-back.
    static constexpr std::size_t write_batch = 64;

    websocket_session(Stream&& stream, server_context& context, relay::connection_id connection, std::string peer_address)
        : connection_handle(connection, std::move(peer_address), context.config.queue),
          ws_(std::move(stream)),
          context_(context),
          close_timer_(ws_.get_executor()) {}

    template <class Body, class Allocator>
    void run(boost::beast::http::request<Body, boost::beast::http::basic_fields<Allocator>> request) {
        namespace websocket = boost::beast::websocket;
        const server_config& config = context_.config;
        boost::beast::get_lowest_layer(ws_).expires_never();  // the WebSocket's own timeouts take over
        websocket::stream_base::timeout timeouts{};
        timeouts.handshake_timeout = std::chrono::seconds(10);
        timeouts.idle_timeout = config.idle_timeout;
        timeouts.keep_alive_pings = true;  // a ping at half the idle timeout; silence for all of it closes
        ws_.set_option(timeouts);
        ws_.set_option(websocket::stream_base::decorator(
            [](websocket::response_type& response) { response.set(boost::beast::http::field::server, "stoa-server"); }));
        ws_.read_message_max(config.max_message_bytes);
        ws_.auto_fragment(false);
        if (config.socket_send_buffer > 0) {
            boost::system::error_code ignored;
            boost::beast::get_lowest_layer(ws_).socket().set_option(
                boost::asio::socket_base::send_buffer_size(config.socket_send_buffer), ignored);
        }
        context_.open_websockets.fetch_add(1, std::memory_order_relaxed);
        counted_ = true;
        ws_.async_accept(request, [self = this->shared_from_this()](boost::system::error_code error) {
            self->on_accept(error);
        });
    }

    ~websocket_session() override {
        if (counted_) context_.open_websockets.fetch_sub(1, std::memory_order_relaxed);
    }

    void wake_writer() override {
        boost::asio::post(ws_.get_executor(), [self = this->shared_from_this()] { self->write_next(); });
    }
    void resume_reading() override {
        boost::asio::post(ws_.get_executor(), [self = this->shared_from_this()] { self->read_next(); });
    }
    void close_deadline(std::chrono::milliseconds after) override {
        boost::asio::post(ws_.get_executor(), [self = this->shared_from_this(), after] {
            if (self->ended_ || self->deadline_armed_) return;
            self->deadline_armed_ = true;
            self->close_timer_.expires_after(after);
            self->close_timer_.async_wait([self](boost::system::error_code error) {
                if (!error && !self->ended_) self->cut();
            });
        });
    }

private:
    void on_accept(boost::system::error_code error) {
        if (error) {
            ended_ = true;  // never registered with the engine
            return;
        }
        context_.metrics.websocket_sessions.fetch_add(1, std::memory_order_relaxed);
        registered_ = true;
        context_.engine.open(this->shared_from_this());
        read_next();
    }

    void read_next() {
        if (ended_) return;
        ws_.async_read(buffer_, [self = this->shared_from_this()](boost::system::error_code error, std::size_t bytes) {
            self->on_read(error, bytes);
        });
    }

    void on_read(boost::system::error_code error, std::size_t bytes) {
        if (error) {
            if (error == boost::beast::websocket::error::message_too_big) {
                context_.metrics.read_errors_too_large.fetch_add(1, std::memory_order_relaxed);
            }
            end();
            return;
        }
        context_.metrics.messages_in.fetch_add(1, std::memory_order_relaxed);
        context_.metrics.bytes_in.fetch_add(bytes, std::memory_order_relaxed);
        std::string data = boost::beast::buffers_to_string(buffer_.data());
        buffer_.consume(buffer_.size());
        // The next read starts when the engine has handled this one (resume_reading): a peer that
        // floods waits on its own TCP window instead of growing the engine strand's queue.
        if (ws_.got_text()) {
            context_.engine.text(this->shared_from_this(), std::move(data), std::chrono::steady_clock::now());
        } else {
            context_.engine.binary(this->shared_from_this(), relay::make_message(std::move(data), relay::payload_kind::binary,
                                                                                 relay::traffic_class::media));
        }
    }

    void write_next() {
        if (ended_ || write_in_flight_ || close_started_) return;
        if (next_ == batch_.size()) {
            batch_.clear();
            next_ = 0;
            switch (queue.take(batch_, write_batch)) {
                case take_outcome::idle: return;
                case take_outcome::close: start_close(); return;
                case take_outcome::batch: break;
            }
        }
        const relay::shared_message& message = batch_[next_];
        ws_.binary(message->kind == relay::payload_kind::binary);
        write_in_flight_ = true;
        // The buffer is the shared message itself: no copy per recipient.
        ws_.async_write(boost::asio::buffer(message->data),
                        [self = this->shared_from_this()](boost::system::error_code error, std::size_t bytes) {
                            self->on_write(error, bytes);
                        });
    }

    void on_write(boost::system::error_code error, std::size_t bytes) {
        write_in_flight_ = false;
        if (error) {
            end();
            return;
        }
        context_.metrics.messages_out.fetch_add(1, std::memory_order_relaxed);
        context_.metrics.bytes_out.fetch_add(bytes, std::memory_order_relaxed);
        batch_[next_].reset();  // release the buffer as soon as it is written
        ++next_;
        write_next();
    }

    void start_close() {
        close_started_ = true;
        const auto [code, reason] = queue.close_reason();
        boost::beast::websocket::close_reason why(static_cast<std::uint16_t>(code));
        why.reason = boost::beast::string_view(reason.data(), std::min<std::size_t>(reason.size(), 120));
        ws_.async_close(why, [self = this->shared_from_this()](boost::system::error_code) { self->end(); });
    }

    // Cuts the socket: every pending operation completes with an error.
    void cut() {
        boost::system::error_code ignored;
        boost::beast::get_lowest_layer(ws_).socket().shutdown(boost::asio::socket_base::shutdown_both, ignored);
        boost::beast::get_lowest_layer(ws_).socket().close(ignored);
        end();
    }

    void end() {
        if (ended_) return;
        ended_ = true;
        close_timer_.cancel();
        boost::system::error_code ignored;
        if (boost::beast::get_lowest_layer(ws_).socket().is_open()) {
            boost::beast::get_lowest_layer(ws_).socket().close(ignored);
        }
        if (registered_) context_.engine.closed(id);
    }

    boost::beast::websocket::stream<Stream> ws_;
    server_context& context_;
    boost::asio::steady_timer close_timer_;
    boost::beast::flat_buffer buffer_;
    std::vector<relay::shared_message> batch_;
    std::size_t next_ = 0;
    bool write_in_flight_ = false;
    bool close_started_ = false;
    bool deadline_armed_ = false;
    bool registered_ = false;
    bool counted_ = false;
    bool ended_ = false;
};

}  // namespace stoa::server
