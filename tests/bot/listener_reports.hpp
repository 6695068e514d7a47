// Reading a listening stoa-bot's once-a-second reports (--listen): which lines are reports, and
// the first report whose whole window was received audio.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

#include <nlohmann/json.hpp>

#include "bot_process.hpp"

namespace stoa::test {

[[nodiscard]] inline bool is_report(const nlohmann::json& line) {
    return line.contains("frames_decrypted") && !line.contains("event");
}

// The first listening report whose whole one-second window holds received audio: two reports
// past the first that had decrypted anything.
[[nodiscard]] inline std::optional<nlohmann::json> await_steady_report(
    bot_process& listener, std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
    const auto first = listener.await(
        [](const nlohmann::json& l) { return is_report(l) && l["frames_decrypted"].get<std::uint64_t>() > 0; }, timeout);
    if (!first) return std::nullopt;
    const auto start = (*first)["frames_decrypted"].get<std::uint64_t>();
    // 50 frames is one second of speech: the window of the report after that one is all tone.
    if (!listener.await(
            [&](const nlohmann::json& l) {
                return is_report(l) && l["frames_decrypted"].get<std::uint64_t>() >= start + 50;
            },
            std::chrono::seconds(10))) {
        return std::nullopt;
    }
    return listener.await(is_report, std::chrono::seconds(5));
}

}  // namespace stoa::test
