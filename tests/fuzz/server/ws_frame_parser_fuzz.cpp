// The WebSocket frame parser on arbitrary bytes: never crashes, and feeding the same input in
// chunks (sizes taken from the input's first bytes) gives exactly the events of feeding it whole.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

#include "stoa/server/ws_frame_parser.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 2) return 0;
    // The first byte picks the message limit, the second the chunk pattern.
    const std::size_t max_message = std::size_t{data[0]} * 64;
    const std::size_t chunk_seed = data[1];
    const std::span<const std::uint8_t> input(data + 2, size - 2);

    stoa::server::ws_frame_parser whole(max_message);
    std::vector<stoa::server::ws_event> whole_events;
    const auto whole_error = whole.feed(input, whole_events);

    stoa::server::ws_frame_parser chunked(max_message);
    std::vector<stoa::server::ws_event> chunked_events;
    auto chunked_error = stoa::server::ws_parse_error::none;
    std::size_t at = 0;
    std::size_t step = 0;
    while (at < input.size()) {
        const std::size_t n = std::min(input.size() - at, 1 + (chunk_seed * 31 + step * 7) % 23);
        chunked_error = chunked.feed(input.subspan(at, n), chunked_events);
        at += n;
        ++step;
    }
    if (input.empty()) chunked_error = chunked.feed(input, chunked_events);

    if (whole_error != chunked_error || whole_events.size() != chunked_events.size()) std::abort();
    for (std::size_t i = 0; i < whole_events.size(); ++i) {
        if (whole_events[i].type != chunked_events[i].type || whole_events[i].payload != chunked_events[i].payload ||
            whole_events[i].close_code != chunked_events[i].close_code) {
            std::abort();
        }
    }
    return 0;
}
