// What a cluster node counts, for /metrics: traffic on the bus by kind and by room, the peers it
// sees and the round trips to them.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>

#include "stoa/cluster/cluster_wire.hpp"
#include "stoa/common/ids.hpp"
#include "stoa/common/time.hpp"

namespace stoa::cluster {

struct room_traffic {
    std::uint64_t published = 0;  // bus messages this node sent about the room
    std::uint64_t received = 0;   // bus messages this node took in about the room
};

// Round trips in microseconds, in fixed buckets (Prometheus histogram style).
struct round_trip_histogram {
    static constexpr std::array<std::uint64_t, 12> bounds_us{100,   200,    500,    1'000,   2'000,   5'000,
                                                             10'000, 20'000, 50'000, 100'000, 200'000, 500'000};
    std::array<std::uint64_t, bounds_us.size() + 1> counts{};  // the last: above every bound
    std::uint64_t sum_us = 0;
    std::uint64_t samples = 0;
    void record(std::uint64_t us) {
        std::size_t i = 0;
        while (i < bounds_us.size() && us > bounds_us[i]) ++i;
        ++counts[i];
        sum_us += us;
        ++samples;
    }
};

struct cluster_stats {
    std::uint64_t messages_published = 0;
    std::uint64_t messages_received = 0;
    std::uint64_t bytes_published = 0;
    std::uint64_t bytes_received = 0;
    std::uint64_t media_published = 0;         // one per speaker frame per room with remote listeners
    std::uint64_t media_received = 0;          // frames this node took from a room's media subject
    std::uint64_t media_local_deliveries = 0;  // and handed to its own members
    std::uint64_t forwards_to_home = 0;        // members' messages sent on to their room's home
    std::uint64_t delivers_published = 0;
    std::uint64_t attaches_sent = 0;
    std::uint64_t attaches_received = 0;
    std::uint64_t homes_lost = 0;             // members cut off because their room's home went away
    std::uint64_t peers_lost = 0;             // nodes that went silent or restarted
    std::uint64_t stale_messages = 0;         // from a node's earlier incarnation, or for a connection gone
    std::uint64_t conflicting_homes = 0;      // a room announced by two nodes
    std::map<wire_error, std::uint64_t> bad_messages;
    round_trip_histogram round_trips;
    // Per room, for the rooms with traffic; bounded (the rest add to other_rooms).
    std::unordered_map<room_id, room_traffic, strong_hash> rooms;
    room_traffic other_rooms;
};

}  // namespace stoa::cluster
