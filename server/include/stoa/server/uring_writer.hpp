// Gathered writes of many connections in one system call: each connection's batch (frame headers
// and shared payloads) becomes one IORING_OP_SENDMSG with MSG_DONTWAIT, and one
// io_uring_submit_and_wait carries them all. Measured against a loop of writev() in the relay
// benchmark (docs/performance.md, issue 11). Owned by one I/O thread; RAII over the ring.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <sys/socket.h>
#include <sys/uio.h>

namespace stoa::server {

// What a connection hands the writer: the socket, the buffers, and where the result goes.
class gathered_write_target {
public:
    virtual ~gathered_write_target() = default;
    // `result`: bytes written (maybe fewer than asked), or a negative errno (-EAGAIN: none).
    virtual void gathered_write_done(std::int64_t result) = 0;
};

class uring_writer {
public:
    // A ring of `entries` submissions; nullptr with `why` filled when the kernel refuses io_uring
    // (too old, disabled by sysctl, or blocked by a seccomp profile): the caller writes alone.
    [[nodiscard]] static std::unique_ptr<uring_writer> create(unsigned entries, std::string& why);
    ~uring_writer();
    uring_writer(const uring_writer&) = delete;
    uring_writer& operator=(const uring_writer&) = delete;

    // Adds one connection's write: any sequence of buffers with data() and size() (Asio's
    // const_buffer). The memory they point to must stay valid until submit() returns.
    template <class Buffers>
    void add(int socket, const Buffers& buffers, gathered_write_target& target) {
        const std::size_t first = iovecs_.size();
        for (const auto& buffer : buffers) iovecs_.push_back({const_cast<void*>(buffer.data()), buffer.size()});
        writes_.push_back({socket, first, iovecs_.size() - first, &target});
    }
    [[nodiscard]] std::size_t pending() const noexcept { return writes_.size(); }
    // The kernel failed a submission: stop using this writer (its thread goes back to writev).
    [[nodiscard]] bool broken() const noexcept { return broken_; }
    // Submits every write added (in rounds of the ring's size), waits for their completions (they
    // complete at once: MSG_DONTWAIT never parks a send) and reports each to its target, in order.
    // Returns the number of io_uring_enter calls made.
    std::size_t submit();

private:
    struct ring;
    explicit uring_writer(std::unique_ptr<ring> r, unsigned entries);

    struct pending_write {
        int socket;
        std::size_t first_iovec;
        std::size_t iovec_count;
        gathered_write_target* target;
    };

    std::unique_ptr<ring> ring_;
    unsigned entries_;
    std::vector<pending_write> writes_;
    std::vector<iovec> iovecs_;       // every write's buffers, back to back
    std::vector<msghdr> messages_;    // one per write of the current round
    std::vector<std::int64_t> results_;
    bool broken_ = false;
};

}  // namespace stoa::server
