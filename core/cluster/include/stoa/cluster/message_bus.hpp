// What a cluster node needs of the message bus between relay nodes: subject-based publish and
// subscribe (NATS in stoa-server, an in-memory bus in tests). Messages published to a subject
// reach every subscriber of it, in order per publisher; what arrives is handed back to
// cluster_node::on_bus_message by the transport.
#pragma once

#include <string>

#include "stoa/common/bytes.hpp"

namespace stoa::cluster {

class message_bus {
public:
    virtual ~message_bus() = default;
    virtual void publish(const std::string& subject, bytes payload) = 0;
    virtual void subscribe(const std::string& subject) = 0;
    virtual void unsubscribe(const std::string& subject) = 0;
};

}  // namespace stoa::cluster
