// What the engine strand knows of one WebSocket connection: its send queue and how to wake its
// writer, cut it, or let it read on. Implemented by websocket_session (plain or TLS).
#pragma once

#include <chrono>
#include <string>

#include "stoa/relay/wire_message.hpp"
#include "stoa/server/send_queue.hpp"

namespace stoa::server {

class connection_handle {
public:
    connection_handle(relay::connection_id connection, std::string peer_address, send_queue_limits limits)
        : id(connection), address(std::move(peer_address)), queue(limits) {}
    virtual ~connection_handle() = default;
    connection_handle(const connection_handle&) = delete;
    connection_handle& operator=(const connection_handle&) = delete;

    // Each posts onto the connection's strand; callable from any thread.
    virtual void wake_writer() = 0;
    virtual void resume_reading() = 0;
    // Cuts the socket after `after` unless the connection has ended by then.
    virtual void close_deadline(std::chrono::milliseconds after) = 0;

    const relay::connection_id id;
    const std::string address;
    send_queue queue;
};

}  // namespace stoa::server
