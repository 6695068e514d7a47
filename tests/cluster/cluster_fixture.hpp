// A relay cluster in one process: cluster nodes joined by an in-memory bus with NATS's delivery
// rules (every subscriber of a subject, in order per publisher, the publisher's own
// subscriptions included), each with a loopback transport to real client sessions. Nodes can be
// killed (their sockets and bus traffic stop) and time is advanced explicitly.
#pragma once

#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "stoa/client/client_session.hpp"
#include "stoa/cluster/cluster_node.hpp"
#include "test_random.hpp"

namespace stoa::test {

class memory_bus {
public:
    struct envelope {
        std::size_t to = 0;
        std::string subject;
        bytes payload;
    };

    class port final : public cluster::message_bus {
    public:
        port(memory_bus& bus, std::size_t index) : bus_(bus), index_(index) {}
        void publish(const std::string& subject, bytes payload) override { bus_.publish(index_, subject, payload); }
        void subscribe(const std::string& subject) override { bus_.subscribers[subject].insert(index_); }
        void unsubscribe(const std::string& subject) override { bus_.subscribers[subject].erase(index_); }

    private:
        memory_bus& bus_;
        std::size_t index_;
    };

    void publish(std::size_t from, const std::string& subject, const bytes& payload) {
        if (!up.at(from)) return;
        ++published_by_subject_kind[kind_of(subject)];
        const auto found = subscribers.find(subject);
        if (found == subscribers.end()) return;
        for (const auto to : found->second) {
            ++deliveries_by_subject_kind[kind_of(subject)];
            in_flight.push_back({to, subject, payload});
        }
    }
    // "media", "node", "status": the second part of the subject.
    static std::string kind_of(const std::string& subject) {
        const auto first = subject.find('.');
        const auto second = subject.find('.', first + 1);
        return subject.substr(first + 1, second == std::string::npos ? std::string::npos : second - first - 1);
    }
    void drop_subscriptions_of(std::size_t node) {
        for (auto& [subject, who] : subscribers) who.erase(node);
    }

    std::map<std::string, std::set<std::size_t>> subscribers;
    std::deque<envelope> in_flight;
    std::vector<bool> up;
    std::map<std::string, std::uint64_t> published_by_subject_kind;
    std::map<std::string, std::uint64_t> deliveries_by_subject_kind;
};

struct cluster_member {
    std::unique_ptr<client::client_session> session;
    std::size_t node = 0;
    relay::connection_id connection{};
    bool connected = false;
    std::vector<client::client_event> events;
};

class cluster_fixture {
public:
    explicit cluster_fixture(std::size_t node_count = 3, std::uint64_t seed = 7, relay::relay_config relay = {})
        : random(seed), relay_config_(std::move(relay)) {
        bus.up.assign(node_count, true);
        for (std::size_t i = 0; i < node_count; ++i) start_node(i);
        run();
    }

    seeded_random random;
    memory_bus bus;
    time_point now = from_micros(1'000'000);
    std::vector<std::unique_ptr<cluster_member>> members;

    [[nodiscard]] cluster::cluster_node& node(std::size_t i) { return *nodes_.at(i)->node; }
    [[nodiscard]] bool node_up(std::size_t i) const { return bus.up.at(i); }

    cluster_member& connect(std::size_t node_index, client::client_config config = {}) {
        auto m = std::make_unique<cluster_member>();
        m->session = std::make_unique<client::client_session>(e2ee::identity::generate(random), config, random);
        members.push_back(std::move(m));
        cluster_member& member = *members.back();
        attach(member, node_index);
        return member;
    }
    // A member's new transport, to `node_index` (after its old one was lost).
    void attach(cluster_member& member, std::size_t node_index) {
        node_slot& slot = *nodes_.at(node_index);
        const relay::connection_id id(slot.next_connection++);
        slot.links.emplace(id.value, link{&member, {}, false});
        member.node = node_index;
        member.connection = id;
        member.connected = true;
        slot.node->on_open(id, now, "127.0.0.1");
        member.session->on_connected(now);
    }

    // A node's process dies: its sockets drop (its members see a lost transport), its bus traffic stops.
    void kill(std::size_t i) {
        node_slot& slot = *nodes_.at(i);
        bus.up[i] = false;
        bus.drop_subscriptions_of(i);
        for (auto& [id, l] : slot.links) {
            l.member->connected = false;
            l.member->session->on_disconnected(now);
        }
        slot.links.clear();
    }
    // The same node name started again: a new incarnation with nothing in it.
    void restart(std::size_t i) {
        bus.up[i] = true;
        start_node(i);
        run();
    }

    void run(std::size_t max_rounds = 100'000) {
        for (std::size_t round = 0; round < max_rounds; ++round) {
            std::size_t moved = 0;
            for (std::size_t i = 0; i < nodes_.size(); ++i) {
                if (bus.up[i]) moved += pump(*nodes_[i]);
            }
            while (!bus.in_flight.empty()) {
                auto envelope = std::move(bus.in_flight.front());
                bus.in_flight.pop_front();
                ++moved;
                if (!bus.up[envelope.to]) continue;
                nodes_[envelope.to]->node->on_bus_message(envelope.subject, envelope.payload, now);
            }
            collect();
            if (moved == 0) return;
        }
    }
    void advance(std::chrono::microseconds by) {
        now += by;
        for (std::size_t i = 0; i < nodes_.size(); ++i) {
            if (bus.up[i]) nodes_[i]->node->tick(now);
        }
        for (auto& m : members) m->session->tick(now);
        run();
    }
    void advance_frames(std::chrono::milliseconds total) {
        for (auto t = std::chrono::milliseconds(0); t < total; t += std::chrono::milliseconds(20)) {
            advance(std::chrono::milliseconds(20));
        }
    }
    void collect() {
        for (auto& m : members) {
            for (auto& e : m->session->take_events()) m->events.push_back(std::move(e));
        }
    }

private:
    struct link {
        cluster_member* member = nullptr;
        std::deque<relay::shared_message> inbox;
        bool closing = false;
    };
    struct node_slot final : relay::relay_sink {
        std::unique_ptr<memory_bus::port> port;
        std::unique_ptr<cluster::cluster_node> node;
        std::map<std::uint64_t, link> links;
        std::uint64_t next_connection = 1;

        void send(relay::connection_id to, const relay::shared_message& message) override {
            const auto found = links.find(to.value);
            if (found != links.end()) found->second.inbox.push_back(message);
        }
        void close(relay::connection_id who, relay::close_code, std::string_view) override {
            const auto found = links.find(who.value);
            if (found != links.end()) found->second.closing = true;
        }
    };

    void start_node(std::size_t i) {
        if (nodes_.size() <= i) nodes_.resize(i + 1);
        auto slot = std::make_unique<node_slot>();
        slot->port = std::make_unique<memory_bus::port>(bus, i);
        cluster::cluster_config config;
        config.node_name = "node" + std::to_string(i + 1);
        random.fill(std::span<std::uint8_t>(reinterpret_cast<std::uint8_t*>(&config.incarnation), 8));
        slot->node = std::make_unique<cluster::cluster_node>(config, relay_config_, random, *slot, *slot->port);
        slot->node->start(now);
        nodes_[i] = std::move(slot);
    }

    // Moves one node's client traffic both ways; returns how many messages moved.
    std::size_t pump(node_slot& slot) {
        std::size_t moved = 0;
        std::vector<std::pair<std::uint64_t, std::vector<client::outbound>>> outgoing;
        for (auto& [id, l] : slot.links) {
            if (l.member->session->has_outbound()) outgoing.emplace_back(id, l.member->session->take_outbound());
        }
        for (auto& [id, messages] : outgoing) {
            for (auto& message : messages) {
                if (!slot.links.contains(id)) break;
                ++moved;
                if (message.binary) {
                    slot.node->on_binary(relay::connection_id(id),
                                         relay::make_message(std::move(message.data), relay::payload_kind::binary,
                                                             message.media ? relay::traffic_class::media
                                                                           : relay::traffic_class::control),
                                         now);
                } else {
                    slot.node->on_text(relay::connection_id(id), message.data, now);
                }
            }
        }
        std::vector<std::uint64_t> dropped;
        for (auto& [id, l] : slot.links) {
            while (!l.inbox.empty()) {
                const auto message = std::move(l.inbox.front());
                l.inbox.pop_front();
                ++moved;
                if (message->kind == relay::payload_kind::binary) {
                    l.member->session->receive_binary(message->bytes(), now);
                } else {
                    l.member->session->receive_text(message->data, now);
                }
            }
            if (l.closing) dropped.push_back(id);
        }
        for (const auto id : dropped) {
            cluster_member* member = slot.links.at(id).member;
            slot.links.erase(id);
            slot.node->on_close(relay::connection_id(id), now);
            member->connected = false;
            member->session->on_disconnected(now);
        }
        return moved;
    }

    relay::relay_config relay_config_;
    std::vector<std::unique_ptr<node_slot>> nodes_;
};

}  // namespace stoa::test
