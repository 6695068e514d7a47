// Join and directory buckets keyed by identity and address, pruned when they are full again.
#include "admission.hpp"

#include <chrono>

namespace stoa::relay {

bool admission::may_join(const member_id& member, const std::string& address, time_point now) {
    token_bucket& by_member =
        join_buckets_by_member_.try_emplace(member, config_.joins_per_identity, now).first->second;
    // Each bucket is charged only when both have a token, so a refusal by one costs the other nothing.
    token_bucket member_after = by_member;
    bool allowed = member_after.take(now);
    if (allowed && !address.empty()) {
        token_bucket& by_address =
            join_buckets_by_address_.try_emplace(address, config_.joins_per_address, now).first->second;
        token_bucket address_after = by_address;
        allowed = address_after.take(now);
        if (allowed) by_address = address_after;
    }
    if (allowed) by_member = member_after;
    return allowed;
}

bool admission::may_read_directory(connection_limits& connection, const std::string& address, time_point now) {
    if (!connection.directory.take(now)) return false;
    if (address.empty()) return true;
    return directory_buckets_by_address_.try_emplace(address, config_.directory_per_address, now)
        .first->second.take(now);
}

void admission::tick(time_point now) {
    if (now - pruned_at_ <= std::chrono::seconds(10)) return;
    // A full bucket is the same as no bucket.
    std::erase_if(join_buckets_by_member_, [&](auto& item) { return item.second.full(now); });
    std::erase_if(join_buckets_by_address_, [&](auto& item) { return item.second.full(now); });
    std::erase_if(directory_buckets_by_address_, [&](auto& item) { return item.second.full(now); });
    pruned_at_ = now;
}

}  // namespace stoa::relay
