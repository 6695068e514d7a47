// The neutral WebSocket server that Artillery and Tsung load in tests/bench/loadgen/peers.sh:
// it accepts any connection and sends each one a binary message the size of a Stoa audio frame,
// 50 times a second, and counts what it did. Its own CPU is not measured, so it is built to cost
// as little as possible: one thread, epoll, one pre-framed buffer shared by every send.
//
//   stoa-peers-fixture --port 18600 --frame-bytes 121 --rate 50 --duration 120 --status FILE
//
// Every second it rewrites FILE with one line of counters (see write_status); the script reads
// it at the start and end of its measured window. frames_due counts, for every timer expiration,
// one frame per open connection (what a reader keeping up should get); frames_sent what was handed
// to the kernel; sends the send() calls that carried them (more than one frame a send when the loop
// fell behind its 50 Hz and a tick's frames doubled up: then readers get several frames per read).
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/evp.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace {

struct options {
    std::string listen = "127.0.0.1";
    std::uint16_t port = 18600;
    std::size_t frame_bytes = 121;
    unsigned rate = 50;
    unsigned duration_s = 120;
    std::string status_path;
};

// A connection is in its HTTP handshake until it has sent a whole upgrade request; then it only
// receives frames, and whatever it sends (nothing, pings, a close) is read and discarded.
struct connection {
    int fd = -1;
    bool open = false;
    std::string request;  // the handshake so far
    std::string pending;  // bytes a short write left behind; while non-empty, new frames are dropped
};

struct counters {
    std::uint64_t accepted = 0;
    std::uint64_t upgraded = 0;
    std::uint64_t closed = 0;
    std::uint64_t open_now = 0;
    std::uint64_t open_peak = 0;
    std::uint64_t frames_due = 0;      // what every open connection should have had: timer expirations x open
    std::uint64_t frames_sent = 0;     // frames handed to the kernel (whole or partly)
    std::uint64_t sends = 0;           // send() calls that carried frames: frames_sent / sends > 1 when ticks doubled up
    std::uint64_t frames_dropped = 0;  // frames skipped because a client had not taken the last ones
    std::uint64_t ticks = 0;
    std::uint64_t ticks_late = 0;  // timer expirations that found the loop busy (frames doubled up)
};

volatile sig_atomic_t stop_requested = 0;
void on_signal(int) {
    stop_requested = 1;
}

[[noreturn]] void die(const char* what) {
    std::perror(what);
    std::exit(1);
}

options parse(int argc, char** argv) {
    options o;
    for (int i = 1; i < argc; ++i) {
        const std::string_view flag = argv[i];
        if (i + 1 >= argc) {
            std::fprintf(stderr, "stoa-peers-fixture: %s needs a value\n", argv[i]);
            std::exit(2);
        }
        const char* value = argv[++i];
        if (flag == "--listen")
            o.listen = value;
        else if (flag == "--port")
            o.port = static_cast<std::uint16_t>(std::atoi(value));
        else if (flag == "--frame-bytes")
            o.frame_bytes = static_cast<std::size_t>(std::atoi(value));
        else if (flag == "--rate")
            o.rate = static_cast<unsigned>(std::atoi(value));
        else if (flag == "--duration")
            o.duration_s = static_cast<unsigned>(std::atoi(value));
        else if (flag == "--status")
            o.status_path = value;
        else {
            std::fprintf(stderr, "stoa-peers-fixture: unknown flag %s\n", argv[i - 1]);
            std::exit(2);
        }
    }
    if (o.frame_bytes < 8 || o.frame_bytes > 125 || o.rate == 0 || o.rate > 1000) {
        std::fprintf(stderr, "stoa-peers-fixture: --frame-bytes must be 8..125 and --rate 1..1000\n");
        std::exit(2);
    }
    return o;
}

std::string accept_key(std::string_view client_key) {
    static constexpr std::string_view guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    const std::string input = std::string(client_key) + std::string(guid);
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int digest_size = 0;
    if (EVP_Digest(input.data(), input.size(), digest, &digest_size, EVP_sha1(), nullptr) != 1) die("EVP_Digest");
    unsigned char encoded[64];
    const int n = EVP_EncodeBlock(encoded, digest, static_cast<int>(digest_size));
    return std::string(reinterpret_cast<const char*>(encoded), static_cast<std::size_t>(n));
}

// The value of `name` (matched without regard to case) in an HTTP request head, or empty.
std::string_view header_value(std::string_view head, std::string_view name) {
    std::size_t line = head.find("\r\n");
    while (line != std::string_view::npos && line + 2 < head.size()) {
        const std::size_t start = line + 2;
        const std::size_t end = head.find("\r\n", start);
        const std::string_view text =
            head.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
        const std::size_t colon = text.find(':');
        if (colon == name.size() && std::equal(name.begin(), name.end(), text.begin(),
                                               [](char a, char b) { return std::tolower(a) == std::tolower(b); })) {
            std::string_view value = text.substr(colon + 1);
            while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
            while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
            return value;
        }
        line = end;
    }
    return {};
}

class fixture {
public:
    explicit fixture(options o) : options_(std::move(o)) {
        epoll_ = epoll_create1(EPOLL_CLOEXEC);
        if (epoll_ < 0) die("epoll_create1");

        listener_ = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (listener_ < 0) die("socket");
        const int one = 1;
        setsockopt(listener_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_port = htons(options_.port);
        if (inet_pton(AF_INET, options_.listen.c_str(), &address.sin_addr) != 1) die("inet_pton");
        if (bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) die("bind");
        if (listen(listener_, 4096) != 0) die("listen");
        watch(listener_, EPOLLIN);

        timer_ = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
        if (timer_ < 0) die("timerfd_create");
        const long period_ns = 1'000'000'000L / options_.rate;
        itimerspec spec{};
        spec.it_interval.tv_sec = period_ns / 1'000'000'000L;
        spec.it_interval.tv_nsec = period_ns % 1'000'000'000L;
        spec.it_value = spec.it_interval;
        if (timerfd_settime(timer_, 0, &spec, nullptr) != 0) die("timerfd_settime");
        watch(timer_, EPOLLIN);

        // One server-to-client binary frame (unmasked, FIN, opcode 2, 7-bit length), sent to all.
        frame_.assign(2 + options_.frame_bytes, static_cast<char>(0x5A));
        frame_[0] = static_cast<char>(0x82);
        frame_[1] = static_cast<char>(options_.frame_bytes);
    }

    int run() {
        const auto started = std::chrono::steady_clock::now();
        const auto deadline = started + std::chrono::seconds(options_.duration_s);
        auto next_status = started;
        std::vector<epoll_event> events(1024);
        while (stop_requested == 0 && std::chrono::steady_clock::now() < deadline) {
            const int n = epoll_wait(epoll_, events.data(), static_cast<int>(events.size()), 100);
            if (n < 0 && errno != EINTR) die("epoll_wait");
            for (int i = 0; i < n; ++i) {
                const int fd = events[static_cast<std::size_t>(i)].data.fd;
                const std::uint32_t what = events[static_cast<std::size_t>(i)].events;
                if (fd == listener_)
                    accept_all();
                else if (fd == timer_)
                    tick();
                else
                    on_connection_event(fd, what);
            }
            const auto now = std::chrono::steady_clock::now();
            if (now >= next_status) {
                write_status(now - started);
                next_status = now + std::chrono::seconds(1);
            }
        }
        write_status(std::chrono::steady_clock::now() - started);
        std::fprintf(stdout, "%s\n", status_line(std::chrono::steady_clock::now() - started).c_str());
        return 0;
    }

private:
    void watch(int fd, std::uint32_t events, int op = EPOLL_CTL_ADD) {
        epoll_event event{};
        event.events = events;
        event.data.fd = fd;
        if (epoll_ctl(epoll_, op, fd, &event) != 0) die("epoll_ctl");
    }

    void accept_all() {
        for (;;) {
            const int fd = accept4(listener_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
            if (fd < 0) {
                if (errno == EAGAIN || errno == EWOULDBLOCK) return;
                if (errno == EINTR || errno == ECONNABORTED) continue;
                if (errno == EMFILE || errno == ENFILE) {
                    std::fprintf(stderr, "stoa-peers-fixture: out of file descriptors at %llu open\n",
                                 static_cast<unsigned long long>(counters_.open_now));
                    return;
                }
                die("accept4");
            }
            const int one = 1;
            setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            ++counters_.accepted;
            auto& c = connections_[fd];
            c = std::make_unique<connection>();
            c->fd = fd;
            watch(fd, EPOLLIN | EPOLLRDHUP);
        }
    }

    void on_connection_event(int fd, std::uint32_t what) {
        const auto found = connections_.find(fd);
        if (found == connections_.end()) return;
        connection& c = *found->second;
        if ((what & (EPOLLERR | EPOLLHUP)) != 0) return close_connection(c);
        if ((what & EPOLLOUT) != 0 && !flush(c)) return;
        if ((what & (EPOLLIN | EPOLLRDHUP)) != 0) read_from(c);
    }

    void read_from(connection& c) {
        char buffer[4096];
        for (;;) {
            const ssize_t n = recv(c.fd, buffer, sizeof buffer, 0);
            if (n > 0) {
                c.request.append(buffer, static_cast<std::size_t>(n));
                if (c.request.size() > 16384) return close_connection(c);
                if (!c.open) {
                    if (c.request.find("\r\n\r\n") != std::string::npos && !upgrade(c)) return;
                } else if (!read_frames(c)) {
                    return;
                }
                continue;
            }
            if (n == 0) return close_connection(c);
            if (errno == EAGAIN || errno == EWOULDBLOCK) return;
            if (errno == EINTR) continue;
            return close_connection(c);
        }
    }

    // Frames from a client (masked): a close is answered and the connection closed, a ping is
    // answered with a pong, anything else is discarded. False if the connection was closed.
    bool read_frames(connection& c) {
        for (;;) {
            const auto* bytes = reinterpret_cast<const unsigned char*>(c.request.data());
            const std::size_t size = c.request.size();
            if (size < 2) return true;
            const unsigned opcode = bytes[0] & 0x0FU;
            std::uint64_t length = bytes[1] & 0x7FU;
            std::size_t header = 2;
            if (length == 126) {
                if (size < 4) return true;
                length = (std::uint64_t{bytes[2]} << 8) | bytes[3];
                header = 4;
            } else if (length == 127) {
                if (size < 10) return true;
                length = 0;
                for (int i = 0; i < 8; ++i) length = (length << 8) | bytes[2 + i];
                header = 10;
            }
            const std::size_t mask = (bytes[1] & 0x80U) != 0 ? 4 : 0;
            if (length > 16384) {
                close_connection(c);
                return false;
            }
            const std::size_t whole = header + mask + static_cast<std::size_t>(length);
            if (size < whole) return true;
            if (opcode == 0x8) {
                static constexpr char close_frame[] = {static_cast<char>(0x88), 0};
                (void)!send(c.fd, close_frame, sizeof close_frame, MSG_NOSIGNAL | MSG_DONTWAIT);
                close_connection(c);
                return false;
            }
            if (opcode == 0x9 && length <= 125 && c.pending.empty()) {
                std::string pong{static_cast<char>(0x8A), static_cast<char>(length)};
                for (std::size_t i = 0; i < length; ++i) {
                    const auto masked = static_cast<unsigned char>(bytes[header + mask + i]);
                    pong += static_cast<char>(mask != 0 ? masked ^ bytes[header + i % 4] : masked);
                }
                c.pending = std::move(pong);
                if (!flush(c)) return false;
            }
            c.request.erase(0, whole);
        }
    }

    bool upgrade(connection& c) {
        const std::string_view key = header_value(c.request, "Sec-WebSocket-Key");
        if (key.empty()) {
            static constexpr std::string_view refusal =
                "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
            (void)!send(c.fd, refusal.data(), refusal.size(), MSG_NOSIGNAL);
            close_connection(c);
            return false;
        }
        std::string reply =
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ";
        reply += accept_key(key);
        reply += "\r\n\r\n";
        c.request.erase(0, c.request.find("\r\n\r\n") + 4);
        c.open = true;
        ++counters_.upgraded;
        ++counters_.open_now;
        counters_.open_peak = std::max(counters_.open_peak, counters_.open_now);
        c.pending = std::move(reply);
        return flush(c);
    }

    // Writes what is pending; false if the connection was closed.
    bool flush(connection& c) {
        while (!c.pending.empty()) {
            const ssize_t n = send(c.fd, c.pending.data(), c.pending.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
            if (n > 0) {
                c.pending.erase(0, static_cast<std::size_t>(n));
                continue;
            }
            if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
                watch(c.fd, EPOLLIN | EPOLLRDHUP | EPOLLOUT, EPOLL_CTL_MOD);
                return true;
            }
            if (n < 0 && errno == EINTR) continue;
            close_connection(c);
            return false;
        }
        watch(c.fd, EPOLLIN | EPOLLRDHUP, EPOLL_CTL_MOD);
        return true;
    }

    // One timer period: every open connection gets the frame (or the frames of the periods the
    // loop missed, in one write), with a sequence number so consecutive frames differ.
    void tick() {
        std::uint64_t expirations = 0;
        if (read(timer_, &expirations, sizeof expirations) != static_cast<ssize_t>(sizeof expirations)) return;
        ++counters_.ticks;
        if (expirations > 1) counters_.ticks_late += expirations - 1;
        counters_.frames_due += expirations * counters_.open_now;
        const std::uint64_t frames = std::min<std::uint64_t>(expirations, 5);
        std::string burst;
        for (std::uint64_t i = 0; i < frames; ++i) {
            const std::uint32_t seq = sequence_++;
            std::memcpy(frame_.data() + 2, &seq, sizeof seq);
            burst += frame_;
        }
        std::vector<int> closed;
        for (auto& [fd, c] : connections_) {
            if (!c->open) continue;
            if (!c->pending.empty()) {
                counters_.frames_dropped += frames;
                continue;
            }
            const ssize_t n = send(fd, burst.data(), burst.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
            if (n > 0) ++counters_.sends;
            if (n == static_cast<ssize_t>(burst.size())) {
                counters_.frames_sent += frames;
            } else if (n > 0) {
                counters_.frames_sent += frames;
                c->pending.assign(burst, static_cast<std::size_t>(n));
                watch(fd, EPOLLIN | EPOLLRDHUP | EPOLLOUT, EPOLL_CTL_MOD);
            } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
                counters_.frames_dropped += frames;
            } else {
                closed.push_back(fd);
            }
        }
        for (const int fd : closed) {
            const auto found = connections_.find(fd);
            if (found != connections_.end()) close_connection(*found->second);
        }
    }

    void close_connection(connection& c) {
        const int fd = c.fd;
        if (c.open) {
            --counters_.open_now;
            ++counters_.closed;
        }
        epoll_ctl(epoll_, EPOLL_CTL_DEL, fd, nullptr);
        ::close(fd);
        connections_.erase(fd);  // destroys c
    }

    std::string status_line(std::chrono::steady_clock::duration elapsed) const {
        char line[512];
        std::snprintf(
            line, sizeof line,
            "elapsed_s=%.3f accepted=%llu upgraded=%llu closed=%llu open=%llu open_peak=%llu "
            "frames_due=%llu frames_sent=%llu frames_dropped=%llu sends=%llu ticks=%llu ticks_late=%llu",
            std::chrono::duration<double>(elapsed).count(), static_cast<unsigned long long>(counters_.accepted),
            static_cast<unsigned long long>(counters_.upgraded), static_cast<unsigned long long>(counters_.closed),
            static_cast<unsigned long long>(counters_.open_now), static_cast<unsigned long long>(counters_.open_peak),
            static_cast<unsigned long long>(counters_.frames_due), static_cast<unsigned long long>(counters_.frames_sent),
            static_cast<unsigned long long>(counters_.frames_dropped), static_cast<unsigned long long>(counters_.sends),
            static_cast<unsigned long long>(counters_.ticks),
            static_cast<unsigned long long>(counters_.ticks_late));
        return line;
    }

    // Written to a temporary file and renamed, so a reader never sees half a line.
    void write_status(std::chrono::steady_clock::duration elapsed) const {
        if (options_.status_path.empty()) return;
        const std::string temporary = options_.status_path + ".tmp";
        std::FILE* file = std::fopen(temporary.c_str(), "w");
        if (file == nullptr) return;
        std::fprintf(file, "%s\n", status_line(elapsed).c_str());
        std::fclose(file);
        std::rename(temporary.c_str(), options_.status_path.c_str());
    }

    options options_;
    int epoll_ = -1;
    int listener_ = -1;
    int timer_ = -1;
    std::string frame_;
    std::uint32_t sequence_ = 0;
    std::unordered_map<int, std::unique_ptr<connection>> connections_;
    counters counters_;
};

}  // namespace

int main(int argc, char** argv) {
    const options o = parse(argc, argv);
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    signal(SIGPIPE, SIG_IGN);
    fixture server(o);
    std::fprintf(stderr, "stoa-peers-fixture: listening on %s:%u, %zu-byte frames at %u/s\n", o.listen.c_str(), o.port,
                 o.frame_bytes, o.rate);
    return server.run();
}
