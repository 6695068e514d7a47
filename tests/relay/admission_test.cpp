// The relay's join and directory limits on their own: identity and address buckets, and a refusal
// by one bucket that costs the other nothing.
#include <catch2/catch.hpp>

#include <chrono>
#include <string>

#include "admission.hpp"

using stoa::member_id;
using stoa::relay::admission;
using stoa::relay::connection_limits;
using stoa::relay::relay_config;

namespace {

[[nodiscard]] member_id member(std::uint8_t n) {
    member_id id{};
    id.value[0] = n;
    return id;
}

}  // namespace

TEST_CASE("joins are limited per identity and per address", "[relay][admission]") {
    relay_config config;
    config.joins_per_identity = {2.0, 0.0};
    config.joins_per_address = {3.0, 0.0};
    admission limits(config);
    const auto now = stoa::from_micros(1'000'000);
    const std::string x = "192.0.2.1";
    const std::string y = "192.0.2.2";

    CHECK(limits.may_join(member(1), x, now));
    CHECK(limits.may_join(member(1), x, now));
    CHECK_FALSE(limits.may_join(member(1), x, now));  // the identity's burst is spent
    CHECK(limits.may_join(member(2), x, now));        // the address's third
    CHECK_FALSE(limits.may_join(member(2), x, now));  // the address's burst is spent
    // That refusal did not charge member 2's identity bucket: one join is left for it elsewhere.
    CHECK(limits.may_join(member(2), y, now));
    CHECK_FALSE(limits.may_join(member(2), y, now));
}

TEST_CASE("without an address only the identity's joins are counted", "[relay][admission]") {
    relay_config config;
    config.joins_per_identity = {1.0, 1.0};
    config.joins_per_address = {0.0, 0.0};  // would refuse everything, were it consulted
    admission limits(config);
    const auto now = stoa::from_micros(1'000'000);
    CHECK(limits.may_join(member(1), "", now));
    CHECK_FALSE(limits.may_join(member(1), "", now));
    CHECK(limits.may_join(member(1), "", now + std::chrono::seconds(1)));  // refilled at 1 a second
}

TEST_CASE("directory reads are limited per connection, then per address", "[relay][admission]") {
    relay_config config;
    config.directory_per_connection = {2.0, 0.0};
    config.directory_per_address = {3.0, 0.0};
    admission limits(config);
    const auto now = stoa::from_micros(1'000'000);
    const std::string x = "192.0.2.1";
    connection_limits first(config, now);
    connection_limits second(config, now);
    connection_limits unknown(config, now);

    CHECK(limits.may_read_directory(first, x, now));
    CHECK(limits.may_read_directory(first, x, now));
    CHECK_FALSE(limits.may_read_directory(first, x, now));   // the connection's burst is spent
    CHECK(limits.may_read_directory(second, x, now));        // the address's third
    CHECK_FALSE(limits.may_read_directory(second, x, now));  // the address's burst is spent
    CHECK(limits.may_read_directory(unknown, "", now));
    CHECK(limits.may_read_directory(unknown, "", now));
    CHECK_FALSE(limits.may_read_directory(unknown, "", now));
}

TEST_CASE("forgetting full buckets changes no decision", "[relay][admission]") {
    relay_config config;
    config.joins_per_identity = {1.0, 1.0};
    admission limits(config);
    const auto t0 = stoa::from_micros(1'000'000);
    CHECK(limits.may_join(member(1), "192.0.2.1", t0));
    CHECK_FALSE(limits.may_join(member(1), "192.0.2.1", t0));
    // Eleven seconds on every bucket is full again and is pruned; the identity starts afresh.
    const auto later = t0 + std::chrono::seconds(11);
    limits.tick(later);
    CHECK(limits.may_join(member(1), "192.0.2.1", later));
    CHECK_FALSE(limits.may_join(member(1), "192.0.2.1", later));
}
