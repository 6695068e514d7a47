// The recv() floor for tests/bench/loadgen/peers.sh: the least CPU a generator on one core can
// spend per received frame. It opens N WebSocket connections to the peers fixture (fixture.cpp),
// does the HTTP upgrade, and from then on only reads bytes and counts them; it parses no frames
// (the fixture's are all 2 + FRAME_BYTES bytes, so frames = bytes / (2 + FRAME_BYTES)). Two ways:
//
//   --per-frame    epoll, level-triggered: one recv() per readable event, of whatever is there
//                  (the fixture sends each connection one frame a tick, so about one recv a frame)
//   --batched MS   no epoll wait for data: every MS ms, every socket is drained with
//                  recv(MSG_DONTWAIT) until EAGAIN (several frames per read, as stoa-load's bulk
//                  listeners are drained)
//
//   stoa-peers-recv-floor --connect 127.0.0.1:18600 --connections 2000 --ramp 10 --duration 120
//                         --frame-bytes 121 --status FILE (--per-frame | --batched 100)
//
// Connections are opened evenly over --ramp seconds; the program ends after --duration seconds
// from its start, or on SIGTERM / SIGINT. The handshakes are driven by epoll in both modes. Every
// second it rewrites FILE with one line of counters on its own clock (see status_line); the script
// reads it at both ends of its window.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace {

using clock_type = std::chrono::steady_clock;

struct options {
    std::string host = "127.0.0.1";
    std::uint16_t port = 18600;
    std::string path = "/";
    unsigned connections = 1;
    double ramp_s = 0;
    double duration_s = 60;
    std::size_t frame_bytes = 121;
    bool batched = false;
    unsigned batch_ms = 100;
    std::string status_path;
};

enum class state : std::uint8_t { connecting, handshaking, open, closed };

struct connection {
    int fd = -1;
    state st = state::connecting;
    std::string head;  // the upgrade response so far (handshake only)
};

struct counters {
    std::uint64_t attempted = 0;
    std::uint64_t open_now = 0;
    std::uint64_t open_peak = 0;
    std::uint64_t failed = 0;  // connect errors, refused or malformed upgrades
    std::uint64_t closed = 0;  // open connections the fixture closed
    std::uint64_t bytes = 0;   // WebSocket bytes after the upgrade response
    std::uint64_t recv_calls = 0;
    std::uint64_t recv_empty = 0;  // recv() calls that found nothing (EAGAIN)
    std::uint64_t epoll_waits = 0;
    std::uint64_t batches = 0;
};

volatile sig_atomic_t stop_requested = 0;
void on_signal(int) {
    stop_requested = 1;
}

[[noreturn]] void die(const char* what) {
    std::perror(what);
    std::exit(1);
}

[[noreturn]] void usage(const char* problem) {
    std::fprintf(stderr,
                 "stoa-peers-recv-floor: %s\nusage: stoa-peers-recv-floor --connect HOST:PORT --connections N "
                 "[--ramp S] [--duration S] [--frame-bytes B] [--status FILE] [--path P] (--per-frame | --batched MS)\n",
                 problem);
    std::exit(2);
}

options parse(int argc, char** argv) {
    options o;
    bool mode_given = false;
    for (int i = 1; i < argc; ++i) {
        const std::string_view flag = argv[i];
        if (flag == "--per-frame") {
            o.batched = false;
            mode_given = true;
            continue;
        }
        if (i + 1 >= argc) usage((std::string(argv[i]) + " needs a value").c_str());
        const char* value = argv[++i];
        if (flag == "--connect") {
            const std::string_view text = value;
            const std::size_t colon = text.rfind(':');
            if (colon == std::string_view::npos) usage("--connect takes HOST:PORT");
            o.host = std::string(text.substr(0, colon));
            o.port = static_cast<std::uint16_t>(std::atoi(value + colon + 1));
        } else if (flag == "--connections") {
            o.connections = static_cast<unsigned>(std::atoi(value));
        } else if (flag == "--ramp") {
            o.ramp_s = std::atof(value);
        } else if (flag == "--duration") {
            o.duration_s = std::atof(value);
        } else if (flag == "--frame-bytes") {
            o.frame_bytes = static_cast<std::size_t>(std::atoi(value));
        } else if (flag == "--status") {
            o.status_path = value;
        } else if (flag == "--path") {
            o.path = value;
        } else if (flag == "--batched") {
            o.batched = true;
            o.batch_ms = static_cast<unsigned>(std::atoi(value));
            mode_given = true;
        } else {
            usage((std::string("unknown flag ") + argv[i - 1]).c_str());
        }
    }
    if (!mode_given) usage("give --per-frame or --batched MS");
    if (o.connections == 0 || o.port == 0 || o.frame_bytes < 1 || o.frame_bytes > 125 || o.ramp_s < 0 ||
        o.duration_s <= 0 || (o.batched && (o.batch_ms == 0 || o.batch_ms > 10000)))
        usage("bad value");
    return o;
}

class receiver {
public:
    explicit receiver(options o) : options_(std::move(o)), buffer_(65536) {
        epoll_ = epoll_create1(EPOLL_CLOEXEC);
        if (epoll_ < 0) die("epoll_create1");
        address_.sin_family = AF_INET;
        address_.sin_port = htons(options_.port);
        if (inet_pton(AF_INET, options_.host.c_str(), &address_.sin_addr) != 1) usage("--connect needs an IPv4 address");
        request_ = "GET " + options_.path + " HTTP/1.1\r\nHost: " + options_.host + ":" + std::to_string(options_.port) +
                   "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                   "Sec-WebSocket-Version: 13\r\n\r\n";
        connections_.resize(options_.connections);
        events_.resize(1024);
    }

    int run() {
        started_ = clock_type::now();
        const auto deadline = started_ + to_duration(options_.duration_s);
        auto next_status = started_;
        auto next_batch = started_ + std::chrono::milliseconds(options_.batch_ms);
        while (stop_requested == 0) {
            auto now = clock_type::now();
            if (now >= deadline) break;
            open_due(now);
            if (now >= next_status) {
                write_status(now);
                next_status += std::chrono::seconds(1);
                if (next_status <= now) next_status = now + std::chrono::seconds(1);
            }
            if (options_.batched && now >= next_batch) {
                drain_all();
                next_batch += std::chrono::milliseconds(options_.batch_ms);
                if (next_batch <= now) next_batch = now + std::chrono::milliseconds(options_.batch_ms);
                continue;
            }
            // Sleep in epoll_wait until the next thing due: a batch, a connection of the ramp, the status.
            auto wake = std::min(next_status, deadline);
            if (options_.batched) wake = std::min(wake, next_batch);
            if (next_index_ < connections_.size()) wake = std::min(wake, due_time(next_index_));
            const auto wait = std::chrono::ceil<std::chrono::milliseconds>(wake - clock_type::now()).count();
            const int n = epoll_wait(epoll_, events_.data(), static_cast<int>(events_.size()),
                                     static_cast<int>(std::clamp<long long>(wait, 0, 1000)));
            ++counters_.epoll_waits;
            if (n < 0) {
                if (errno == EINTR) continue;
                die("epoll_wait");
            }
            for (int i = 0; i < n; ++i) {
                const auto& event = events_[static_cast<std::size_t>(i)];
                on_event(static_cast<std::size_t>(event.data.u64), event.events);
            }
        }
        const auto end = clock_type::now();
        write_status(end);
        std::printf("%s\n", status_line(end).c_str());
        for (auto& c : connections_)
            if (c.fd >= 0) ::close(c.fd);
        return 0;
    }

private:
    static clock_type::duration to_duration(double seconds) {
        return std::chrono::duration_cast<clock_type::duration>(std::chrono::duration<double>(seconds));
    }

    // Connection i of N is due at i/N of the ramp.
    clock_type::time_point due_time(std::size_t i) const {
        return started_ + to_duration(options_.ramp_s * static_cast<double>(i) / static_cast<double>(connections_.size()));
    }

    void open_due(clock_type::time_point now) {
        while (next_index_ < connections_.size() && due_time(next_index_) <= now) open_one(next_index_++);
    }

    void open_one(std::size_t index) {
        connection& c = connections_[index];
        ++counters_.attempted;
        c.fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (c.fd < 0) {
            std::perror("stoa-peers-recv-floor: socket");
            return fail(c);
        }
        const int one = 1;
        setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        if (connect(c.fd, reinterpret_cast<const sockaddr*>(&address_), sizeof address_) != 0 && errno != EINPROGRESS) {
            return fail(c);
        }
        c.st = state::connecting;
        epoll_event event{};
        event.events = EPOLLOUT | EPOLLIN;
        event.data.u64 = index;
        if (epoll_ctl(epoll_, EPOLL_CTL_ADD, c.fd, &event) != 0) die("epoll_ctl");
    }

    void fail(connection& c) {
        ++counters_.failed;
        drop(c);
    }

    void drop(connection& c) {
        if (c.fd >= 0) {
            epoll_ctl(epoll_, EPOLL_CTL_DEL, c.fd, nullptr);  // fails harmlessly once out of the set
            ::close(c.fd);
        }
        if (c.st == state::open) {
            --counters_.open_now;
            ++counters_.closed;
        }
        c.fd = -1;
        c.st = state::closed;
        std::string().swap(c.head);
    }

    void on_event(std::size_t index, std::uint32_t what) {
        if (index >= connections_.size()) return;
        connection& c = connections_[index];
        if (c.fd < 0) return;
        switch (c.st) {
            case state::connecting: {
                int error = 0;
                socklen_t size = sizeof error;
                if ((what & (EPOLLERR | EPOLLHUP)) != 0 || getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &error, &size) != 0 ||
                    error != 0)
                    return fail(c);
                // The request is small: one send on a fresh socket takes it whole.
                if (send(c.fd, request_.data(), request_.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(request_.size()))
                    return fail(c);
                c.st = state::handshaking;
                epoll_event event{};
                event.events = EPOLLIN;
                event.data.u64 = index;
                if (epoll_ctl(epoll_, EPOLL_CTL_MOD, c.fd, &event) != 0) die("epoll_ctl");
                return;
            }
            case state::handshaking:
                return read_handshake(c);
            case state::open:
                return read_once(c);
            case state::closed:
                return;
        }
    }

    void read_handshake(connection& c) {
        const ssize_t n = recv(c.fd, buffer_.data(), buffer_.size(), MSG_DONTWAIT);
        if (n == 0) return fail(c);
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return;
            return fail(c);
        }
        c.head.append(buffer_.data(), static_cast<std::size_t>(n));
        const std::size_t end = c.head.find("\r\n\r\n");
        if (end == std::string::npos) {
            if (c.head.size() > 8192) fail(c);
            return;
        }
        if (c.head.compare(0, 12, "HTTP/1.1 101") != 0) {
            std::fprintf(stderr, "stoa-peers-recv-floor: upgrade refused: %.*s\n",
                         static_cast<int>(c.head.find("\r\n")), c.head.c_str());
            return fail(c);
        }
        counters_.bytes += c.head.size() - (end + 4);  // frames that came with the response
        std::string().swap(c.head);
        c.st = state::open;
        ++counters_.open_now;
        counters_.open_peak = std::max(counters_.open_peak, counters_.open_now);
        // Batched: the socket leaves the epoll set; from now on only the batch tick reads it.
        if (options_.batched && epoll_ctl(epoll_, EPOLL_CTL_DEL, c.fd, nullptr) != 0) die("epoll_ctl");
    }

    // --per-frame: one recv() of what is there.
    void read_once(connection& c) {
        ++counters_.recv_calls;
        const ssize_t n = recv(c.fd, buffer_.data(), buffer_.size(), MSG_DONTWAIT);
        if (n > 0) {
            counters_.bytes += static_cast<std::uint64_t>(n);
        } else if (n == 0) {
            drop(c);
        } else if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
            ++counters_.recv_empty;
        } else {
            drop(c);
        }
    }

    // --batched: every open socket read until it is empty.
    void drain_all() {
        ++counters_.batches;
        for (auto& c : connections_) {
            if (c.st != state::open) continue;
            for (;;) {
                ++counters_.recv_calls;
                const ssize_t n = recv(c.fd, buffer_.data(), buffer_.size(), MSG_DONTWAIT);
                if (n > 0) {
                    counters_.bytes += static_cast<std::uint64_t>(n);
                    continue;
                }
                if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
                    ++counters_.recv_empty;
                    break;
                }
                if (n < 0 && errno == EINTR) continue;
                drop(c);
                break;
            }
        }
    }

    std::string status_line(clock_type::time_point now) const {
        const std::uint64_t wire = 2 + options_.frame_bytes;
        char line[512];
        std::snprintf(line, sizeof line,
                      "elapsed_s=%.3f mode=%s attempted=%llu open=%llu open_peak=%llu failed=%llu closed=%llu "
                      "frames=%llu bytes=%llu recv_calls=%llu recv_empty=%llu epoll_waits=%llu batches=%llu",
                      std::chrono::duration<double>(now - started_).count(), options_.batched ? "batched" : "per-frame",
                      static_cast<unsigned long long>(counters_.attempted),
                      static_cast<unsigned long long>(counters_.open_now),
                      static_cast<unsigned long long>(counters_.open_peak),
                      static_cast<unsigned long long>(counters_.failed),
                      static_cast<unsigned long long>(counters_.closed),
                      static_cast<unsigned long long>(counters_.bytes / wire),
                      static_cast<unsigned long long>(counters_.bytes),
                      static_cast<unsigned long long>(counters_.recv_calls),
                      static_cast<unsigned long long>(counters_.recv_empty),
                      static_cast<unsigned long long>(counters_.epoll_waits),
                      static_cast<unsigned long long>(counters_.batches));
        return line;
    }

    // Written to a temporary file and renamed, so a reader never sees half a line.
    void write_status(clock_type::time_point now) const {
        if (options_.status_path.empty()) return;
        const std::string temporary = options_.status_path + ".tmp";
        std::FILE* file = std::fopen(temporary.c_str(), "w");
        if (file == nullptr) return;
        std::fprintf(file, "%s\n", status_line(now).c_str());
        std::fclose(file);
        std::rename(temporary.c_str(), options_.status_path.c_str());
    }

    options options_;
    int epoll_ = -1;
    sockaddr_in address_{};
    std::string request_;
    std::vector<connection> connections_;
    std::size_t next_index_ = 0;
    std::vector<char> buffer_;
    std::vector<epoll_event> events_;
    clock_type::time_point started_;
    counters counters_;
};

}  // namespace

int main(int argc, char** argv) {
    const options o = parse(argc, argv);
    struct sigaction action{};
    action.sa_handler = on_signal;  // no SA_RESTART: epoll_wait returns EINTR and the loop ends
    sigaction(SIGINT, &action, nullptr);
    sigaction(SIGTERM, &action, nullptr);
    signal(SIGPIPE, SIG_IGN);
    receiver r(o);
    std::fprintf(stderr, "stoa-peers-recv-floor: %u connections to %s:%u over %.1f s, %s\n", o.connections,
                 o.host.c_str(), o.port, o.ramp_s,
                 o.batched ? ("batched every " + std::to_string(o.batch_ms) + " ms").c_str() : "one recv per readable event");
    return r.run();
}
