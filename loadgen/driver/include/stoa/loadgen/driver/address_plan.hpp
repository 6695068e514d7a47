// Where stoa-load's connections come from. One source address reaches one server address and port
// through at most the kernel's ephemeral port range (about 28,000 ports by default); past that, a
// loopback target is reached from several loopback source addresses (all of 127.0.0.0/8 is local
// on Linux, so 127.0.0.2, 127.0.0.3, ... need no configuration).
#pragma once

#include <cstdint>
#include <string>
#include <utility>  // before Boost 1.74's asio, whose awaitable.hpp uses std::exchange unincluded
#include <vector>

#include <boost/asio/ip/address.hpp>

#include "stoa/common/result.hpp"

namespace stoa::loadgen {

// Ports a source address can use towards one destination: the ephemeral range minus a margin for
// the host's other connections.
[[nodiscard]] std::uint32_t usable_ports(std::uint32_t range_low, std::uint32_t range_high) noexcept;
// The same from /proc/sys/net/ipv4/ip_local_port_range (Linux's default 32768-60999 when unreadable).
[[nodiscard]] std::uint32_t usable_ports_on_this_host() noexcept;

// The source addresses for `connections` to `server`: empty (the kernel chooses) while one
// address suffices, else 127.0.0.2 onwards, each carrying at most `ports_per_source`. A
// non-loopback target that needs more than one is an error (shard across hosts instead).
[[nodiscard]] result<std::vector<boost::asio::ip::address>, std::string> plan_source_addresses(
    const boost::asio::ip::address& server, std::uint64_t connections, std::uint32_t ports_per_source);

}  // namespace stoa::loadgen
