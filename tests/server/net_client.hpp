// A native Stoa member over a real WebSocket: a client_session driven by its own I/O thread, with
// a virtual clock shared by the test. Tests await its state under a condition variable (with
// generous timeouts as failure guards only), never sleep.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include "stoa/client/client_session.hpp"
#include "stoa/proto/control_codec.hpp"
#include "test_random.hpp"

namespace stoa::test {

// Time for every client of one test: advanced by the test, read by each client's thread.
struct virtual_clock {
    std::atomic<std::int64_t> micros{1'000'000};
    [[nodiscard]] time_point now() const { return from_micros(micros.load()); }
    void advance(std::chrono::microseconds by) { micros.fetch_add(by.count()); }
};

inline constexpr auto await_limit = std::chrono::seconds(20);

class net_client {
public:
    net_client(std::uint16_t port, e2ee::identity identity, client::client_config config, virtual_clock& clock,
               std::uint64_t seed)
        : port_(port), clock_(clock), random_(seed), ws_(io_) {
        session_ = std::make_unique<client::client_session>(std::move(identity), std::move(config), random_);
    }
    ~net_client() { stop(); }
    net_client(const net_client&) = delete;
    net_client& operator=(const net_client&) = delete;

    // Connects, upgrades to /ws and starts the handshake; returns when the socket is open.
    void connect() {
        namespace beast = boost::beast;
        boost::asio::ip::tcp::resolver resolver(io_);
        beast::get_lowest_layer(ws_).connect(boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port_));
        ws_.handshake("127.0.0.1:" + std::to_string(port_), "/ws");
        ws_.auto_fragment(false);
        {
            const std::lock_guard lock(mutex_);
            session_->on_connected(clock_.now());
        }
        thread_ = std::thread([this] {
            auto guard = boost::asio::make_work_guard(io_);
            io_.run();
        });
        boost::asio::post(io_, [this] { read_next(); });
        flush();
    }

    // Runs `f` on the session under its lock, then sends whatever it queued.
    template <typename F>
    auto with(F&& f) {
        std::unique_lock lock(mutex_);
        if constexpr (std::is_void_v<decltype(f(*session_))>) {
            f(*session_);
            lock.unlock();
            flush();
        } else {
            auto result = f(*session_);
            lock.unlock();
            flush();
            return result;
        }
    }

    void tick() {
        with([&](client::client_session& s) { s.tick(clock_.now()); });
    }

    // Waits until `predicate(session)` holds; false on the failure-guard timeout.
    template <typename P>
    [[nodiscard]] bool await(P&& predicate, std::chrono::milliseconds limit = await_limit) {
        std::unique_lock lock(mutex_);
        return changed_.wait_for(lock, limit, [&] { return predicate(*session_); });
    }
    [[nodiscard]] bool await_closed(std::chrono::milliseconds limit = await_limit) {
        std::unique_lock lock(mutex_);
        return changed_.wait_for(lock, limit, [&] { return closed_; });
    }

    // A ping to the relay and its pong back: everything the relay queued for this client before it
    // handled the ping has arrived when this returns.
    void send_ping() {
        const std::uint32_t nonce = ++ping_nonce_;
        enqueue_raw(false, proto::encode(proto::client_message{std::nullopt, proto::ping{nonce}}));
    }
    [[nodiscard]] bool await_pong() {
        std::unique_lock lock(mutex_);
        return changed_.wait_for(lock, await_limit, [&] { return closed_ || last_pong_ == ping_nonce_.load(); });
    }
    [[nodiscard]] std::uint64_t session_messages_sent() const { return session_sent_.load(); }

    // Sends raw bytes as if a modified client wrote them.
    void send_raw(bool binary, std::string data) { enqueue_raw(binary, std::move(data)); }

    // Drops the TCP connection without a close handshake (a lost transport).
    void drop() {
        boost::asio::post(io_, [this] {
            boost::system::error_code ignored;
            boost::beast::get_lowest_layer(ws_).socket().shutdown(boost::asio::socket_base::shutdown_both, ignored);
            boost::beast::get_lowest_layer(ws_).socket().close(ignored);
        });
        std::unique_lock lock(mutex_);
        changed_.wait_for(lock, await_limit, [&] { return closed_; });
        session_->on_disconnected(clock_.now());
    }

    // run() leaves an excluded client alone (one the test keeps deliberately silent).
    bool excluded = false;
    // Sees every message as it comes off the socket, on the I/O thread, before the session does
    // (benchmarks time arrivals with it). Set before connect().
    std::function<void(bool binary, const std::string& data)> on_read_raw;

    void stop() {
        if (!thread_.joinable()) return;
        boost::asio::post(io_, [this] {
            boost::system::error_code ignored;
            boost::beast::get_lowest_layer(ws_).socket().close(ignored);
        });
        io_.stop();
        thread_.join();
    }

    // Under the lock: the events taken from the session so far.
    [[nodiscard]] std::vector<client::client_event> events() {
        const std::lock_guard lock(mutex_);
        return events_;
    }
    template <typename Event>
    [[nodiscard]] std::size_t count() {
        const std::lock_guard lock(mutex_);
        std::size_t n = 0;
        for (const auto& e : events_) n += std::holds_alternative<Event>(e) ? 1 : 0;
        return n;
    }
    template <typename Event>
    [[nodiscard]] bool await_event(std::chrono::milliseconds limit = await_limit) {
        std::unique_lock lock(mutex_);
        return changed_.wait_for(lock, limit, [&] {
            for (const auto& e : events_) {
                if (std::holds_alternative<Event>(e)) return true;
            }
            return false;
        });
    }
    [[nodiscard]] std::optional<std::uint16_t> close_code() {
        const std::lock_guard lock(mutex_);
        return closed_ ? std::optional<std::uint16_t>(close_code_) : std::nullopt;
    }
    [[nodiscard]] std::vector<std::uint16_t> error_codes() {
        std::vector<std::uint16_t> codes;
        for (const auto& e : events()) {
            if (const auto* error = std::get_if<client::event::error>(&e)) codes.push_back(error->code);
        }
        return codes;
    }

private:
    void read_next() {
        ws_.async_read(buffer_, [this](boost::system::error_code error, std::size_t) { on_read(error); });
    }

    void on_read(boost::system::error_code error) {
        if (error) {
            const std::lock_guard lock(mutex_);
            closed_ = true;
            close_code_ = static_cast<std::uint16_t>(ws_.reason().code);
            changed_.notify_all();
            return;
        }
        const std::string data = boost::beast::buffers_to_string(buffer_.data());
        buffer_.consume(buffer_.size());
        if (on_read_raw) on_read_raw(!ws_.got_text(), data);
        {
            const std::lock_guard lock(mutex_);
            if (ws_.got_text()) {
                if (data.find("\"pong\"") != std::string::npos) {
                    auto decoded = proto::decode_server_message(data);
                    if (decoded.ok()) {
                        if (const auto* pong = std::get_if<proto::pong>(&decoded->body)) last_pong_ = pong->nonce;
                    }
                }
                session_->receive_text(data, clock_.now());
            } else {
                session_->receive_binary(
                    byte_view(reinterpret_cast<const std::uint8_t*>(data.data()), data.size()), clock_.now());
            }
            for (auto& e : session_->take_events()) events_.push_back(std::move(e));
        }
        flush();
        {
            const std::lock_guard lock(mutex_);
            changed_.notify_all();
        }
        read_next();
    }

    void flush() {
        // Posted under the lock, so two threads flushing cannot reorder the session's messages.
        const std::lock_guard lock(mutex_);
        auto out = session_->take_outbound();
        for (auto& e : session_->take_events()) events_.push_back(std::move(e));
        session_sent_ += out.size();
        for (auto& message : out) enqueue_raw(message.binary, std::move(message.data));
        changed_.notify_all();
    }

    void enqueue_raw(bool binary, std::string data) {
        boost::asio::post(io_, [this, binary, data = std::move(data)]() mutable {
            writes_.push_back({binary, std::move(data)});
            if (writes_.size() == 1) write_next();
        });
    }

    void write_next() {
        ws_.binary(writes_.front().first);
        ws_.async_write(boost::asio::buffer(writes_.front().second), [this](boost::system::error_code error, std::size_t) {
            writes_.pop_front();
            if (error) {
                writes_.clear();
                return;
            }
            if (!writes_.empty()) write_next();
        });
    }

    std::uint16_t port_;
    virtual_clock& clock_;
    seeded_random random_;
    boost::asio::io_context io_;
    boost::beast::websocket::stream<boost::beast::tcp_stream> ws_;
    boost::beast::flat_buffer buffer_;
    std::thread thread_;
    std::deque<std::pair<bool, std::string>> writes_;  // io thread only

    std::mutex mutex_;
    std::condition_variable changed_;
    std::unique_ptr<client::client_session> session_;
    std::vector<client::client_event> events_;
    bool closed_ = false;
    std::uint16_t close_code_ = 0;
    std::atomic<std::uint32_t> ping_nonce_{0};
    std::uint32_t last_pong_ = 0;
    std::atomic<std::uint64_t> session_sent_{0};
};

}  // namespace stoa::test
