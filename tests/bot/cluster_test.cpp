// One room across a real relay cluster: nats-server and three stoa-server nodes as child
// processes on loopback, with stoa-bot members connected through different nodes. What a user
// of a cluster relies on: members hear each other whichever node they connect through, keys
// reach them from the host on another node, and each speaker frame crosses NATS once per node.
#include <catch2/catch.hpp>

#include <string>
#include <thread>

#include "bot_process.hpp"
#include "listener_reports.hpp"
#include "relay_cluster.hpp"
#include "server_fixture.hpp"

using namespace std::chrono_literals;
using json = nlohmann::json;
using stoa::test::await_steady_report;
using stoa::test::bot_process;
using stoa::test::is_report;
using stoa::test::relay_cluster;

namespace {

const std::string bot_lifetime = "60";

std::vector<std::string> via(const relay_cluster& cluster, const stoa::test::relay_process& node) {
    return {"--host", "127.0.0.1", "--port", std::to_string(node.port()), "--context", cluster.origin()};
}

// A bot given several nodes: it starts on the first and moves along the list when it loses one.
std::vector<std::string> through(const relay_cluster& cluster, std::initializer_list<const stoa::test::relay_process*> nodes) {
    std::vector<std::string> args{"--context", cluster.origin()};
    for (const auto* node : nodes) args.insert(args.end(), {"--server", node->ws_url()});
    return args;
}

bool event_in_room(const json& line, const std::string& name, const std::string& room) {
    return line.value("event", "") == name && line.value("room", "") == room;
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

// A counter that may not have moved yet: scraped until it is above zero or the time is up.
double await_scrape(std::uint16_t port, const std::string& sample, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    double value = scrape(port, sample);
    while (value <= 0 && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(100ms);  // a child process's counter: no event to await
        value = scrape(port, sample);
    }
    return value;
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
    std::uint64_t decrypted_on_two = 0;
    for (bot_process* listener : {&on_two, &on_three}) {
        const auto report = await_steady_report(*listener);
        INFO(listener->describe());
        REQUIRE(report);
        CHECK((*report)["frequency_hz"].get<double>() == Approx(440.0).margin(5.0));
        CHECK((*report)["epoch"].get<std::uint64_t>() >= 1);  // sealed by the host on node 1
        CHECK((*report)["decrypt_failures"].get<std::uint64_t>() == 0);
        if (listener == &on_two) decrypted_on_two = (*report)["frames_decrypted"].get<std::uint64_t>();
    }

    // Node 1 is the home: it publishes each frame once for both nodes, which deliver it locally.
    // Scraped receivers first: the counters keep moving, and what a node received by then had
    // been published by then. Every frame the listener on node 2 decrypted came over NATS.
    const double received_two = scrape(cluster.node(1).port(), "stoa_cluster_media_received_total");
    const double received_three = scrape(cluster.node(2).port(), "stoa_cluster_media_received_total");
    const double published = scrape(cluster.node(0).port(), "stoa_cluster_media_published_total");
    CHECK(decrypted_on_two >= 50);
    CHECK(received_two >= static_cast<double>(decrypted_on_two));
    CHECK(received_three >= 50);
    CHECK(received_two <= published);
    CHECK(received_three <= published);
    CHECK(scrape(cluster.node(0).port(), "stoa_cluster_remote_members") == 2);
    CHECK(scrape(cluster.node(0).port(), "stoa_members{role=\"listener\"}") == 2);
    // Node 1 pings its peers every 2 s; the first answer may still be on its way.
    CHECK(await_scrape(cluster.node(0).port(), "stoa_cluster_round_trip_seconds_count", 5s) > 0);
}

TEST_CASE("killing node 2 brings its listeners back through node 3 within the grace window",
          "[cluster][failover][bot][server]") {
    relay_cluster cluster;
    bot_process host(via(cluster, cluster.node(0)) +
                     std::vector<std::string>{"--tone", "440", "--print-room", "--duration", bot_lifetime});
    const auto created = host.await_event("room_created", 15s);
    REQUIRE(created);
    const std::string room = (*created)["room"];
    bot_process listener(through(cluster, {&cluster.node(1), &cluster.node(2)}) +
                         std::vector<std::string>{"--join", room, "--listen", "--duration", bot_lifetime});
    REQUIRE(await_steady_report(listener));

    const auto killed_at = std::chrono::steady_clock::now();
    cluster.node(1).kill();
    const auto back = listener.await([&](const json& l) { return event_in_room(l, "rejoined", room); }, 20s);
    INFO(listener.describe());
    REQUIRE(back);
    const auto took = std::chrono::steady_clock::now() - killed_at;
    WARN("listener back in the room through node 3 "
         << std::chrono::duration_cast<std::chrono::milliseconds>(took).count() << " ms after node 2 died");
    // Its seat was held: the same membership came back, not a new join.
    CHECK_FALSE((*back)["recreated"].get<bool>());
    CHECK(took < stoa::relay::relay_config{}.reconnect_grace);
    CHECK(scrape(cluster.node(0).port(), "stoa_reattached_total") >= 1);
    const auto report = await_steady_report(listener);
    REQUIRE(report);
    CHECK((*report)["frequency_hz"].get<double>() == Approx(440.0).margin(5.0));
}

TEST_CASE("killing the home node hands the room to another node and audio resumes",
          "[cluster][failover][bot][server]") {
    relay_cluster cluster;
    bot_process host(through(cluster, {&cluster.node(0), &cluster.node(1)}) +
                     std::vector<std::string>{"--tone", "440", "--print-room", "--duration", bot_lifetime});
    const auto created = host.await_event("room_created", 15s);
    REQUIRE(created);
    const std::string room = (*created)["room"];
    bot_process listener(through(cluster, {&cluster.node(2)}) +
                         std::vector<std::string>{"--join", room, "--listen", "--duration", bot_lifetime});
    const auto before = await_steady_report(listener);
    REQUIRE(before);
    const auto old_epoch = (*before)["epoch"].get<std::uint64_t>();

    const auto killed_at = std::chrono::steady_clock::now();
    cluster.node(0).kill();
    // The host comes back through node 2 and makes the room again there, under the same id.
    const auto host_back = host.await([&](const json& l) { return event_in_room(l, "rejoined", room); }, 20s);
    INFO(host.describe());
    REQUIRE(host_back);
    CHECK((*host_back)["recreated"].get<bool>());
    // Node 3 sees the old home gone, tells its members to come back, and they find the room on node 2.
    const auto listener_back = listener.await([&](const json& l) { return event_in_room(l, "rejoined", room); }, 30s);
    INFO(listener.describe());
    REQUIRE(listener_back);
    const auto after = await_steady_report(listener);
    REQUIRE(after);
    WARN("audio back through the new home "
         << std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - killed_at).count()
         << " ms after the home node died");
    CHECK((*after)["frequency_hz"].get<double>() == Approx(440.0).margin(5.0));
    // Nothing under the old keys: the new home's room runs on epochs above every old one.
    CHECK((*after)["epoch"].get<std::uint64_t>() > old_epoch);
    CHECK((*after)["decrypt_failures"].get<std::uint64_t>() == 0);
    CHECK(scrape(cluster.node(1).port(), "stoa_rooms") == 1);
    CHECK(scrape(cluster.node(2).port(), "stoa_cluster_homes_lost_total") >= 1);
}

TEST_CASE("a cluster node killed with SIGKILL and started again brings its room back under the same id",
          "[cluster][failover][restart][bot][server]") {
    relay_cluster cluster;
    bot_process host(through(cluster, {&cluster.node(0)}) +
                     std::vector<std::string>{"--tone", "440", "--print-room", "--duration", bot_lifetime});
    const auto created = host.await_event("room_created", 15s);
    REQUIRE(created);
    const std::string room = (*created)["room"];
    bot_process listener(through(cluster, {&cluster.node(1)}) +
                         std::vector<std::string>{"--join", room, "--listen", "--duration", bot_lifetime});
    REQUIRE(await_steady_report(listener));

    cluster.node(0).kill();
    cluster.node(0).start();  // the same name and port: a new incarnation with no rooms
    const auto restarted_at = std::chrono::steady_clock::now();
    const auto host_back = host.await([&](const json& l) { return event_in_room(l, "rejoined", room); }, 20s);
    INFO(host.describe());
    REQUIRE(host_back);
    const auto listener_back = listener.await([&](const json& l) { return event_in_room(l, "rejoined", room); }, 30s);
    INFO(listener.describe());
    REQUIRE(listener_back);
    const auto heard = listener.await(
        [](const json& l) { return is_report(l) && l.value("frequency_hz", 0.0) > 435.0 && l.value("frequency_hz", 0.0) < 445.0; },
        20s);
    REQUIRE(heard);
    WARN("the tone heard again on node 2 "
         << std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - restarted_at).count()
         << " ms after node 1 restarted");
}
