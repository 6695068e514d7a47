// One WebSocket connection, on the one I/O thread (shard) that owns its socket. Beast performs the
// HTTP upgrade; afterwards the session reads and writes RFC 6455 frames on the stream itself: a
// sans-I/O parser for client frames, and one gathered write (header + shared payload per message)
// for everything queued. The engine's deliveries arrive in batches on this same thread (outbox).
// How the connection ends (the close handshake, liveness) is decided by ws_session_state; this
// class performs what it returns.
#pragma once

#include <array>
#include <cerrno>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <boost/asio/buffer.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include "server_context.hpp"
#include "stoa/common/vector_queue.hpp"
#include "stoa/server/connection_handle.hpp"
#include "stoa/server/ws_frame_header.hpp"
#include "stoa/server/ws_frame_parser.hpp"
#include "stoa/server/ws_session_state.hpp"

namespace stoa::server {

template <class Stream>
class websocket_session final : public connection_handle,
                                public gathered_write_target,
                                public std::enable_shared_from_this<websocket_session<Stream>> {
public:
    // Messages taken from the queue per write: one gathered write (writev, 2 buffers a message)
    // delivers them all, so a burst of fan-out costs one syscall per connection, not one per frame.
    static constexpr std::size_t write_batch = 64;
    // The read buffer starts small (most connections only ever send small frames) and doubles
    // while reads fill it, up to the largest chunk.
    static constexpr std::size_t first_read_chunk = 1024;
    static constexpr std::size_t max_read_chunk = 64 * 1024;

    // `address_slot` is this connection's share of its peer address, held for its whole life.
    websocket_session(Stream&& stream, server_context& context, relay::connection_id connection,
                      std::string peer_address, shard_index home, address_limiter::slot address_slot)
        : connection_handle(connection, std::move(peer_address), context.config.queue, home),
          ws_(std::move(stream)),
          context_(context),
          address_slot_(std::move(address_slot)),
          close_timer_(ws_.get_executor()),
          idle_timer_(ws_.get_executor()),
          state_({context.config.idle_timeout, context.config.close_timeout}),
          parser_(context.config.max_message_bytes) {}

    template <class Body, class Allocator>
    void run(boost::beast::http::request<Body, boost::beast::http::basic_fields<Allocator>> request) {
        namespace websocket = boost::beast::websocket;
        const server_config& config = context_.config;
        boost::beast::get_lowest_layer(ws_).expires_never();
        // Beast only answers the upgrade: no pings of its own, since it never reads afterwards.
        websocket::stream_base::timeout timeouts{};
        timeouts.handshake_timeout = std::chrono::seconds(10);
        timeouts.idle_timeout = websocket::stream_base::none();
        timeouts.keep_alive_pings = false;
        ws_.set_option(timeouts);
        ws_.set_option(websocket::stream_base::decorator(
            [](websocket::response_type& response) { response.set(boost::beast::http::field::server, "stoa-server"); }));
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

    void write_pending() override { write_next(); }

    bool gather_into(uring_writer& writer) override {
        if constexpr (!std::is_same_v<Stream, boost::beast::tcp_stream>) {
            return false;  // TLS records are made by the stream: it writes alone
        } else {
            if (!fill_write()) return true;  // nothing to write, or a write is in flight
            write_in_flight_ = true;         // the batch's until gathered_write_done
            writer.add(boost::beast::get_lowest_layer(ws_).socket().native_handle(), buffers_, *this);
            return true;
        }
    }

    void gathered_write_done(std::int64_t result) override {
        write_in_flight_ = false;
        if (result < 0 && result != -EAGAIN && result != -EWOULDBLOCK) {
            perform(state_.on_stream_ended());
            return;
        }
        const std::size_t written = result < 0 ? 0 : static_cast<std::size_t>(result);
        if (written == boost::asio::buffer_size(buffers_)) {
            if (written_in_full(written)) write_next();
            return;
        }
        write_rest_async(written);
    }
    void resume_reading() override {
        boost::asio::post(ws_.get_executor(), [self = this->shared_from_this()] {
            self->engine_busy_ = false;
            self->deliver();
        });
    }
    void arm_close_deadline(std::chrono::milliseconds after) override {
        perform(state_.on_close_deadline_requested(after, std::chrono::steady_clock::now()));
    }

private:
    Stream& stream() { return ws_.next_layer(); }

    void on_accept(boost::system::error_code error) {
        if (error) {
            perform(state_.on_stream_ended());  // never registered with the engine
            return;
        }
        context_.metrics.websocket_sessions.fetch_add(1, std::memory_order_relaxed);
        registered_ = true;
        context_.engine.open(this->shared_from_this());
        if constexpr (std::is_same_v<Stream, boost::beast::tcp_stream>) {
            boost::system::error_code ignored;
            boost::beast::get_lowest_layer(ws_).socket().non_blocking(true, ignored);
        }
        perform(state_.start(std::chrono::steady_clock::now()));
        read_more();
    }

    // Carries out what the close handshake and liveness rules decided, in the order given.
    void perform(ws_session_actions actions) {
        if (actions.stop_reading) {
            read_stopped_ = true;
            events_.clear();
        }
        if (actions.arm_close_deadline) {
            close_timer_.expires_at(*actions.arm_close_deadline);
            close_timer_.async_wait([self = this->shared_from_this()](boost::system::error_code error) {
                if (!error) self->perform(self->state_.on_close_deadline());
            });
        }
        if (actions.arm_idle_check) {
            idle_timer_.expires_at(*actions.arm_idle_check);
            idle_timer_.async_wait([self = this->shared_from_this()](boost::system::error_code error) {
                if (!error) self->perform(self->state_.on_idle_check(std::chrono::steady_clock::now()));
            });
        }
        if (actions.shutdown_send_and_discard) {
            // We failed the peer: let it read our close before the socket goes.
            if constexpr (std::is_same_v<Stream, boost::beast::tcp_stream>) {
                boost::system::error_code ignored;
                boost::beast::get_lowest_layer(ws_).socket().shutdown(boost::asio::socket_base::shutdown_send, ignored);
            }
            read_stopped_ = true;
            discard_until_eof();
        }
        if (actions.teardown == ws_teardown::cut) {
            boost::system::error_code ignored;
            boost::beast::get_lowest_layer(ws_).socket().shutdown(boost::asio::socket_base::shutdown_both, ignored);
        }
        if (actions.teardown != ws_teardown::none) release();
        // Last: a write can complete at once and come back here.
        if (actions.send) {
            actions.send->append_frame_to(control_out_);
            write_next();
        }
    }

    void read_more() {
        if (state_.ended() || read_in_flight_ || read_stopped_) return;
        read_in_flight_ = true;
        const auto done = [self = this->shared_from_this()](boost::system::error_code error, std::size_t bytes) {
            self->on_read(error, bytes);
        };
        if constexpr (std::is_same_v<Stream, boost::beast::tcp_stream>) {
            boost::beast::get_lowest_layer(ws_).socket().async_read_some(boost::asio::buffer(read_buffer_), done);
        } else {
            stream().async_read_some(boost::asio::buffer(read_buffer_), done);
        }
    }

    void on_read(boost::system::error_code error, std::size_t bytes) {
        read_in_flight_ = false;
        if (error) {
            perform(state_.on_stream_ended());
            return;
        }
        state_.heard_input();
        const ws_parse_error parsed =
            parser_.feed(std::span<const std::uint8_t>(read_buffer_.data(), bytes), parsed_scratch_);
        for (ws_event& event : parsed_scratch_) events_.emplace_back(std::move(event));
        parsed_scratch_.clear();
        if (parsed != ws_parse_error::none) {
            // Messages before the bad frame still count; nothing after it is read.
            read_stopped_ = true;
            parse_failure_ = parsed;
        }
        if (bytes == read_buffer_.size() && read_buffer_.size() < max_read_chunk) {
            read_buffer_.resize(read_buffer_.size() * 2);
        }
        deliver();
    }

    void discard_until_eof() {
        if (state_.ended() || read_in_flight_) return;
        read_in_flight_ = true;
        const auto done = [self = this->shared_from_this()](boost::system::error_code error, std::size_t) {
            self->read_in_flight_ = false;
            if (error) {
                self->perform(self->state_.on_stream_ended());
                return;
            }
            self->discard_until_eof();
        };
        if constexpr (std::is_same_v<Stream, boost::beast::tcp_stream>) {
            boost::beast::get_lowest_layer(ws_).socket().async_read_some(boost::asio::buffer(read_buffer_), done);
        } else {
            stream().async_read_some(boost::asio::buffer(read_buffer_), done);
        }
    }

    // Hands the engine one message at a time: the next read starts when it has handled this one
    // (resume_reading), so a peer that floods waits on its own TCP window.
    void deliver() {
        while (!state_.ended() && !engine_busy_ && !events_.empty()) {
            ws_event event = std::move(events_.front());
            events_.pop_front();
            switch (event.type) {
                case ws_event::kind::ping:
                    perform(state_.on_peer_ping(std::move(event.payload)));
                    break;
                case ws_event::kind::pong:
                    break;
                case ws_event::kind::close:
                    perform(state_.on_peer_close(event.close_code, std::chrono::steady_clock::now()));
                    return;
                case ws_event::kind::text:
                    to_engine(true, std::move(event.payload));
                    break;
                case ws_event::kind::binary:
                    to_engine(false, std::move(event.payload));
                    break;
            }
        }
        if (state_.ended() || engine_busy_ || !events_.empty()) return;
        if (read_stopped_) {
            if (parse_failure_ != ws_parse_error::none) fail_protocol();
            return;
        }
        read_more();
    }

    void to_engine(bool text, std::string data) {
        if (state_.peer_closed()) return;
        context_.metrics.messages_in.fetch_add(1, std::memory_order_relaxed);
        context_.metrics.bytes_in.fetch_add(data.size(), std::memory_order_relaxed);
        engine_busy_ = true;
        if (text) {
            context_.engine.text(this->shared_from_this(), std::move(data), std::chrono::steady_clock::now());
        } else {
            context_.engine.binary(this->shared_from_this(), relay::make_message(std::move(data), relay::payload_kind::binary,
                                                                                 relay::traffic_class::media));
        }
    }

    void fail_protocol() {
        const ws_parse_error failure = std::exchange(parse_failure_, ws_parse_error::none);
        if (failure == ws_parse_error::too_big) {
            context_.metrics.read_errors_too_large.fetch_add(1, std::memory_order_relaxed);
        }
        perform(state_.on_protocol_failure(failure, std::chrono::steady_clock::now()));
    }

    void write_next() {
        // Plain TCP: a non-blocking writev first; only what the kernel would not take waits for an
        // asynchronous write. Most wakeups then cost one syscall and no completion handler.
        while (fill_write()) {
            if constexpr (std::is_same_v<Stream, boost::beast::tcp_stream>) {
                boost::system::error_code error;
                const std::size_t written = boost::beast::get_lowest_layer(ws_).socket().write_some(buffers_, error);
                if (error && error != boost::asio::error::would_block && error != boost::asio::error::try_again) {
                    perform(state_.on_stream_ended());
                    return;
                }
                if (!error && written == boost::asio::buffer_size(buffers_)) {
                    if (!written_in_full(written)) return;
                    continue;
                }
                write_rest_async(error ? 0 : written);
            } else {
                write_in_flight_ = true;
                boost::asio::async_write(stream(), buffers_,  // through TLS
                                         [self = this->shared_from_this()](boost::system::error_code e, std::size_t n) {
                                             self->on_write(e, n);
                                         });
            }
            return;
        }
    }

    // Gathers what goes out next into buffers_; false when there is nothing to write now.
    [[nodiscard]] bool fill_write() {
        if (!state_.may_write() || write_in_flight_) return false;
        buffers_.clear();
        batch_.clear();
        writing_control_.clear();
        tail_control_.clear();
        if (!control_out_.empty()) {
            writing_control_.swap(control_out_);
            buffers_.emplace_back(writing_control_.data(), writing_control_.size());
        }
        if (state_.may_take_messages() && queue.take(batch_, write_batch) == take_outcome::close) {
            // Everything queued went out: the close follows in this same write.
            const auto [code, reason] = queue.close_reason();
            const ws_session_actions close = state_.on_engine_close(code, reason);
            if (close.send) close.send->append_frame_to(tail_control_);
        }
        for (std::size_t i = 0; i < batch_.size(); ++i) {
            const relay::wire_message& message = *batch_[i];
            headers_[i] = make_frame_header(
                message.kind == relay::payload_kind::binary ? ws_opcode::binary : ws_opcode::text, message.data.size());
            buffers_.emplace_back(headers_[i].bytes.data(), headers_[i].size);
            // The payload is the shared message itself: no copy per recipient.
            buffers_.emplace_back(message.data.data(), message.data.size());
        }
        if (!tail_control_.empty()) buffers_.emplace_back(tail_control_.data(), tail_control_.size());
        state_.on_write_started();
        return !buffers_.empty();
    }

    // Plain TCP: the kernel took `written` bytes of the gathered write (by writev or io_uring);
    // the rest waits for an asynchronous write.
    void write_rest_async(std::size_t written) {
        consume_buffers(written);
        write_in_flight_ = true;
        boost::asio::async_write(boost::beast::get_lowest_layer(ws_).socket(), buffers_,
                                 [self = this->shared_from_this(), written](boost::system::error_code e, std::size_t rest) {
                                     self->on_write(e, written + rest);
                                 });
    }

    // Drops the first `written` bytes from buffers_ after a partial write.
    void consume_buffers(std::size_t written) {
        std::size_t drop = 0;
        while (drop < buffers_.size() && written >= buffers_[drop].size()) {
            written -= buffers_[drop].size();
            ++drop;
        }
        buffers_.erase(buffers_.begin(), buffers_.begin() + static_cast<std::ptrdiff_t>(drop));
        if (!buffers_.empty()) buffers_.front() += written;
    }

    // Bookkeeping once a whole write is out; false when the connection is done writing.
    [[nodiscard]] bool written_in_full(std::size_t written) {
        context_.metrics.messages_out.fetch_add(batch_.size(), std::memory_order_relaxed);
        context_.metrics.bytes_out.fetch_add(written, std::memory_order_relaxed);
        batch_.clear();  // release the shared buffers as soon as they are written
        if (const auto since = queue.take_written_mark()) {
            context_.metrics.join_latency.observe(std::chrono::steady_clock::now() - *since);
        }
        perform(state_.on_write_completed(std::chrono::steady_clock::now()));
        return state_.may_write();
    }

    void on_write(boost::system::error_code error, std::size_t written) {
        write_in_flight_ = false;
        if (error) {
            perform(state_.on_stream_ended());
            return;
        }
        if (written_in_full(written)) write_next();
    }

    // The connection ended (the state says so once): timers off, the socket closed, and the
    // engine told, if it ever heard of the connection.
    void release() {
        close_timer_.cancel();
        idle_timer_.cancel();
        boost::system::error_code ignored;
        if (boost::beast::get_lowest_layer(ws_).socket().is_open()) {
            boost::beast::get_lowest_layer(ws_).socket().close(ignored);
        }
        if (registered_) context_.engine.closed(id);
    }

    boost::beast::websocket::stream<Stream> ws_;  // for the upgrade only
    server_context& context_;
    address_limiter::slot address_slot_;
    boost::asio::steady_timer close_timer_;
    boost::asio::steady_timer idle_timer_;
    ws_session_state state_;

    ws_frame_parser parser_;
    std::vector<std::uint8_t> read_buffer_ = std::vector<std::uint8_t>(first_read_chunk);
    std::vector<ws_event> parsed_scratch_;
    vector_queue<ws_event> events_;  // no allocation until a frame arrives
    ws_parse_error parse_failure_ = ws_parse_error::none;

    std::vector<relay::shared_message> batch_;
    std::array<ws_frame_header, write_batch> headers_{};
    std::vector<boost::asio::const_buffer> buffers_;
    std::string control_out_;      // control frames waiting for the next write
    std::string writing_control_;  // control frames in the write in flight
    std::string tail_control_;     // a close written after the batch

    bool write_in_flight_ = false;
    bool read_in_flight_ = false;
    bool read_stopped_ = false;
    bool engine_busy_ = false;
    bool registered_ = false;
    bool counted_ = false;
};

}  // namespace stoa::server
