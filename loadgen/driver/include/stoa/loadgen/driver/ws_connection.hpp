// One simulated member's WebSocket to the relay, on its worker's single-threaded io_context, with
// stoa-load's own client framing (ws_client_framing.hpp): connect from a chosen local address,
// upgrade, then read frames and write masked ones. Reads go through one buffer per worker; only a
// partial frame is kept per connection. A connection reads in one of two modes:
//   - immediate: the event loop wakes it as soon as bytes arrive (probe listeners, speakers, hosts);
//   - batched: once open, its socket leaves the event loop and the worker drains it on a tick,
//     several frames per read (bulk listeners). The bytes wait in the kernel meanwhile, so the
//     relay sees the same socket either way.
// It calls its owner back on the same thread; the owner detaches before it goes away, and the
// connection outlives it only until its pending handlers have run.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>  // before Boost 1.74's asio, whose awaitable.hpp uses std::exchange unincluded
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "stoa/common/bytes.hpp"
#include "stoa/loadgen/driver/protocol_adapter.hpp"
#include "stoa/loadgen/driver/tls_client.hpp"
#include "stoa/loadgen/driver/ws_client_framing.hpp"

namespace stoa::loadgen {

class connection_owner {
public:
    virtual ~connection_owner() = default;
    virtual void on_ws_open() = 0;
    virtual void on_ws_text(std::string_view text) = 0;
    virtual void on_ws_binary(byte_view message) = 0;
    // The connection failed or ended. `opened`: it had been open (else the connect or upgrade
    // failed). `http_status`: the server refused the upgrade with this status (0: it did not).
    virtual void on_ws_closed(bool opened, std::string_view reason, unsigned http_status) = 0;
    // wss://: the TLS handshake finished `micros` after the TCP connection opened.
    virtual void on_tls_ready(bool resumed, std::uint64_t micros) {
        (void)resumed;
        (void)micros;
    }
};

struct connection_target {
    boost::asio::ip::tcp::endpoint server;
    std::string host_header;  // "127.0.0.1:8080"
    std::string path = "/ws";
    std::optional<boost::asio::ip::address> source;  // bind here before connecting
    std::shared_ptr<tls_client_context> tls;          // wss://: TLS with this context
    std::string server_name;                          // for SNI and the certificate check
};

// The bytes every connection of one worker reads into (one thread uses it at a time).
struct read_buffer {
    static constexpr std::size_t size = 64 * 1024;
    std::vector<std::uint8_t> bytes = std::vector<std::uint8_t>(size);
    bool in_use = false;
};

enum class read_mode : std::uint8_t { immediate, batched };

class ws_connection : public std::enable_shared_from_this<ws_connection> {
public:
    // Bounded: at most this many framed bytes wait to be written; past it the connection is
    // treated as stuck and closed (the member then reconnects).
    static constexpr std::size_t max_queued_bytes = std::size_t{1} << 20;
    static constexpr std::size_t max_message_bytes = std::size_t{4} << 20;
    // Kept capacity of the per-connection strings after a burst (a roster snapshot, a key bundle).
    static constexpr std::size_t kept_capacity = 256;

    // `random_seed` feeds the handshake key and the frame masks.
    ws_connection(boost::asio::io_context& context, connection_owner& owner, read_buffer& buffer, read_mode mode,
                  std::uint64_t random_seed);
    ~ws_connection();
    ws_connection(const ws_connection&) = delete;
    ws_connection& operator=(const ws_connection&) = delete;

    void start(const connection_target& target, std::chrono::milliseconds timeout);
    // Frames `message` and writes it at once when the socket takes it; the rest waits.
    void send(const wire_message& message);
    // Batched mode: reads whatever waits in the socket and retries unwritten bytes. A no-op in
    // immediate mode and before the connection is open.
    void drain();
    // Sends a close frame once the queue drains, then ends.
    void close_gracefully();
    // Ends at once (a lost connection); no further callbacks.
    void abort();
    // The owner is going away: no further callbacks.
    void detach() noexcept { owner_ = nullptr; }
    [[nodiscard]] bool is_open() const noexcept { return phase_ == phase::open; }
    [[nodiscard]] read_mode mode() const noexcept { return mode_; }

private:
    enum class phase : std::uint8_t { connecting, handshaking, upgrading, open, ended };

    [[nodiscard]] int fd() const noexcept;
    void fail(std::string_view reason, unsigned http_status = 0);
    void protocol_failure(std::uint16_t close_code, std::string_view reason);
    void wait_readable();
    void wait_writable();
    void read_available();
    void consume(const std::uint8_t* data, std::size_t size);
    void consume_plain(const std::uint8_t* data, std::size_t size);
    // The transport (TCP, or TLS once its handshake is done) is ready: send the upgrade request.
    void transport_ready();
    // Plaintext for the wire: through TLS when there is TLS.
    void send_plain(std::string_view bytes);
    // Handles every whole frame at the start of `input`; returns how many bytes it used.
    std::size_t handle_frames(byte_view input);
    void handle_frame(const ws::frame_view& frame);
    void finish_upgrade();
    void queue_frame(ws::opcode code, byte_view payload);
    void flush();
    void release_to_batched();
    void close_socket() noexcept;
    [[nodiscard]] std::array<std::uint8_t, 4> next_mask() noexcept;

    boost::asio::ip::tcp::socket socket_;
    std::unique_ptr<boost::asio::steady_timer> deadline_;  // only while connecting and upgrading
    connection_owner* owner_;
    read_buffer& buffer_;
    std::string handshake_key_;
    std::string pending_;    // the partial frame (or response head) the last read ended in
    std::string fragments_;  // a fragmented message being reassembled
    std::string outbox_;     // framed, masked bytes not yet written
    std::string early_;      // frames sent before the upgrade completed (plaintext)
    std::string request_;    // the upgrade request, until the transport is ready
    std::unique_ptr<tls_session> tls_;
    std::chrono::steady_clock::time_point tcp_open_at_{};
    std::size_t outbox_sent_ = 0;
    std::uint64_t random_state_;
    int released_fd_ = -1;  // batched mode, once open: the socket outside the event loop
    phase phase_ = phase::connecting;
    read_mode mode_;
    ws::opcode fragments_code_ = ws::opcode::binary;
    bool in_fragments_ = false;
    bool write_waiting_ = false;
    bool closing_ = false;      // close once the outbox drains
    bool close_sent_ = false;
};

}  // namespace stoa::loadgen
