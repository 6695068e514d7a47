// Where a relay engine that is one node of a cluster asks about rooms that live on other nodes.
// Without hooks (the single-node relay) every room is local. The engine calls these synchronously
// inside its entry points; none may call back into the engine.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "stoa/common/ids.hpp"
#include "stoa/proto/control_messages.hpp"
#include "stoa/relay/wire_message.hpp"

namespace stoa::relay {

class cluster_hooks {
public:
    virtual ~cluster_hooks() = default;
    // Another node is the room's home: a create under this id must be refused.
    [[nodiscard]] virtual bool room_lives_elsewhere(const room_id& room) const = 0;
    // A join for a room this engine does not hold. True: the cluster took the connection over
    // (its messages now go to the room's home node) and the engine sends no answer.
    [[nodiscard]] virtual bool take_join(connection_id connection, const public_key& key,
                                         const proto::join_room& join, std::optional<std::uint32_t> request_id) = 0;
    // Open rooms homed on other nodes, for directory answers.
    [[nodiscard]] virtual std::vector<proto::directory_entry> remote_directory() const = 0;
};

// One room as the cluster announces it (open or closed; title only for open rooms).
struct room_summary {
    room_id id{};
    bool open = false;
    std::string title{};
    std::uint32_t listeners = 0;
    std::uint32_t members = 0;  // connected
};

}  // namespace stoa::relay
