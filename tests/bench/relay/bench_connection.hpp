// One WebSocket client connection of the relay benchmark's load generator: Asio TCP with a small
// RFC 6455 client framer, so thousands of connections cost one read per wake-up and one gather
// of queued frames per write, and the generator is never the bottleneck it is measuring.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

namespace stoa::bench {

using byte_span = std::span<const std::uint8_t>;

class bench_connection;

// What a protocol does with one connection's traffic. Called on the connection's io_context.
class connection_handler {
public:
    virtual ~connection_handler() = default;
    virtual void on_open(bench_connection& connection) = 0;
    virtual void on_text(bench_connection& connection, std::string_view text) = 0;
    virtual void on_binary(bench_connection& connection, byte_span data) = 0;
    virtual void on_closed(bench_connection& connection, std::string_view why) = 0;
};

class bench_connection : public std::enable_shared_from_this<bench_connection> {
public:
    bench_connection(boost::asio::io_context& io, std::uint32_t index, connection_handler& handler);

    // Connects, upgrades with a GET of `target`, then reports on_open.
    void start(const boost::asio::ip::tcp::endpoint& to, std::string target);
    // Queue one message; frames queued while a write is in flight go out together in the next one.
    void send_text(std::string_view text);
    void send_binary(byte_span data);
    void close();
    // Before start(): reads with recvmsg() and keeps the kernel's receive timestamp (SO_TIMESTAMPNS),
    // so a probe listener's latency excludes the time the generator took to get to its socket.
    void enable_receive_timestamps() noexcept { timestamps_ = true; }

    [[nodiscard]] std::uint32_t index() const noexcept { return index_; }
    [[nodiscard]] bool open() const noexcept { return state_ == state::open; }
    [[nodiscard]] std::uint64_t bytes_written() const noexcept { return bytes_written_; }
    [[nodiscard]] std::uint64_t bytes_read() const noexcept { return bytes_read_; }
    [[nodiscard]] bool timestamps_enabled() const noexcept { return timestamps_; }
    // For the bytes being handled: when the kernel queued the last of them on the socket (0 if it
    // gave no timestamp) and when the generator read them, both in steady-clock microseconds.
    [[nodiscard]] std::int64_t kernel_receive_us() const noexcept { return kernel_receive_us_; }
    [[nodiscard]] std::int64_t read_us() const noexcept { return read_us_; }

    // What the protocol keeps per connection (a session, a role); owned by the protocol.
    void* user = nullptr;

private:
    enum class state : std::uint8_t { connecting, upgrading, open, closed };

    void queue_frame(std::uint8_t opcode, byte_span payload);
    void flush();
    void read_more();
    void read_with_timestamp();
    void on_read(std::size_t bytes);
    bool parse_upgrade();
    void parse_frames();
    void fail(std::string_view why);

    boost::asio::ip::tcp::socket socket_;
    std::uint32_t index_;
    connection_handler& handler_;
    state state_ = state::connecting;
    std::string target_;
    std::string host_;

    std::vector<std::uint8_t> read_buffer_;
    std::size_t read_begin_ = 0;
    std::size_t read_end_ = 0;
    // A fragmented message being reassembled (servers may fragment large control JSON).
    std::vector<std::uint8_t> fragments_;
    std::uint8_t fragment_opcode_ = 0;

    std::vector<std::uint8_t> pending_;   // frames waiting for the write in flight to finish
    std::vector<std::uint8_t> writing_;   // frames of the write in flight
    bool write_in_flight_ = false;
    std::uint32_t mask_state_;
    std::uint64_t bytes_written_ = 0;
    std::uint64_t bytes_read_ = 0;
    bool timestamps_ = false;
    std::int64_t kernel_receive_us_ = 0;
    std::int64_t read_us_ = 0;
};

}  // namespace stoa::bench
