// A session_io that records what a part of the client session sends and raises, for the part tests.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "session_io.hpp"

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

}  // namespace stoa::test
