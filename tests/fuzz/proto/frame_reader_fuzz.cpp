// Fuzzes frame_reader with the input split into chunks whose sizes come from the input itself
// (as uWebSockets' fuzzers do): the frames must equal those from feeding it whole.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "stoa/proto/frame_reader.hpp"

using namespace stoa;
using namespace stoa::proto;

namespace {

struct outcome {
    std::vector<std::pair<frame_kind, bytes>> frames;
    bool failed = false;
};

outcome run(byte_view stream, byte_view chunk_sizes) {
    outcome out;
    frame_reader reader(4096);
    std::size_t at = 0;
    std::size_t k = 0;
    while (at < stream.size()) {
        std::size_t n = chunk_sizes.empty() ? stream.size() : std::size_t{chunk_sizes[k++ % chunk_sizes.size()]} + 1;
        n = std::min(n, stream.size() - at);
        auto s = reader.feed(stream.subspan(at, n), [&](frame_kind kind, byte_view payload) {
            out.frames.push_back({kind, bytes(payload.begin(), payload.end())});
        });
        at += n;
        if (!s.ok()) {
            out.failed = true;
            break;
        }
    }
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    // First byte: how many of the following bytes are chunk sizes.
    const std::size_t split = std::min<std::size_t>(data[0], size - 1);
    const byte_view sizes(data + 1, split);
    const byte_view stream(data + 1 + split, size - 1 - split);
    const auto whole = run(stream, {});
    const auto chunked = run(stream, sizes);
    if (whole.failed != chunked.failed || whole.frames != chunked.frames) std::abort();
    return 0;
}
