// stoa_send_floor: what shape B's fan-out costs at the very least on this machine. One thread
// writes one 100-byte message to each of 5,000 loopback TCP sockets, 50 times a second; a second
// thread (another core) accepts and drains them. Reports the sending thread's CPU time per
// message, the floor a relay's cost per delivery is compared with, for each way of writing:
//   send     one plain send() per socket (the historical floor; the top-level JSON fields)
//   writev   one writev() of two iovecs per socket, a 2-byte WebSocket header and the payload,
//            as the relay's gathered write of one message looks
//   uring    each round's sends as one batch of IORING_OP_SEND SQEs, one io_uring_submit_and_wait
//   uring_sendmsg  the same with IORING_OP_SENDMSG and the header+payload iovec pair
// The modes take turns in one-second slices, so other load on the machine falls on all of them.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <sched.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#if STOA_HAVE_LIBURING
#include <liburing.h>
#endif

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

// What the relay puts before a binary message under 126 bytes (RFC 6455 5.2, unmasked, FIN).
constexpr std::size_t websocket_header_bytes = 2;

enum class mode { send, writev, uring, uring_sendmsg };

struct mode_info {
    mode kind;
    const char* name;
};
constexpr mode_info all_modes[] = {
    {mode::send, "send"}, {mode::writev, "writev"}, {mode::uring, "uring"}, {mode::uring_sendmsg, "uring_sendmsg"}};

struct options {
    int connections = 5000;
    int rate_hz = 50;
    int bytes = 100;
    double duration_s = 10.0;  // per mode
    double slice_s = 1.0;      // the modes take turns in slices this long
    bool no_delay = true;
    int send_cpu = -1;   // pin the sending thread (the relay's core)
    int drain_cpu = -1;  // pin the accepting/draining thread (the generator's core)
    std::vector<mode> modes{mode::send};
    std::string output;
};

struct mode_result {
    long long rounds = 0;
    long long messages = 0;
    long long would_block = 0;  // EAGAIN or a short write: the drain fell behind
    long long syscalls = 0;
    double cpu_s = 0;
    double wall_s = 0;
    bool available = true;
    std::string why_unavailable;
};

void pin(int cpu) {
    if (cpu < 0) return;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

double thread_cpu_seconds() {
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) / 1e9;
}

double monotonic_seconds() {
    timespec t{};
    clock_gettime(CLOCK_MONOTONIC, &t);
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) / 1e9;
}

[[noreturn]] void die(const char* what) {
    std::fprintf(stderr, "stoa_send_floor: %s: %s\n", what, std::strerror(errno));
    std::exit(1);
}

std::vector<mode> parse_modes(const std::string& list) {
    std::vector<mode> modes;
    std::size_t start = 0;
    while (start <= list.size()) {
        const std::size_t end = std::min(list.find(',', start), list.size());
        const std::string_view name(list.data() + start, end - start);
        bool known = false;
        for (const auto& m : all_modes) {
            if (name == m.name || name == "all") {
                if (std::find(modes.begin(), modes.end(), m.kind) == modes.end()) modes.push_back(m.kind);
                known = true;
            }
        }
        if (!known) {
            std::fprintf(stderr, "stoa_send_floor: unknown mode '%.*s' (send, writev, uring, uring_sendmsg, all)\n",
                         static_cast<int>(name.size()), name.data());
            std::exit(2);
        }
        start = end + 1;
    }
    return modes;
}

const char* name_of(mode m) {
    for (const auto& info : all_modes) {
        if (info.kind == m) return info.name;
    }
    return "?";
}

// One round of writes: every socket gets the message once.
class round_writer {
public:
    round_writer(const std::vector<int>& sockets, int bytes) : sockets_(sockets), message_(static_cast<std::size_t>(bytes), 'x') {
        header_[0] = static_cast<char>(0x82);  // FIN, binary
        header_[1] = static_cast<char>(bytes - static_cast<int>(websocket_header_bytes));
        pair_[0] = {header_, websocket_header_bytes};
        pair_[1] = {message_.data(), message_.size() - websocket_header_bytes};
    }
    round_writer(const round_writer&) = delete;
    round_writer& operator=(const round_writer&) = delete;
    ~round_writer() {
#if STOA_HAVE_LIBURING
        if (ring_ready_) io_uring_queue_exit(&ring_);
#endif
    }

    // False (with the reason) when this build or this kernel cannot do the mode.
    bool prepare(mode m, std::string& why) {
        if (m != mode::uring && m != mode::uring_sendmsg) return true;
#if STOA_HAVE_LIBURING
        if (ring_ready_) return true;
        // One SQE per socket and round; a ring as large as the kernel allows, submitted in chunks beyond that.
        unsigned entries = 1;
        while (entries < sockets_.size() && entries < 32768) entries *= 2;
        const int error = io_uring_queue_init(entries, &ring_, 0);
        if (error < 0) {
            why = std::string("io_uring_queue_init: ") + std::strerror(-error);
            return false;
        }
        ring_entries_ = entries;
        ring_ready_ = true;
        messages_.resize(sockets_.size());
        for (auto& h : messages_) {
            h = msghdr{};
            h.msg_iov = pair_;
            h.msg_iovlen = 2;
        }
        return true;
#else
        why = "built without liburing (install liburing-dev and reconfigure)";
        return false;
#endif
    }

    void write_round(mode m, mode_result& r) {
        switch (m) {
            case mode::send:
                for (int fd : sockets_) {
                    const ssize_t sent = ::send(fd, message_.data(), message_.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
                    count(sent, r);
                }
                r.syscalls += static_cast<long long>(sockets_.size());
                break;
            case mode::writev:
                // writev() has no flags; the sockets are blocking, so sendmsg() with the same two
                // iovecs and MSG_DONTWAIT is the non-blocking equivalent (the same kernel path).
                for (int fd : sockets_) {
                    msghdr h{};
                    h.msg_iov = pair_;
                    h.msg_iovlen = 2;
                    count(::sendmsg(fd, &h, MSG_DONTWAIT | MSG_NOSIGNAL), r);
                }
                r.syscalls += static_cast<long long>(sockets_.size());
                break;
            case mode::uring:
            case mode::uring_sendmsg:
#if STOA_HAVE_LIBURING
                uring_round(m == mode::uring_sendmsg, r);
#endif
                break;
        }
        ++r.rounds;
    }

private:
    void count(ssize_t sent, mode_result& r) const {
        if (sent == static_cast<ssize_t>(message_.size())) ++r.messages;
        else ++r.would_block;
    }

#if STOA_HAVE_LIBURING
    void uring_round(bool gathered, mode_result& r) {
        // MSG_DONTWAIT: a full socket completes with -EAGAIN at once instead of arming a poll,
        // as the send() loop's would-block does, so every send runs inline in this thread.
        for (std::size_t begin = 0; begin < sockets_.size(); begin += ring_entries_) {
            const std::size_t end = std::min(sockets_.size(), begin + ring_entries_);
            for (std::size_t i = begin; i < end; ++i) {
                io_uring_sqe* sqe = io_uring_get_sqe(&ring_);
                if (gathered) {
                    io_uring_prep_sendmsg(sqe, sockets_[i], &messages_[i], MSG_DONTWAIT | MSG_NOSIGNAL);
                } else {
                    io_uring_prep_send(sqe, sockets_[i], message_.data(), message_.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
                }
            }
            const auto wanted = static_cast<unsigned>(end - begin);
            const int submitted = io_uring_submit_and_wait(&ring_, wanted);
            ++r.syscalls;
            if (submitted < 0) {
                errno = -submitted;
                die("io_uring_submit_and_wait");
            }
            unsigned reaped = 0;
            while (reaped < wanted) {
                io_uring_cqe* cqe = nullptr;
                unsigned head = 0;
                unsigned seen = 0;
                io_uring_for_each_cqe(&ring_, head, cqe) {
                    count(cqe->res, r);
                    ++seen;
                }
                io_uring_cq_advance(&ring_, seen);
                reaped += seen;
                if (reaped < wanted && io_uring_wait_cqe(&ring_, &cqe) < 0) die("io_uring_wait_cqe");
            }
        }
    }

    io_uring ring_{};
    bool ring_ready_ = false;
    std::size_t ring_entries_ = 0;
    std::vector<msghdr> messages_;  // one per socket: the kernel may read it after the prep call
#endif

    const std::vector<int>& sockets_;
    std::vector<char> message_;
    char header_[websocket_header_bytes]{};
    iovec pair_[2]{};
};

std::string mode_json(mode m, const mode_result& r, const mode_result* baseline) {
    if (!r.available) {
        return std::string("{\"mode\": \"") + name_of(m) + "\", \"available\": false, \"why\": \"" + r.why_unavailable + "\"}";
    }
    const double per_message_ns = r.messages > 0 ? r.cpu_s * 1e9 / static_cast<double>(r.messages) : 0.0;
    const double baseline_ns = baseline != nullptr && baseline->messages > 0 ? baseline->cpu_s * 1e9 / static_cast<double>(baseline->messages) : 0.0;
    char json[768];
    std::snprintf(json, sizeof(json),
                  "{\"mode\": \"%s\", \"available\": true, \"wall_s\": %.3f, \"rounds\": %lld, \"messages\": %lld, "
                  "\"would_block\": %lld, \"syscalls\": %lld, \"sender_cpu_s\": %.4f, \"sender_cpu_share\": %.4f, "
                  "\"cpu_ns_per_message\": %.1f, \"messages_per_cpu_s\": %.0f, \"ratio_to_send\": %.3f}",
                  name_of(m), r.wall_s, r.rounds, r.messages, r.would_block, r.syscalls, r.cpu_s,
                  r.wall_s > 0 ? r.cpu_s / r.wall_s : 0.0, per_message_ns,
                  r.cpu_s > 0 ? static_cast<double>(r.messages) / r.cpu_s : 0.0,
                  baseline_ns > 0 ? per_message_ns / baseline_ns : 0.0);
    return json;
}

}  // namespace

int main(int argc, char** argv) {
    options o;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string_view flag = argv[i];
        const std::string value = argv[i + 1];
        if (flag == "--connections") o.connections = std::stoi(value);
        else if (flag == "--rate") o.rate_hz = std::stoi(value);
        else if (flag == "--bytes") o.bytes = std::stoi(value);
        else if (flag == "--duration") o.duration_s = std::stod(value);
        else if (flag == "--slice") o.slice_s = std::stod(value);
        else if (flag == "--no-delay") o.no_delay = value != "0";
        else if (flag == "--send-cpu") o.send_cpu = std::stoi(value);
        else if (flag == "--drain-cpu") o.drain_cpu = std::stoi(value);
        else if (flag == "--modes") o.modes = parse_modes(value);
        else if (flag == "--output") o.output = value;
        else {
            std::fprintf(stderr, "usage: stoa_send_floor [--connections N] [--rate HZ] [--bytes N] [--duration S per mode] "
                                 "[--modes send,writev,uring,uring_sendmsg|all] [--slice S] [--no-delay 0|1] "
                                 "[--send-cpu C] [--drain-cpu C] [--output FILE.json]\n");
            return 2;
        }
    }
    if (argc % 2 == 0) {
        std::fprintf(stderr, "stoa_send_floor: flag %s needs a value\n", argv[argc - 1]);
        return 2;
    }
    if (o.bytes <= static_cast<int>(websocket_header_bytes) || o.bytes >= 126 + static_cast<int>(websocket_header_bytes)) {
        std::fprintf(stderr, "stoa_send_floor: --bytes is 3..127 (a 2-byte WebSocket header and the rest)\n");
        return 2;
    }
    // The top-level fields have always been the send() loop's.
    if (std::find(o.modes.begin(), o.modes.end(), mode::send) == o.modes.end()) o.modes.insert(o.modes.begin(), mode::send);

    const int listener = socket(AF_INET, SOCK_STREAM, 0);
    if (listener < 0) die("socket");
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = 0;
    if (bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) die("bind");
    if (listen(listener, 4096) != 0) die("listen");
    socklen_t length = sizeof(address);
    getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length);

    // The drain thread: accepts every connection and reads whatever arrives, until told to stop.
    std::atomic<bool> stop{false};
    std::atomic<long long> drained{0};
    std::thread drain([&] {
        pin(o.drain_cpu);
        const int poller = epoll_create1(0);
        epoll_event watch{};
        watch.events = EPOLLIN;
        watch.data.fd = listener;
        epoll_ctl(poller, EPOLL_CTL_ADD, listener, &watch);
        std::vector<epoll_event> ready(512);
        std::vector<char> sink(64 * 1024);
        std::vector<int> accepted;
        while (!stop.load(std::memory_order_relaxed)) {
            const int n = epoll_wait(poller, ready.data(), static_cast<int>(ready.size()), 100);
            for (int i = 0; i < n; ++i) {
                const int fd = ready[static_cast<std::size_t>(i)].data.fd;
                if (fd == listener) {
                    const int client = accept4(listener, nullptr, nullptr, SOCK_NONBLOCK);
                    if (client < 0) continue;
                    accepted.push_back(client);
                    epoll_event e{};
                    e.events = EPOLLIN;
                    e.data.fd = client;
                    epoll_ctl(poller, EPOLL_CTL_ADD, client, &e);
                } else {
                    for (;;) {
                        const ssize_t got = read(fd, sink.data(), sink.size());
                        if (got <= 0) break;
                        drained.fetch_add(got, std::memory_order_relaxed);
                    }
                }
            }
        }
        for (int fd : accepted) close(fd);
        close(poller);
    });

    pin(o.send_cpu);
    std::vector<int> sockets;
    sockets.reserve(static_cast<std::size_t>(o.connections));
    for (int i = 0; i < o.connections; ++i) {
        const int fd = socket(AF_INET, SOCK_STREAM, 0);
        if (fd < 0) die("socket (raise ulimit -n)");
        if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) die("connect");
        const int on = o.no_delay ? 1 : 0;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
        sockets.push_back(fd);
    }

    round_writer writer(sockets, o.bytes);
    std::vector<mode_result> results(o.modes.size());
    for (std::size_t m = 0; m < o.modes.size(); ++m) {
        if (!writer.prepare(o.modes[m], results[m].why_unavailable)) {
            results[m].available = false;
            std::fprintf(stderr, "stoa_send_floor: mode %s unavailable: %s\n", name_of(o.modes[m]), results[m].why_unavailable.c_str());
        }
    }

    const long long rounds_per_mode = static_cast<long long>(o.duration_s * o.rate_hz);
    const long long rounds_per_slice = std::max(1LL, static_cast<long long>(o.slice_s * o.rate_hz));
    const long long period_ns = 1'000'000'000LL / o.rate_hz;
    timespec next{};
    clock_gettime(CLOCK_MONOTONIC, &next);
    const double wall_start = monotonic_seconds();
    const double wall_limit = 3.0 * o.duration_s * static_cast<double>(o.modes.size());
    // Bounded in time too: a machine that cannot keep up stops at three times the duration.
    for (long long done = 0; done < rounds_per_mode && monotonic_seconds() - wall_start < wall_limit; done += rounds_per_slice) {
        const long long slice = std::min(rounds_per_slice, rounds_per_mode - done);
        for (std::size_t m = 0; m < o.modes.size(); ++m) {
            mode_result& r = results[m];
            if (!r.available) continue;
            const double cpu_start = thread_cpu_seconds();
            const double slice_start = monotonic_seconds();
            for (long long round = 0; round < slice; ++round) {
                writer.write_round(o.modes[m], r);
                next.tv_nsec += period_ns;
                while (next.tv_nsec >= 1'000'000'000L) {
                    next.tv_nsec -= 1'000'000'000L;
                    ++next.tv_sec;
                }
                clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, nullptr);
            }
            r.cpu_s += thread_cpu_seconds() - cpu_start;
            r.wall_s += monotonic_seconds() - slice_start;
        }
    }
    const double wall = monotonic_seconds() - wall_start;
    for (int fd : sockets) close(fd);
    stop = true;
    drain.join();
    close(listener);

    const mode_result& s = results[static_cast<std::size_t>(std::find(o.modes.begin(), o.modes.end(), mode::send) - o.modes.begin())];
    const double per_send_ns = s.messages > 0 ? s.cpu_s * 1e9 / static_cast<double>(s.messages) : 0.0;
    char head[1024];
    std::snprintf(head, sizeof(head),
                  "{\n  \"connections\": %d,\n  \"rate_hz\": %d,\n  \"bytes\": %d,\n  \"no_delay\": %s,\n"
                  "  \"wall_s\": %.3f,\n  \"rounds\": %lld,\n  \"sends\": %lld,\n  \"would_block\": %lld,\n  \"sender_cpu_s\": %.4f,\n"
                  "  \"sender_cpu_share\": %.4f,\n  \"cpu_ns_per_send\": %.1f,\n  \"sends_per_cpu_s\": %.0f,\n"
                  "  \"bytes_drained\": %lld,\n  \"total_wall_s\": %.3f,\n  \"slice_s\": %.2f,\n",
                  o.connections, o.rate_hz, o.bytes, o.no_delay ? "true" : "false", s.wall_s, s.rounds, s.messages, s.would_block,
                  s.cpu_s, s.wall_s > 0 ? s.cpu_s / s.wall_s : 0.0, per_send_ns,
                  s.cpu_s > 0 ? static_cast<double>(s.messages) / s.cpu_s : 0.0, drained.load(), wall, o.slice_s);
    std::string json = head;
    json += "  \"modes\": [\n";
    for (std::size_t m = 0; m < o.modes.size(); ++m) {
        json += "    " + mode_json(o.modes[m], results[m], &s) + (m + 1 < o.modes.size() ? ",\n" : "\n");
    }
    json += "  ]\n}";
    std::printf("%s\n", json.c_str());
    if (!o.output.empty()) std::ofstream(o.output) << json << "\n";
    return 0;
}
