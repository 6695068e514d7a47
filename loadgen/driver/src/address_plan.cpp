#include "stoa/loadgen/driver/address_plan.hpp"

#include <algorithm>
#include <fstream>

namespace stoa::loadgen {

std::uint32_t usable_ports(std::uint32_t range_low, std::uint32_t range_high) noexcept {
    if (range_high < range_low) return 1;
    const std::uint32_t range = range_high - range_low + 1;
    // Keep 2% (at least 100) for the host's own connections and TIME_WAIT stragglers.
    const std::uint32_t margin = std::max<std::uint32_t>(100, range / 50);
    return range > margin ? range - margin : 1;
}

std::uint32_t usable_ports_on_this_host() noexcept {
    std::ifstream file("/proc/sys/net/ipv4/ip_local_port_range");
    std::uint32_t low = 32768;
    std::uint32_t high = 60999;
    if (file) {
        std::uint32_t read_low = 0;
        std::uint32_t read_high = 0;
        if (file >> read_low >> read_high && read_low > 0 && read_high >= read_low) {
            low = read_low;
            high = read_high;
        }
    }
    return usable_ports(low, high);
}

result<std::vector<boost::asio::ip::address>, std::string> plan_source_addresses(
    const boost::asio::ip::address& server, std::uint64_t connections, std::uint32_t ports_per_source) {
    std::vector<boost::asio::ip::address> sources;
    const std::uint64_t per = std::max<std::uint32_t>(1, ports_per_source);
    const std::uint64_t needed = connections / per + (connections % per != 0 ? 1 : 0);  // no wrap near 2^64
    if (needed <= 1) return sources;
    if (!server.is_v4() || !server.is_loopback()) {
        return fail(std::to_string(connections) + " connections to one address need " + std::to_string(needed) +
                    " source addresses (" + std::to_string(per) +
                    " ports each), which stoa-load only provides towards a 127.x.x.x relay; use --shard across "
                    "generator hosts");
    }
    // 127.0.0.2 up to 127.255.255.254: far more than any one host's memory allows.
    constexpr std::uint32_t first = 0x7F000002U;
    constexpr std::uint32_t last = 0x7FFFFFFEU;
    if (needed > last - first + 1) return fail(std::string("more source addresses than 127.0.0.0/8 holds"));
    for (std::uint64_t k = 0; k < needed; ++k) {
        sources.emplace_back(boost::asio::ip::address_v4(first + static_cast<std::uint32_t>(k)));
    }
    return sources;
}

}  // namespace stoa::loadgen
