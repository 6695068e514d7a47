// What the part tests share: a session_io that records what a part of the client session sends
// and raises, a room id, and epoch keys to install without a distributor.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "session_io.hpp"
#include "stoa/e2ee/keyring.hpp"

namespace stoa::test {

struct recording_io final : client::session_io {
    struct binary_message {
        std::string data;
        bool media = false;
    };
    void send_json(const proto::client_message& message) override { json.push_back(message); }
    void send_binary(std::string data, bool media) override { binary.push_back({std::move(data), media}); }
    void emit(client::client_event event) override { events.push_back(std::move(event)); }
    [[nodiscard]] std::uint32_t next_request_id() override { return next_id++; }

    template <typename T>
    [[nodiscard]] std::size_t count_events() const {
        std::size_t n = 0;
        for (const auto& e : events) n += std::holds_alternative<T>(e) ? 1 : 0;
        return n;
    }

    std::vector<proto::client_message> json;
    std::vector<binary_message> binary;
    std::vector<client::client_event> events;
    std::uint32_t next_id = 1;
};

inline const room_id part_test_room = [] {
    room_id id{};
    id.value[0] = 0x5a;
    return id;
}();

// Keys of `epoch` as a distributor would issue them, with secrets made from the epoch number.
[[nodiscard]] inline e2ee::epoch_keys keys_for(std::uint64_t epoch) {
    e2ee::epoch_keys keys;
    keys.epoch = epoch_id(epoch);
    keys.generation = e2ee::roster_generation(epoch);
    for (auto& b : keys.epoch_secret.mutable_view()) b = static_cast<std::uint8_t>(epoch);
    for (auto& b : keys.roster_secret.mutable_view()) b = 8;
    return keys;
}

}  // namespace stoa::test
