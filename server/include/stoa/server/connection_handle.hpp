// What the engine's side knows of one WebSocket connection: its send queue, the I/O thread it
// lives on, and how to start its writer, cut it, or let it read on. Implemented by
// websocket_session (plain or TLS), and by a recording fake in the outbox's tests.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

#include "stoa/relay/wire_message.hpp"
#include "stoa/server/send_queue.hpp"
#include "stoa/server/uring_writer.hpp"

namespace stoa::server {

// Which I/O thread (one io_context each) a connection belongs to.
using shard_index = std::size_t;

class connection_handle {
public:
    connection_handle(relay::connection_id connection, std::string peer_address, send_queue_limits limits,
                      shard_index home)
        : id(connection), address(std::move(peer_address)), shard(home), queue(limits) {}
    virtual ~connection_handle() = default;
    connection_handle(const connection_handle&) = delete;
    connection_handle& operator=(const connection_handle&) = delete;

    // On the connection's own thread only. The queue woke the writer: write what it holds now.
    virtual void write_pending() = 0;
    // On the connection's own thread only. Like write_pending(), but a plain-TCP connection puts
    // its gathered write into `writer` (submitted with the rest of the batch); false when it
    // cannot (TLS) and must write_pending() alone.
    [[nodiscard]] virtual bool gather_into(uring_writer& writer) {
        (void)writer;
        return false;
    }
    // On the connection's own thread only. Cuts the socket after `after` unless it ended by then.
    virtual void arm_close_deadline(std::chrono::milliseconds after) = 0;
    // From any thread: posts onto the connection's thread.
    virtual void resume_reading() = 0;

    const relay::connection_id id;
    const std::string address;
    const shard_index shard;
    send_queue queue;  // the connection's thread's alone (size() excepted)
};

}  // namespace stoa::server
