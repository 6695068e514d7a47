// Where stoa-load's connections come from: the ports one source address can use, and the loopback
// source addresses a run needs once one address runs out of ports (or the error that says to shard).
#include <catch2/catch.hpp>

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "stoa/loadgen/driver/address_plan.hpp"

using namespace stoa::loadgen;
using boost::asio::ip::address;
using boost::asio::ip::make_address;

TEST_CASE("usable ports: the ephemeral range less 2% (at least 100) for the host's own connections",
          "[loadgen][address_plan]") {
    struct example {
        const char* name;
        std::uint32_t low;
        std::uint32_t high;
        std::uint32_t usable;
    };
    const std::vector<example> examples = {
        {"Linux's default 32768-60999: 28232 ports, 564 kept", 32768, 60999, 28232 - 564},
        {"the IANA range 49152-65535: 16384 ports, 327 kept", 49152, 65535, 16384 - 327},
        {"all unprivileged ports 1024-65535", 1024, 65535, 64512 - 1290},
        {"5000 ports: 2% is exactly the 100-port floor", 10000, 14999, 4900},
        {"4999 ports: the floor of 100", 10000, 14998, 4899},
        {"101 ports: one left", 10000, 10100, 1},
        {"200 ports: the floor leaves 100", 10000, 10199, 100},
        {"100 ports: all kept, yet one is always usable", 10000, 10099, 1},
        {"a single port", 40000, 40000, 1},
        {"an inverted range", 60999, 32768, 1},
        {"an inverted range by one", 40001, 40000, 1},
    };
    for (const auto& [name, low, high, usable] : examples) {
        CAPTURE(name);
        CHECK(usable_ports(low, high) == usable);
    }
}

TEST_CASE("usable ports on this host are within what a port range allows", "[loadgen][address_plan]") {
    const std::uint32_t ports = usable_ports_on_this_host();
    CHECK(ports >= 1);
    CHECK(ports <= 65535);
}

TEST_CASE("no source address is chosen while the kernel's one address suffices", "[loadgen][address_plan]") {
    struct example {
        const char* target;
        std::uint64_t connections;
        std::uint32_t ports_per_source;
    };
    const std::vector<example> examples = {
        {"127.0.0.1", 0, 27668},        {"127.0.0.1", 1, 27668},     {"127.0.0.1", 27667, 27668},
        {"127.0.0.1", 27668, 27668},    {"127.0.0.1", 1, 1},         {"10.1.2.3", 27668, 27668},
        {"::1", 27668, 27668},          {"2001:db8::1", 1000, 1000}, {"192.0.2.7", 0, 1},
        {"::ffff:127.0.0.1", 100, 100},
    };
    for (const auto& [target, connections, ports] : examples) {
        CAPTURE(target, connections, ports);
        auto plan = plan_source_addresses(make_address(target), connections, ports);
        REQUIRE(plan.ok());
        CHECK(plan->empty());
    }
}

TEST_CASE("past one address's ports, a loopback v4 target is reached from 127.0.0.2 onwards",
          "[loadgen][address_plan]") {
    struct example {
        const char* target;
        std::uint64_t connections;
        std::uint32_t ports_per_source;
        std::size_t sources;
    };
    const std::vector<example> examples = {
        {"127.0.0.1", 27669, 27668, 2},      // one past the boundary
        {"127.0.0.1", 2 * 27668, 27668, 2},  // exactly two addresses' worth
        {"127.0.0.1", 2 * 27668 + 1, 27668, 3},
        {"127.0.0.1", 100'000, 27668, 4},
        {"127.0.0.1", 1'000'000, 27668, 37},
        {"127.0.0.1", 3, 0, 3},      // a zero budget counts as one port per address
        {"127.0.0.1", 600, 1, 600},  // past 127.0.0.255 into 127.0.1.x and 127.0.2.x
        {"127.1.2.3", 5, 2, 3},      // any 127.x.x.x relay
        {"127.255.255.254", 4, 1, 4},
    };
    for (const auto& [target, connections, ports, sources] : examples) {
        CAPTURE(target, connections, ports);
        auto plan = plan_source_addresses(make_address(target), connections, ports);
        REQUIRE(plan.ok());
        REQUIRE(plan->size() == sources);
        CHECK(static_cast<std::uint64_t>(plan->size()) * (ports == 0 ? 1 : ports) >= connections);
        std::set<address> distinct;
        std::uint32_t expected = 0x7F000002U;  // 127.0.0.2
        for (const auto& source : *plan) {
            CHECK(source.is_v4());
            CHECK(source.is_loopback());
            CHECK(source.to_v4().to_uint() == expected++);
            distinct.insert(source);
        }
        CHECK(distinct.size() == plan->size());
        CHECK(plan->front() == make_address("127.0.0.2"));
    }
}

TEST_CASE("a non-loopback or IPv6 target that needs several source addresses is an error naming --shard",
          "[loadgen][address_plan]") {
    struct example {
        const char* target;
        std::uint64_t connections;
        std::uint32_t ports_per_source;
    };
    const std::vector<example> examples = {
        {"10.1.2.3", 27669, 27668},
        {"192.0.2.7", 100'000, 27668},
        {"0.0.0.0", 2, 1},
        {"::1", 27669, 27668},
        {"2001:db8::1", 100'000, 27668},
        // A v4-mapped loopback is an IPv6 socket: 127.0.0.x sources cannot reach it.
        {"::ffff:127.0.0.1", 2, 1},
    };
    for (const auto& [target, connections, ports] : examples) {
        CAPTURE(target, connections, ports);
        auto plan = plan_source_addresses(make_address(target), connections, ports);
        REQUIRE_FALSE(plan.ok());
        CHECK(plan.error().find("--shard") != std::string::npos);
        CHECK(plan.error().find(std::to_string(connections)) != std::string::npos);
    }
}

TEST_CASE("more source addresses than 127.0.0.0/8 holds is an error, not a wrap-around", "[loadgen][address_plan]") {
    // 127.0.0.2 .. 127.255.255.254 is 16,777,213 addresses.
    constexpr std::uint64_t addresses = 0x7FFFFFFEULL - 0x7F000002ULL + 1;
    auto plan = plan_source_addresses(make_address("127.0.0.1"), addresses * 1000 + 1, 1000);
    REQUIRE_FALSE(plan.ok());
    CHECK(plan.error().find("127.0.0.0/8") != std::string::npos);
}

// Known bug (reported, not fixed here): `connections + per - 1` wraps for counts near 2^64, so an
// absurd count is planned as if one address sufficed. Tagged to fail until plan_source_addresses
// refuses it; drop the tag when it does.
TEST_CASE("an absurd connection count is refused, not wrapped to zero addresses",
          "[loadgen][address_plan]") {
    auto plan = plan_source_addresses(make_address("127.0.0.1"), UINT64_MAX, 1000);
    CHECK_FALSE(plan.ok());
}
