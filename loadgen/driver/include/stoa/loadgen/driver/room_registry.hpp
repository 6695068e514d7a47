// What the worker threads of one stoa-load process share: each room's reference once its host
// has opened it (members of the room wait for it), and when each room's epochs were first used
// by their distributor (so members can measure rekey convergence). Locked; used on room and
// epoch changes only, never per frame.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

#include "stoa/common/time.hpp"
#include "stoa/loadgen/driver/protocol_adapter.hpp"

namespace stoa::loadgen {

class room_registry {
public:
    using room_ready = std::function<void(const room_ref&)>;

    explicit room_registry(std::uint32_t rooms) : rooms_(rooms), waiters_(rooms) {}

    // Calls `ready` with the room's reference: at once (on this thread) if it is known, else
    // from publish() on the publisher's thread (so `ready` must post to its own thread).
    void when_ready(room_index room, room_ready ready);
    // A host opened (or, after a relay restart, reopened) its room.
    void publish(room_index room, room_ref ref);
    [[nodiscard]] std::optional<room_ref> find(room_index room) const;
    // A room whose host runs on another generator host is looked up in the relay's directory by
    // one member of this process: true for the first caller per room.
    [[nodiscard]] bool claim_lookup(room_index room);

    // The distributor began using `epoch` at `at`; the first report wins.
    void epoch_started(room_index room, std::uint64_t epoch, time_point at);
    [[nodiscard]] std::optional<time_point> epoch_start(room_index room, std::uint64_t epoch) const;

private:
    mutable std::mutex mutex_;
    std::vector<std::optional<room_ref>> rooms_;
    std::vector<std::vector<room_ready>> waiters_;
    std::vector<bool> lookup_claimed_ = std::vector<bool>(rooms_.size());
    std::map<std::pair<std::uint32_t, std::uint64_t>, time_point> epochs_;
};

}  // namespace stoa::loadgen
