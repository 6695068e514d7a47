// One simulated member's WebSocket to the relay, on its worker's single-threaded io_context:
// connect (from a chosen local address), upgrade, then read messages and write queued ones in
// order. It calls its owner back on the same thread; the owner detaches before it goes away,
// and the connection outlives it only until its pending handlers have run.
#pragma once

#include <cstdint>
#include <vector>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>  // before Boost 1.74's asio, whose awaitable.hpp uses std::exchange unincluded

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket/stream.hpp>

#include "stoa/common/bytes.hpp"
#include "stoa/loadgen/driver/protocol_adapter.hpp"

namespace stoa::loadgen {

class connection_owner {
public:
    virtual ~connection_owner() = default;
    virtual void on_ws_open() = 0;
    virtual void on_ws_text(std::string_view text) = 0;
    virtual void on_ws_binary(byte_view message) = 0;
    // The connection failed or ended. `opened`: it had been open (else the connect failed).
    virtual void on_ws_closed(bool opened, std::string_view reason) = 0;
};

struct connection_target {
    boost::asio::ip::tcp::endpoint server;
    std::string host_header;  // "127.0.0.1:8080"
    std::string path = "/";
    std::optional<boost::asio::ip::address> source;  // bind here before connecting
};

class ws_connection : public std::enable_shared_from_this<ws_connection> {
public:
    // Bounded: a member's outbound queue holds at most this many messages; past it the
    // connection is treated as stuck and closed (the member then reconnects).
    static constexpr std::size_t max_queued = 1024;
    static constexpr std::size_t max_message_bytes = std::size_t{4} << 20;
    static constexpr std::size_t kept_read_buffer = 2048;
    static constexpr std::size_t write_buffer = 512;

    ws_connection(boost::asio::io_context& context, connection_owner& owner);
    ~ws_connection();

    void start(const connection_target& target, std::chrono::milliseconds timeout);
    void send(wire_message message);
    // Sends a close frame once the queue drains, then ends.
    void close_gracefully();
    // Ends at once (a lost connection); no further callbacks.
    void abort();
    // The owner is going away: no further callbacks.
    void detach() noexcept { owner_ = nullptr; }
    [[nodiscard]] bool is_open() const noexcept { return open_; }

private:
    void fail(std::string_view reason);
    void read();
    void write_next();

    using stream_type = boost::beast::websocket::stream<boost::asio::ip::tcp::socket>;
    stream_type stream_;
    boost::asio::steady_timer deadline_;
    boost::beast::flat_buffer buffer_;
    // A vector drained from `sent_` (an empty std::deque costs ~600 bytes per member).
    std::vector<wire_message> queue_;
    std::size_t sent_ = 0;
    wire_message in_flight_;
    connection_owner* owner_;
    bool open_ = false;
    bool writing_ = false;
    bool closing_ = false;
    bool ended_ = false;
};

}  // namespace stoa::loadgen
