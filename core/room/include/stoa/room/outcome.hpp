// What one accepted action (or a tick) produced: the sequenced deltas to broadcast, each on its
// stream, and the unicast notices. The relay turns each delta into one shared buffer.
#pragma once

#include <vector>

#include "stoa/room/types.hpp"

namespace stoa::room {

struct outcome {
    // In emission order; each stream's seqs are consecutive and increasing.
    std::vector<sequenced_delta> deltas;
    std::vector<addressed_notice> notices;

    [[nodiscard]] bool empty() const noexcept { return deltas.empty() && notices.empty(); }
};

}  // namespace stoa::room
