#include "stoa/loadgen/driver/ws_connection.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <boost/asio/post.hpp>

#include "stoa/loadgen/scenario/deterministic_random.hpp"

namespace stoa::loadgen {

namespace net = boost::asio;

namespace {

// splitmix64: cheap, well-spread bits for masks and handshake keys.
std::uint64_t next_random(std::uint64_t& state) noexcept { return mix64(state += 0x9E3779B97F4A7C15ULL); }

void shrink(std::string& text) {
    if (text.empty() && text.capacity() > ws_connection::kept_capacity) std::string().swap(text);
}

}  // namespace

ws_connection::ws_connection(net::io_context& context, connection_owner& owner, read_buffer& buffer, read_mode mode,
                             std::uint64_t random_seed)
    : socket_(context), owner_(&owner), buffer_(buffer), random_state_(random_seed), mode_(mode) {}

ws_connection::~ws_connection() { close_socket(); }

int ws_connection::fd() const noexcept {
    return released_fd_ >= 0 ? released_fd_ : const_cast<net::ip::tcp::socket&>(socket_).native_handle();
}

std::array<std::uint8_t, 4> ws_connection::next_mask() noexcept {
    const auto bits = static_cast<std::uint32_t>(next_random(random_state_));
    return {static_cast<std::uint8_t>(bits), static_cast<std::uint8_t>(bits >> 8), static_cast<std::uint8_t>(bits >> 16),
            static_cast<std::uint8_t>(bits >> 24)};
}

void ws_connection::start(const connection_target& target, std::chrono::milliseconds timeout) {
    auto self = shared_from_this();
    boost::system::error_code ec;
    socket_.open(target.server.protocol(), ec);
    if (ec) return fail("socket: " + ec.message());
    if (target.source) {
        // Many members from one host: spread them over several source addresses, each with its
        // own ~28,000 ephemeral ports. The port is left to connect() (IP_BIND_ADDRESS_NO_PORT).
#ifdef IP_BIND_ADDRESS_NO_PORT
        const int on = 1;
        (void)::setsockopt(socket_.native_handle(), IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &on, sizeof on);
#endif
        socket_.bind(net::ip::tcp::endpoint(*target.source, 0), ec);
        if (ec) return fail("bind: " + ec.message());
    }
    deadline_ = std::make_unique<net::steady_timer>(socket_.get_executor());
    deadline_->expires_after(timeout);
    deadline_->async_wait([self](const boost::system::error_code& waited) {
        if (!waited && (self->phase_ == phase::connecting || self->phase_ == phase::handshaking ||
                        self->phase_ == phase::upgrading)) {
            self->fail(self->phase_ == phase::connecting    ? "connect timed out"
                       : self->phase_ == phase::handshaking ? "TLS handshake timed out"
                                                             : "upgrade timed out");
        }
    });
    ws::handshake_key key{};
    for (std::size_t i = 0; i < key.size(); i += 8) {
        const std::uint64_t bits = next_random(random_state_);
        std::memcpy(key.data() + i, &bits, 8);
    }
    handshake_key_ = ws::encode_key(key);
    request_ = ws::upgrade_request(target.host_header, target.path, handshake_key_);
    if (target.tls) tls_ = std::make_unique<tls_session>(target.tls, target.server_name);
    socket_.async_connect(target.server, [self](const boost::system::error_code& connected) {
        if (self->phase_ != phase::connecting) return;
        if (connected) return self->fail("connect: " + connected.message());
        boost::system::error_code ignored;
        self->socket_.set_option(net::ip::tcp::no_delay(true), ignored);
        self->tcp_open_at_ = std::chrono::steady_clock::now();
        if (self->tls_) {
            self->phase_ = phase::handshaking;
            if (auto started = self->tls_->start(); !started) return self->fail(started.error());
            self->tls_->take_output(self->outbox_);
            self->flush();
        } else {
            self->transport_ready();
        }
        if (self->phase_ == phase::upgrading || self->phase_ == phase::handshaking) self->wait_readable();
    });
}

void ws_connection::transport_ready() {
    phase_ = phase::upgrading;
    send_plain(request_);
    std::string().swap(request_);
    flush();
}

void ws_connection::send_plain(std::string_view bytes) {
    if (!tls_) {
        outbox_ += bytes;
        return;
    }
    if (auto wrote = tls_->write(as_bytes(bytes)); !wrote) {
        // Not from inside the caller's loop: the owner hears of it from the io_context.
        net::post(socket_.get_executor(), [self = shared_from_this(), reason = wrote.error()] { self->fail(reason); });
        closing_ = true;
        return;
    }
    tls_->take_output(outbox_);
}

void ws_connection::wait_readable() {
    socket_.async_wait(net::socket_base::wait_read, [self = shared_from_this()](const boost::system::error_code& ec) {
        if (self->phase_ == phase::ended || self->released_fd_ >= 0) return;
        if (ec) return self->fail("wait: " + ec.message());
        self->read_available();
        if (self->phase_ != phase::ended && self->released_fd_ < 0) self->wait_readable();
    });
}

void ws_connection::wait_writable() {
    if (write_waiting_ || released_fd_ >= 0) return;  // batched: drain() retries the write
    write_waiting_ = true;
    socket_.async_wait(net::socket_base::wait_write, [self = shared_from_this()](const boost::system::error_code& ec) {
        self->write_waiting_ = false;
        if (self->phase_ == phase::ended) return;
        if (ec == net::error::operation_aborted) return;  // released to batched mode
        if (ec) return self->fail("wait: " + ec.message());
        self->flush();
    });
}

void ws_connection::drain() {
    if (mode_ != read_mode::batched || released_fd_ < 0 || phase_ == phase::ended) return;
    auto self = shared_from_this();  // a callback may drop the owner's reference
    if (outbox_sent_ < outbox_.size()) flush();
    if (phase_ != phase::ended) read_available();
}

void ws_connection::read_available() {
    // One read, or more while each fills the buffer: whatever arrives after it raises a new edge
    // (immediate mode) or waits for the next drain (batched mode).
    std::vector<std::uint8_t> own;  // only if the worker's buffer is somehow in use already
    std::uint8_t* data = buffer_.bytes.data();
    std::size_t capacity = buffer_.bytes.size();
    const bool borrowed = !buffer_.in_use;
    if (borrowed) {
        buffer_.in_use = true;
    } else {
        own.resize(4096);
        data = own.data();
        capacity = own.size();
    }
    for (int round = 0; round < 16 && phase_ != phase::ended; ++round) {
        const ssize_t got = ::recv(fd(), data, capacity, MSG_DONTWAIT);
        if (got > 0) {
            consume(data, static_cast<std::size_t>(got));
            if (static_cast<std::size_t>(got) < capacity) break;
            continue;
        }
        if (got == 0) {
            if (borrowed) buffer_.in_use = false;
            return fail(phase_ == phase::open ? "closed by the relay" : "the server closed before the upgrade completed");
        }
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) break;
        const int error = errno;
        if (borrowed) buffer_.in_use = false;
        return fail(std::string("read: ") + std::strerror(error));
    }
    if (borrowed) buffer_.in_use = false;
}

void ws_connection::consume(const std::uint8_t* data, std::size_t size) {
    if (!tls_) return consume_plain(data, size);
    std::string plain;
    const auto fed = tls_->feed(byte_view(data, size), plain);
    tls_->take_output(outbox_);  // handshake messages, key updates, alerts
    if (!fed) {
        flush();
        return fail(fed.error());
    }
    if (phase_ == phase::handshaking && tls_->handshake_done()) {
        const auto took = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - tcp_open_at_);
        if (owner_ != nullptr) owner_->on_tls_ready(tls_->resumed(), static_cast<std::uint64_t>(took.count()));
        if (phase_ == phase::ended) return;
        transport_ready();
    } else if (outbox_sent_ < outbox_.size()) {
        flush();
    }
    if (!plain.empty() && phase_ != phase::ended) {
        consume_plain(reinterpret_cast<const std::uint8_t*>(plain.data()), plain.size());
    }
}

void ws_connection::consume_plain(const std::uint8_t* data, std::size_t size) {
    if (phase_ == phase::upgrading) {
        pending_.append(reinterpret_cast<const char*>(data), size);
        auto head = ws::parse_upgrade_response(pending_, handshake_key_);
        if (!head) {
            const ws::upgrade_failure failure = head.error();
            if (failure.error == ws::upgrade_error::incomplete) return;
            std::string reason(ws::to_string(failure.error));
            if (failure.status != 0) reason += " (HTTP " + std::to_string(failure.status) + ")";
            return fail(reason, failure.error == ws::upgrade_error::refused ? failure.status : 0);
        }
        pending_.erase(0, *head);
        finish_upgrade();
        if (phase_ != phase::open || pending_.empty()) return;
        // Frames that came with the response.
        std::string work = std::move(pending_);
        pending_.clear();
        const std::size_t used = handle_frames(as_bytes(work));
        if (phase_ == phase::open) pending_.assign(work, used);
        return;
    }
    if (phase_ != phase::open) return;
    if (pending_.empty()) {
        const std::size_t used = handle_frames(byte_view(data, size));
        if (phase_ == phase::open && used < size) pending_.assign(reinterpret_cast<const char*>(data + used), size - used);
        return;
    }
    std::string work = std::move(pending_);
    pending_.clear();
    work.append(reinterpret_cast<const char*>(data), size);
    const std::size_t used = handle_frames(as_bytes(work));
    if (phase_ != phase::open) return;
    pending_.assign(work, used);
    shrink(pending_);
}

std::size_t ws_connection::handle_frames(byte_view input) {
    std::size_t offset = 0;
    while (phase_ == phase::open && offset < input.size()) {
        ws::frame_view frame;
        const ws::scan_status status = ws::scan_frame(input.subspan(offset), max_message_bytes, frame);
        if (status == ws::scan_status::need_more) break;
        if (status == ws::scan_status::protocol_error) {
            protocol_failure(1002, "protocol error in a server frame");
            break;
        }
        if (status == ws::scan_status::too_big) {
            protocol_failure(1009, "message too big");
            break;
        }
        offset += frame.size;
        handle_frame(frame);
    }
    return offset;
}

void ws_connection::handle_frame(const ws::frame_view& frame) {
    using ws::opcode;
    switch (frame.code) {
        case opcode::text:
        case opcode::binary:
            if (in_fragments_) return protocol_failure(1002, "a new message inside a fragmented one");
            if (!frame.fin) {
                in_fragments_ = true;
                fragments_code_ = frame.code;
                fragments_.assign(reinterpret_cast<const char*>(frame.payload.data()), frame.payload.size());
                return;
            }
            if (owner_ == nullptr) return;
            if (frame.code == opcode::text) {
                owner_->on_ws_text(std::string_view(reinterpret_cast<const char*>(frame.payload.data()), frame.payload.size()));
            } else {
                owner_->on_ws_binary(frame.payload);
            }
            return;
        case opcode::continuation: {
            if (!in_fragments_) return protocol_failure(1002, "a continuation without a message");
            if (fragments_.size() + frame.payload.size() > max_message_bytes) {
                return protocol_failure(1009, "message too big");
            }
            fragments_.append(reinterpret_cast<const char*>(frame.payload.data()), frame.payload.size());
            if (!frame.fin) return;
            in_fragments_ = false;
            const std::string message = std::move(fragments_);
            fragments_.clear();
            shrink(fragments_);
            if (owner_ == nullptr) return;
            if (fragments_code_ == opcode::text) {
                owner_->on_ws_text(message);
            } else {
                owner_->on_ws_binary(as_bytes(message));
            }
            return;
        }
        case opcode::ping:
            queue_frame(opcode::pong, frame.payload);
            flush();
            return;
        case opcode::pong:
            return;
        case opcode::close: {
            std::uint16_t code = 1005;
            if (frame.payload.size() >= 2) code = static_cast<std::uint16_t>((frame.payload[0] << 8) | frame.payload[1]);
            if (!close_sent_) {
                // Echo the code (RFC 6455 5.5.1), then the TCP connection ends.
                const std::array<std::uint8_t, 2> echo{static_cast<std::uint8_t>(code >> 8), static_cast<std::uint8_t>(code)};
                queue_frame(opcode::close, code == 1005 ? byte_view{} : byte_view(echo));
                close_sent_ = true;
                flush();
            }
            return fail("closed by the relay (code " + std::to_string(code) + ")");
        }
    }
}

void ws_connection::finish_upgrade() {
    phase_ = phase::open;
    if (deadline_) {
        deadline_->cancel();
        deadline_.reset();
    }
    std::string().swap(handshake_key_);
    if (!early_.empty()) {
        send_plain(early_);
        std::string().swap(early_);
    }
    if (mode_ == read_mode::batched) release_to_batched();
    if (owner_ != nullptr) owner_->on_ws_open();
    if (phase_ == phase::open) flush();
}

void ws_connection::release_to_batched() {
    // Out of the event loop: no wake-up per arriving frame. The pending read wait ends with
    // operation_aborted, which its handler ignores.
    boost::system::error_code ec;
    const int raw = socket_.release(ec);
    if (!ec) released_fd_ = raw;
}

void ws_connection::queue_frame(ws::opcode code, byte_view payload) {
    if (phase_ != phase::open) return ws::append_client_frame(early_, code, payload, next_mask());
    if (!tls_) return ws::append_client_frame(outbox_, code, payload, next_mask());
    std::string frame;
    ws::append_client_frame(frame, code, payload, next_mask());
    send_plain(frame);
}

void ws_connection::send(const wire_message& message) {
    if (phase_ == phase::ended || closing_ || close_sent_) return;
    if (outbox_.size() - outbox_sent_ + early_.size() + message.data.size() > max_queued_bytes) {
        // Not from inside the caller's loop: the owner hears of it from the io_context.
        closing_ = true;
        net::post(socket_.get_executor(), [self = shared_from_this()] { self->fail("send queue overflow"); });
        return;
    }
    queue_frame(message.binary ? ws::opcode::binary : ws::opcode::text, as_bytes(message.data));
    if (phase_ == phase::open) flush();
}

void ws_connection::flush() {
    while (outbox_sent_ < outbox_.size()) {
        const ssize_t wrote =
            ::send(fd(), outbox_.data() + outbox_sent_, outbox_.size() - outbox_sent_, MSG_DONTWAIT | MSG_NOSIGNAL);
        if (wrote > 0) {
            outbox_sent_ += static_cast<std::size_t>(wrote);
            continue;
        }
        if (wrote < 0 && errno == EINTR) continue;
        if (wrote < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return wait_writable();
        return fail(std::string("write: ") + std::strerror(wrote < 0 ? errno : EPIPE));
    }
    outbox_.clear();
    outbox_sent_ = 0;
    shrink(outbox_);
    if (closing_ && phase_ == phase::open) {
        if (!close_sent_) {
            const std::array<std::uint8_t, 2> normal{0x03, 0xE8};  // 1000
            close_sent_ = true;
            queue_frame(ws::opcode::close, normal);
            return flush();
        }
        fail("closed");
    }
}

void ws_connection::protocol_failure(std::uint16_t close_code, std::string_view reason) {
    if (!close_sent_ && phase_ == phase::open) {
        const std::array<std::uint8_t, 2> code{static_cast<std::uint8_t>(close_code >> 8), static_cast<std::uint8_t>(close_code)};
        queue_frame(ws::opcode::close, code);
        close_sent_ = true;
        flush();
    }
    fail(reason);
}

void ws_connection::close_gracefully() {
    if (phase_ == phase::ended) return;
    if (phase_ != phase::open) return abort();
    closing_ = true;
    flush();
}

void ws_connection::close_socket() noexcept {
    boost::system::error_code ignored;
    if (deadline_) deadline_->cancel();
    if (released_fd_ >= 0) {
        ::close(released_fd_);
        released_fd_ = -1;
    } else if (socket_.is_open()) {
        socket_.close(ignored);
    }
}

void ws_connection::abort() {
    if (phase_ == phase::ended) return;
    phase_ = phase::ended;
    owner_ = nullptr;
    close_socket();
    deadline_.reset();
    std::string().swap(outbox_);
    std::string().swap(pending_);
    outbox_sent_ = 0;
}

void ws_connection::fail(std::string_view reason, unsigned http_status) {
    if (phase_ == phase::ended) return;
    const bool opened = phase_ == phase::open;
    phase_ = phase::ended;
    close_socket();
    deadline_.reset();
    std::string().swap(outbox_);
    std::string().swap(pending_);
    outbox_sent_ = 0;
    if (connection_owner* owner = std::exchange(owner_, nullptr)) owner->on_ws_closed(opened, reason, http_status);
}

}  // namespace stoa::loadgen
