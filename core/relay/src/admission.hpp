// The relay's rate limits: anti-flooding buckets per connection, and anti-scraping buckets per
// identity and per address that outlive any one connection.
#pragma once

#include <string>
#include <unordered_map>

#include "stoa/common/ids.hpp"
#include "stoa/common/time.hpp"
#include "stoa/relay/relay_engine.hpp"
#include "stoa/relay/token_bucket.hpp"

namespace stoa::relay {

// The buckets one connection owns; they go when it closes.
struct connection_limits {
    connection_limits() = default;
    connection_limits(const relay_config& config, time_point now)
        : control(config.control_per_connection, now),
          media(config.media_per_connection, now),
          speaker_signatures(config.speaker_signatures_per_connection, now),
          key_requests(config.key_requests_per_connection, now),
          reactions(config.reactions_per_connection, now),
          directory(config.directory_per_connection, now) {}

    token_bucket control{};
    token_bucket media{};
    token_bucket speaker_signatures{};
    token_bucket key_requests{};
    token_bucket reactions{};
    token_bucket directory{};
};

class admission {
public:
    explicit admission(const relay_config& config) : config_(config) {}

    // Joins and room creations. Takes a token from the identity's and (when known) the address's
    // bucket; false, charging neither, when either is empty.
    [[nodiscard]] bool may_join(const member_id& member, const std::string& address, time_point now);
    // Directory reads: the connection's bucket, then the address's.
    [[nodiscard]] bool may_read_directory(connection_limits& connection, const std::string& address, time_point now);
    // Forgets full buckets now and then, which bounds the maps by recent activity.
    void tick(time_point now);

private:
    const relay_config& config_;
    std::unordered_map<member_id, token_bucket, strong_hash> join_buckets_by_member_;
    std::unordered_map<std::string, token_bucket> join_buckets_by_address_;
    std::unordered_map<std::string, token_bucket> directory_buckets_by_address_;
    time_point pruned_at_{};
};

}  // namespace stoa::relay
