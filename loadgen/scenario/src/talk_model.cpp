// Talkspurts and pauses drawn from exponential distributions (P.59's on/off model).
#include "stoa/loadgen/scenario/talk_model.hpp"

#include <algorithm>
#include <cmath>

namespace stoa::loadgen {

talk_generator::talk_generator(const talk_model& model, std::uint64_t seed) noexcept
    : model_(model), random_(seed, 0x7a1c) {}

talk_generator::spell talk_generator::next() noexcept {
    if (model_.pattern == talk_pattern::continuous) return {true, max_scenario_duration};
    const bool talking = talking_next_;
    talking_next_ = !talking_next_;
    const double mean = static_cast<double>((talking ? model_.talkspurt_mean : model_.pause_mean).count());
    // Capped so a freak draw cannot overflow the clock; P(length > 40 means) is e^-40.
    const double micros = std::min(exponential(random_, mean), 40.0 * mean);
    return {talking, duration(std::max<std::int64_t>(1, std::llround(micros)))};
}

}  // namespace stoa::loadgen
