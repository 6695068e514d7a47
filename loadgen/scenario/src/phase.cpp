// Names and lengths of phases, the same for every kind.
#include "stoa/loadgen/scenario/phase.hpp"

namespace stoa::loadgen {

std::string_view phase_kind_name(const phase& p) noexcept {
    constexpr std::string_view names[] = {"steady",           "ramp",           "join_storm",
                                          "leave_storm",      "churn",          "speaker_rotation",
                                          "hand_raise_storm", "reconnect_storm"};
    static_assert(std::size(names) == std::variant_size_v<phase>);
    return names[p.index()];
}

duration phase_length(const phase& p) noexcept {
    return std::visit([](const auto& kind) { return kind.length; }, p);
}

}  // namespace stoa::loadgen
