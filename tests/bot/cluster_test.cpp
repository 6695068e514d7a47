// One room across a real relay cluster: nats-server and three stoa-server nodes as child
// processes on loopback, with stoa-bot members connected through different nodes. What a user
// of a cluster relies on: members hear each other whichever node they connect through, keys
// reach them from the host on another node, and each speaker frame crosses NATS once per node.
#include <catch2/catch.hpp>

#include <string>

#include "bot_process.hpp"
#include "relay_cluster.hpp"
#include "server_fixture.hpp"

using namespace std::chrono_literals;
using json = nlohmann::json;
using stoa::test::bot_process;
using stoa::test::relay_cluster;

namespace {

const std::string bot_lifetime = "60";

bool is_report(const json& line) { return line.contains("frames_decrypted") && !line.contains("event"); }

// A listening report whose whole window was the tone: two reports after the first audio.
std::optional<json> await_steady_report(bot_process& listener, std::chrono::seconds timeout = 20s) {
    const auto first = listener.await(
        [](const json& l) { return is_report(l) && l["frames_decrypted"].get<std::uint64_t>() > 0; }, timeout);
    if (!first) return std::nullopt;
    const auto start = (*first)["frames_decrypted"].get<std::uint64_t>();
    if (!listener.await(
            [&](const json& l) { return is_report(l) && l["frames_decrypted"].get<std::uint64_t>() >= start + 50; },
            10s)) {
        return std::nullopt;
    }
    return listener.await(is_report, 5s);
}

std::vector<std::string> via(const relay_cluster& cluster, const stoa::test::relay_process& node) {
    return {"--host", "127.0.0.1", "--port", std::to_string(node.port()), "--context", cluster.origin()};
}

std::vector<std::string> operator+(std::vector<std::string> a, const std::vector<std::string>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

double scrape(std::uint16_t port, const std::string& sample) {
    const auto reply = stoa::test::http_get(port, "/metrics");
    REQUIRE(reply.status == 200);
    return stoa::test::metric(reply.body, sample).value_or(-1.0);
}

}  // namespace

TEST_CASE("a speaker on node 1 is heard by listeners on nodes 2 and 3, keys from the host on node 1",
          "[cluster][bot][server]") {
    relay_cluster cluster;
    bot_process host(via(cluster, cluster.node(0)) +
                     std::vector<std::string>{"--tone", "440", "--title", "Across nodes", "--print-room", "--duration",
                                              bot_lifetime});
    const auto created = host.await_event("room_created", 15s);
    REQUIRE(created);
    const std::string room = (*created)["room"];

    bot_process on_two(via(cluster, cluster.node(1)) +
                       std::vector<std::string>{"--join", room, "--listen", "--duration", bot_lifetime});
    bot_process on_three(via(cluster, cluster.node(2)) +
                         std::vector<std::string>{"--join", room, "--listen", "--duration", bot_lifetime});
    for (bot_process* listener : {&on_two, &on_three}) {
        const auto report = await_steady_report(*listener);
        INFO(listener->describe());
        REQUIRE(report);
        CHECK((*report)["frequency_hz"].get<double>() == Approx(440.0).margin(5.0));
        CHECK((*report)["epoch"].get<std::uint64_t>() >= 1);  // sealed by the host on node 1
        CHECK((*report)["decrypt_failures"].get<std::uint64_t>() == 0);
    }

    // Node 1 is the home: it publishes each frame once for both nodes, which deliver it locally.
    const double published = scrape(cluster.node(0).port(), "stoa_cluster_media_published_total");
    const double received_two = scrape(cluster.node(1).port(), "stoa_cluster_media_received_total");
    const double received_three = scrape(cluster.node(2).port(), "stoa_cluster_media_received_total");
    CHECK(published > 100);
    CHECK(received_two > 100);
    CHECK(received_three > 100);
    CHECK(received_two <= published);
    CHECK(scrape(cluster.node(0).port(), "stoa_cluster_remote_members") == 2);
    CHECK(scrape(cluster.node(0).port(), "stoa_members{role=\"listener\"}") == 2);
    CHECK(scrape(cluster.node(0).port(), "stoa_cluster_round_trip_seconds_count") > 0);
}
