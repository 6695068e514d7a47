// stoa_send_floor: what shape B's fan-out costs at the very least on this machine. One thread
// sends one plain send() of a 100-byte message to each of 5,000 loopback TCP sockets, 50 times a
// second; a second thread (another core) accepts and drains them. Reports the sending thread's
// CPU time per send, the floor a relay's cost per delivery is compared with.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <sched.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

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

struct options {
    int connections = 5000;
    int rate_hz = 50;
    int bytes = 100;
    double duration_s = 10.0;
    bool no_delay = true;
    int send_cpu = -1;   // pin the sending thread (the relay's core)
    int drain_cpu = -1;  // pin the accepting/draining thread (the generator's core)
    std::string output;
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
        else if (flag == "--no-delay") o.no_delay = value != "0";
        else if (flag == "--send-cpu") o.send_cpu = std::stoi(value);
        else if (flag == "--drain-cpu") o.drain_cpu = std::stoi(value);
        else if (flag == "--output") o.output = value;
        else {
            std::fprintf(stderr, "usage: stoa_send_floor [--connections N] [--rate HZ] [--bytes N] [--duration S] "
                                 "[--no-delay 0|1] [--send-cpu C] [--drain-cpu C] [--output FILE.json]\n");
            return 2;
        }
    }

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

    std::vector<char> message(static_cast<std::size_t>(o.bytes), 'x');
    long long sends = 0;
    long long would_block = 0;
    const long long rounds = static_cast<long long>(o.duration_s * o.rate_hz);
    const long long period_ns = 1'000'000'000LL / o.rate_hz;
    timespec next{};
    clock_gettime(CLOCK_MONOTONIC, &next);
    const double wall_start = monotonic_seconds();
    const double cpu_start = thread_cpu_seconds();
    long long round = 0;
    // Bounded in time too: a machine that cannot keep up stops at three times the duration.
    for (; round < rounds && monotonic_seconds() - wall_start < 3.0 * o.duration_s; ++round) {
        for (int fd : sockets) {
            const ssize_t sent = send(fd, message.data(), message.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
            if (sent == static_cast<ssize_t>(message.size())) ++sends;
            else ++would_block;
        }
        next.tv_nsec += period_ns;
        while (next.tv_nsec >= 1'000'000'000L) {
            next.tv_nsec -= 1'000'000'000L;
            ++next.tv_sec;
        }
        clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, nullptr);
    }
    const double cpu = thread_cpu_seconds() - cpu_start;
    const double wall = monotonic_seconds() - wall_start;
    for (int fd : sockets) close(fd);
    stop = true;
    drain.join();
    close(listener);

    const double per_send_ns = sends > 0 ? cpu * 1e9 / static_cast<double>(sends) : 0.0;
    char json[1024];
    std::snprintf(json, sizeof(json),
                  "{\n  \"connections\": %d,\n  \"rate_hz\": %d,\n  \"bytes\": %d,\n  \"no_delay\": %s,\n"
                  "  \"wall_s\": %.3f,\n  \"rounds\": %lld,\n  \"sends\": %lld,\n  \"would_block\": %lld,\n  \"sender_cpu_s\": %.4f,\n"
                  "  \"sender_cpu_share\": %.4f,\n  \"cpu_ns_per_send\": %.1f,\n  \"sends_per_cpu_s\": %.0f,\n"
                  "  \"bytes_drained\": %lld\n}",
                  o.connections, o.rate_hz, o.bytes, o.no_delay ? "true" : "false", wall, round, sends, would_block, cpu,
                  wall > 0 ? cpu / wall : 0.0, per_send_ns, cpu > 0 ? static_cast<double>(sends) / cpu : 0.0,
                  drained.load());
    std::printf("%s\n", json);
    if (!o.output.empty()) std::ofstream(o.output) << json << "\n";
    return 0;
}
