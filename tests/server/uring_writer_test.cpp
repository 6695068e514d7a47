// uring_writer: a batch of gathered writes in one submission, each result back to its connection,
// in rounds when the batch is larger than the ring, and the kernel's refusals passed through.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <string>
#include <string_view>
#include <vector>

#include "stoa/server/uring_writer.hpp"

using stoa::server::gathered_write_target;
using stoa::server::uring_writer;

namespace {

// A connected pair of UNIX stream sockets, closed on destruction.
struct socket_pair {
    socket_pair() {
        REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, fds.data()) == 0);
    }
    ~socket_pair() {
        for (int fd : fds) {
            if (fd >= 0) ::close(fd);
        }
    }
    socket_pair(const socket_pair&) = delete;
    socket_pair& operator=(const socket_pair&) = delete;
    [[nodiscard]] std::string read_all() const {
        std::string out;
        std::array<char, 4096> chunk{};
        for (;;) {
            const ssize_t n = ::read(fds[1], chunk.data(), chunk.size());
            if (n <= 0) return out;
            out.append(chunk.data(), static_cast<std::size_t>(n));
        }
    }
    std::array<int, 2> fds{-1, -1};
};

struct recorded_result final : gathered_write_target {
    void gathered_write_done(std::int64_t result) override { results.push_back(result); }
    std::vector<std::int64_t> results;
};

// A buffer as Asio's const_buffer shows itself: data() and size().
struct view_buffer {
    std::string_view text;
    [[nodiscard]] const void* data() const { return text.data(); }
    [[nodiscard]] std::size_t size() const { return text.size(); }
};

}  // namespace

TEST_CASE("a batch of gathered writes reaches every socket whole, in rounds when it outgrows the ring",
          "[server][uring]") {
    std::string why;
    auto writer = uring_writer::create(4, why);
    if (!writer) {
        WARN("io_uring refused here (" << why << "): the relay writes with writev; nothing to test");
        return;
    }
    std::vector<std::unique_ptr<socket_pair>> pairs;
    std::vector<recorded_result> targets(10);
    const std::array<view_buffer, 2> frame{view_buffer{"\x82\x05"}, view_buffer{"hello"}};
    for (int i = 0; i < 10; ++i) {
        pairs.push_back(std::make_unique<socket_pair>());
        writer->add(pairs.back()->fds[0], frame, targets[static_cast<std::size_t>(i)]);
    }
    CHECK(writer->pending() == 10);
    CHECK(writer->submit() == 3);  // 4 + 4 + 2
    CHECK(writer->pending() == 0);
    for (int i = 0; i < 10; ++i) {
        CHECK(targets[static_cast<std::size_t>(i)].results == std::vector<std::int64_t>{7});
        CHECK(pairs[static_cast<std::size_t>(i)]->read_all() == std::string("\x82\x05hello"));
    }
    CHECK_FALSE(writer->broken());
}

TEST_CASE("a full socket answers EAGAIN at once and a closed one EPIPE, without a signal", "[server][uring]") {
    std::string why;
    auto writer = uring_writer::create(8, why);
    if (!writer) {
        WARN("io_uring refused here (" << why << "): the relay writes with writev; nothing to test");
        return;
    }
    socket_pair full;
    socket_pair closed;
    socket_pair fine;
    const std::string filler(65536, 'x');
    while (::send(full.fds[0], filler.data(), filler.size(), MSG_DONTWAIT) > 0) {
    }
    ::close(closed.fds[1]);
    closed.fds[1] = -1;
    recorded_result on_full, on_closed, on_fine;
    const std::array<view_buffer, 1> message{view_buffer{"frame"}};
    writer->add(full.fds[0], message, on_full);
    writer->add(closed.fds[0], message, on_closed);
    writer->add(fine.fds[0], message, on_fine);
    CHECK(writer->submit() == 1);
    CHECK(on_full.results == std::vector<std::int64_t>{-EAGAIN});
    CHECK(on_closed.results == std::vector<std::int64_t>{-EPIPE});
    CHECK(on_fine.results == std::vector<std::int64_t>{5});
}
