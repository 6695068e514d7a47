// io_uring gathered writes; see uring_writer.hpp.
#include "stoa/server/uring_writer.hpp"

#include <cerrno>
#include <cstring>

#ifdef STOA_HAVE_LIBURING
#include <liburing.h>
#endif
#include <sys/socket.h>

namespace stoa::server {

#ifdef STOA_HAVE_LIBURING

struct uring_writer::ring {
    io_uring handle{};
    bool ready = false;
    ~ring() {
        if (ready) io_uring_queue_exit(&handle);
    }
};

std::unique_ptr<uring_writer> uring_writer::create(unsigned entries, std::string& why) {
    auto r = std::make_unique<ring>();
    const int error = io_uring_queue_init(entries, &r->handle, 0);
    if (error < 0) {
        why = std::string("io_uring_queue_init: ") + std::strerror(-error);
        return nullptr;
    }
    r->ready = true;
    // A ring is no use if the kernel (or a sandbox emulating io_uring) cannot send through it.
    io_uring_probe* probe = io_uring_get_probe_ring(&r->handle);
    const bool sends = probe != nullptr && io_uring_opcode_supported(probe, IORING_OP_SENDMSG);
    if (probe != nullptr) io_uring_free_probe(probe);
    if (!sends) {
        why = "io_uring cannot send (IORING_OP_SENDMSG unsupported)";
        return nullptr;
    }
    return std::unique_ptr<uring_writer>(new uring_writer(std::move(r), entries));
}

std::size_t uring_writer::submit() {
    std::size_t enters = 0;
    std::size_t done = 0;
    while (done < writes_.size()) {
        const std::size_t round = std::min<std::size_t>(entries_, writes_.size() - done);
        if (broken_ || io_uring_sq_space_left(&ring_->handle) < round) {
            // The ring is never entered again (a refused submission may have left entries in it):
            // the rest were not given to the kernel, and each connection writes them itself.
            broken_ = true;
            for (std::size_t i = done; i < writes_.size(); ++i) writes_[i].target->gathered_write_done(-EAGAIN);
            break;
        }
        messages_.assign(round, msghdr{});
        // A write the kernel never took reads as -EAGAIN: its connection goes on to an ordinary
        // asynchronous write.
        results_.assign(round, -EAGAIN);
        for (std::size_t i = 0; i < round; ++i) {
            const pending_write& write = writes_[done + i];
            msghdr& message = messages_[i];
            message.msg_iov = iovecs_.data() + write.first_iovec;
            message.msg_iovlen = write.iovec_count;
            io_uring_sqe* sqe = io_uring_get_sqe(&ring_->handle);  // not null: the space was checked
            io_uring_prep_sendmsg(sqe, write.socket, &message, MSG_DONTWAIT | MSG_NOSIGNAL);
            io_uring_sqe_set_data64(sqe, i);
        }
        int submitted = 0;
        do {  // -EINTR means nothing was submitted: try again
            submitted = io_uring_submit_and_wait(&ring_->handle, static_cast<unsigned>(round));
            ++enters;
        } while (submitted == -EINTR);
        if (submitted < 0 || static_cast<std::size_t>(submitted) < round) broken_ = true;
        // Only what was submitted completes: waiting for more would wait forever.
        const std::size_t expected = submitted < 0 ? 0 : static_cast<std::size_t>(submitted);
        std::size_t reaped = 0;
        while (reaped < expected) {
            io_uring_cqe* cqe = nullptr;
            unsigned head = 0;
            unsigned seen = 0;
            io_uring_for_each_cqe(&ring_->handle, head, cqe) {
                const std::uint64_t slot = io_uring_cqe_get_data64(cqe);
                if (slot < round) results_[slot] = cqe->res;
                ++seen;
            }
            io_uring_cq_advance(&ring_->handle, seen);
            reaped += seen;
            if (reaped >= expected) break;
            int waited = 0;
            do {
                waited = io_uring_wait_cqe(&ring_->handle, &cqe);
            } while (waited == -EINTR);
            if (waited < 0) {
                // Cannot happen short of a kernel fault (MSG_DONTWAIT sends complete during the
                // submission). What is unaccounted for may still be in flight: those
                // connections end rather than reuse their buffers.
                broken_ = true;
                for (std::size_t i = 0; i < round; ++i) {
                    if (results_[i] == -EAGAIN) results_[i] = -ECANCELED;
                }
                break;
            }
        }
        for (std::size_t i = 0; i < round; ++i) writes_[done + i].target->gathered_write_done(results_[i]);
        done += round;
    }
    writes_.clear();
    iovecs_.clear();
    return enters;
}

#else  // built without liburing: never available

struct uring_writer::ring {};

std::unique_ptr<uring_writer> uring_writer::create(unsigned, std::string& why) {
    why = "built without liburing";
    return nullptr;
}

std::size_t uring_writer::submit() {
    writes_.clear();
    iovecs_.clear();
    return 0;
}

#endif

uring_writer::uring_writer(std::unique_ptr<ring> r, unsigned entries) : ring_(std::move(r)), entries_(entries) {}

uring_writer::~uring_writer() = default;


}  // namespace stoa::server
