// The load generator's WebSocket client: upgrade, masked client frames, unmasked server frames.
#include "bench_connection.hpp"

#include <sys/socket.h>
#include <sys/uio.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>

#include <boost/asio/connect.hpp>
#include <boost/asio/write.hpp>

namespace stoa::bench {

namespace {

constexpr std::uint8_t opcode_continuation = 0x0;
constexpr std::uint8_t opcode_text = 0x1;
constexpr std::uint8_t opcode_binary = 0x2;
constexpr std::uint8_t opcode_close = 0x8;
constexpr std::uint8_t opcode_ping = 0x9;
constexpr std::uint8_t opcode_pong = 0xA;
constexpr std::size_t initial_read_buffer = 16 * 1024;
// Far above anything the relays send (the stoa relay's snapshot parts are a few kilobytes).
constexpr std::size_t max_message = 8 * 1024 * 1024;

}  // namespace

bench_connection::bench_connection(boost::asio::io_context& io, std::uint32_t index, connection_handler& handler)
    : socket_(io), index_(index), handler_(handler), mask_state_(index * 2654435761U + 1U) {}

void bench_connection::start(const boost::asio::ip::tcp::endpoint& to, std::string target) {
    target_ = std::move(target);
    host_ = to.address().to_string() + ":" + std::to_string(to.port());
    socket_.async_connect(to, [self = shared_from_this()](const boost::system::error_code& error) {
        if (error) return self->fail("connect: " + error.message());
        boost::system::error_code ignored;
        self->socket_.set_option(boost::asio::ip::tcp::no_delay(true), ignored);
        if (self->timestamps_) {
            const int on = 1;
            ::setsockopt(self->socket_.native_handle(), SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof(on));
        }
        self->state_ = state::upgrading;
        // The key is fixed: the generator trusts its loopback peer and does not check the accept hash.
        std::string request = "GET " + self->target_ + " HTTP/1.1\r\nHost: " + self->host_ +
                              "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                              "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
        self->pending_.assign(request.begin(), request.end());
        self->flush();
        self->read_buffer_.resize(initial_read_buffer);
        self->read_more();
    });
}

void bench_connection::send_text(std::string_view text) {
    queue_frame(opcode_text, {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()});
}

void bench_connection::send_binary(byte_span data) { queue_frame(opcode_binary, data); }

void bench_connection::close() {
    if (state_ == state::closed) return;
    state_ = state::closed;
    boost::system::error_code ignored;
    socket_.shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
}

void bench_connection::queue_frame(std::uint8_t opcode, byte_span payload) {
    if (state_ != state::open) return;
    const std::size_t size = payload.size();
    pending_.push_back(static_cast<std::uint8_t>(0x80U | opcode));
    if (size < 126) {
        pending_.push_back(static_cast<std::uint8_t>(0x80U | size));
    } else if (size <= 0xFFFF) {
        pending_.push_back(0x80U | 126U);
        pending_.push_back(static_cast<std::uint8_t>(size >> 8));
        pending_.push_back(static_cast<std::uint8_t>(size));
    } else {
        pending_.push_back(0x80U | 127U);
        for (int shift = 56; shift >= 0; shift -= 8) pending_.push_back(static_cast<std::uint8_t>(size >> shift));
    }
    // Client frames must be masked (RFC 6455 5.3); a cheap xorshift key per frame is enough here.
    mask_state_ ^= mask_state_ << 13;
    mask_state_ ^= mask_state_ >> 17;
    mask_state_ ^= mask_state_ << 5;
    std::uint8_t mask[4];
    std::memcpy(mask, &mask_state_, 4);
    pending_.insert(pending_.end(), mask, mask + 4);
    const std::size_t at = pending_.size();
    pending_.resize(at + size);
    for (std::size_t i = 0; i < size; ++i) pending_[at + i] = static_cast<std::uint8_t>(payload[i] ^ mask[i & 3U]);
    flush();
}

void bench_connection::flush() {
    if (write_in_flight_ || pending_.empty() || state_ == state::closed) return;
    std::swap(pending_, writing_);
    pending_.clear();
    write_in_flight_ = true;
    boost::asio::async_write(socket_, boost::asio::buffer(writing_),
                             [self = shared_from_this()](const boost::system::error_code& error, std::size_t n) {
                                 self->write_in_flight_ = false;
                                 if (error) return self->fail("write: " + error.message());
                                 self->bytes_written_ += n;
                                 self->writing_.clear();
                                 self->flush();
                             });
}

void bench_connection::read_more() {
    if (state_ == state::closed) return;
    if (read_begin_ == read_end_) {
        read_begin_ = read_end_ = 0;
    } else if (read_end_ == read_buffer_.size()) {
        if (read_begin_ > 0) {
            std::memmove(read_buffer_.data(), read_buffer_.data() + read_begin_, read_end_ - read_begin_);
            read_end_ -= read_begin_;
            read_begin_ = 0;
        } else {
            read_buffer_.resize(read_buffer_.size() * 2);
        }
    }
    if (timestamps_) {
        socket_.async_wait(boost::asio::ip::tcp::socket::wait_read, [self = shared_from_this()](const boost::system::error_code& error) {
            if (error) return self->fail("read: " + error.message());
            self->read_with_timestamp();
        });
        return;
    }
    socket_.async_read_some(
        boost::asio::buffer(read_buffer_.data() + read_end_, read_buffer_.size() - read_end_),
        [self = shared_from_this()](const boost::system::error_code& error, std::size_t n) {
            if (error) return self->fail(error == boost::asio::error::eof ? "closed by the relay" : "read: " + error.message());
            self->on_read(n);
        });
}

void bench_connection::read_with_timestamp() {
    if (state_ == state::closed) return;
    iovec into{read_buffer_.data() + read_end_, read_buffer_.size() - read_end_};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(timespec)) * 2];
    msghdr message{};
    message.msg_iov = &into;
    message.msg_iovlen = 1;
    message.msg_control = control;
    message.msg_controllen = sizeof(control);
    const ssize_t n = ::recvmsg(socket_.native_handle(), &message, MSG_DONTWAIT);
    if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return read_more();
        return fail(std::string("read: ") + std::strerror(errno));
    }
    if (n == 0) return fail("closed by the relay");
    // The kernel's stamp is on CLOCK_REALTIME; moved to the steady clock with an offset read now,
    // so a clock adjustment during the run cannot skew it by more than the few microseconds here.
    timespec real{};
    ::clock_gettime(CLOCK_REALTIME, &real);
    read_us_ = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
    const auto micros = [](const timespec& t) { return static_cast<std::int64_t>(t.tv_sec) * 1'000'000 + t.tv_nsec / 1'000; };
    kernel_receive_us_ = 0;
    for (cmsghdr* c = CMSG_FIRSTHDR(&message); c != nullptr; c = CMSG_NXTHDR(&message, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
            timespec stamp{};
            std::memcpy(&stamp, CMSG_DATA(c), sizeof(stamp));
            kernel_receive_us_ = micros(stamp) - (micros(real) - read_us_);
        }
    }
    on_read(static_cast<std::size_t>(n));
}

void bench_connection::on_read(std::size_t bytes) {
    bytes_read_ += bytes;
    read_end_ += bytes;
    if (state_ == state::upgrading && !parse_upgrade()) {
        if (state_ != state::closed) read_more();
        return;
    }
    parse_frames();
    read_more();
}

bool bench_connection::parse_upgrade() {
    const std::string_view seen(reinterpret_cast<const char*>(read_buffer_.data() + read_begin_), read_end_ - read_begin_);
    const auto end = seen.find("\r\n\r\n");
    if (end == std::string_view::npos) {
        if (seen.size() > 16 * 1024) fail("upgrade response too large");
        return false;
    }
    if (seen.substr(0, 12) != "HTTP/1.1 101") {
        fail("upgrade refused: " + std::string(seen.substr(0, seen.find("\r\n"))));
        return false;
    }
    read_begin_ += end + 4;
    state_ = state::open;
    handler_.on_open(*this);
    return state_ == state::open;
}

void bench_connection::parse_frames() {
    while (state_ == state::open) {
        const std::uint8_t* p = read_buffer_.data() + read_begin_;
        const std::size_t available = read_end_ - read_begin_;
        if (available < 2) return;
        const bool fin = (p[0] & 0x80U) != 0;
        const std::uint8_t opcode = p[0] & 0x0FU;
        const bool masked = (p[1] & 0x80U) != 0;
        std::uint64_t length = p[1] & 0x7FU;
        std::size_t header = 2;
        if (length == 126) {
            if (available < 4) return;
            length = (std::uint64_t{p[2]} << 8) | p[3];
            header = 4;
        } else if (length == 127) {
            if (available < 10) return;
            length = 0;
            for (int i = 0; i < 8; ++i) length = (length << 8) | p[2 + i];
            header = 10;
        }
        if (masked || length > max_message) return fail("bad frame from the relay");
        if (available < header + length) {
            // Make room for the whole frame; read_more() compacts or grows.
            if (header + length > read_buffer_.size()) {
                std::memmove(read_buffer_.data(), p, available);
                read_begin_ = 0;
                read_end_ = available;
                read_buffer_.resize(std::max(read_buffer_.size() * 2, static_cast<std::size_t>(header + length)));
            }
            return;
        }
        const byte_span payload(p + header, static_cast<std::size_t>(length));
        read_begin_ += header + static_cast<std::size_t>(length);

        switch (opcode) {
            case opcode_ping:
                queue_frame(opcode_pong, payload);
                break;
            case opcode_pong:
                break;
            case opcode_close:
                queue_frame(opcode_close, payload.subspan(0, std::min<std::size_t>(payload.size(), 2)));
                return fail("close frame from the relay");
            case opcode_text:
            case opcode_binary:
                if (fin) {
                    if (opcode == opcode_text) {
                        handler_.on_text(*this, {reinterpret_cast<const char*>(payload.data()), payload.size()});
                    } else {
                        handler_.on_binary(*this, payload);
                    }
                } else {
                    fragment_opcode_ = opcode;
                    fragments_.assign(payload.begin(), payload.end());
                }
                break;
            case opcode_continuation:
                fragments_.insert(fragments_.end(), payload.begin(), payload.end());
                if (fin) {
                    if (fragment_opcode_ == opcode_text) {
                        handler_.on_text(*this, {reinterpret_cast<const char*>(fragments_.data()), fragments_.size()});
                    } else {
                        handler_.on_binary(*this, fragments_);
                    }
                    fragments_.clear();
                }
                break;
            default:
                return fail("unknown opcode from the relay");
        }
    }
}

void bench_connection::fail(std::string_view why) {
    if (state_ == state::closed) return;
    close();
    handler_.on_closed(*this, why);
}

}  // namespace stoa::bench
