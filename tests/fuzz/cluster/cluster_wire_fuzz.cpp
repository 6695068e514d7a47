// Any bytes from the bus: decode never crashes; what decodes re-encodes to the same bytes
// (the encoding is canonical); and a node handed it, in a cluster where it forwards a member
// and hosts a remote one, neither crashes nor leaks (ASan) whatever the message says.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "stoa/cluster/cluster_node.hpp"
#include "test_random.hpp"

namespace {

class null_sink final : public stoa::relay::relay_sink {
public:
    void send(stoa::relay::connection_id, const stoa::relay::shared_message&) override {}
    void close(stoa::relay::connection_id, stoa::relay::close_code, std::string_view) override {}
};

class null_bus final : public stoa::cluster::message_bus {
public:
    void publish(const std::string&, stoa::bytes) override {}
    void subscribe(const std::string&) override {}
    void unsubscribe(const std::string&) override {}
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const stoa::byte_view input(data, size);
    auto decoded = stoa::cluster::decode(input);
    if (!decoded.ok()) return 0;
    const stoa::bytes again = stoa::cluster::encode(decoded.value());
    if (again.size() != size || !std::equal(again.begin(), again.end(), data)) std::abort();

    stoa::test::seeded_random random(1);
    null_sink sink;
    null_bus bus;
    stoa::cluster::cluster_config config;
    config.node_name = "fuzzed";
    config.incarnation = 1;
    stoa::cluster::cluster_node node(config, {}, random, sink, bus);
    const auto start = stoa::from_micros(1'000'000);
    node.start(start);
    node.on_bus_message("stoa.node.fuzzed", input, start);
    node.on_bus_message("stoa.status", input, start + std::chrono::milliseconds(1));
    node.tick(start + std::chrono::seconds(5));  // the sender is gone by now: forget it too
    return 0;
}
