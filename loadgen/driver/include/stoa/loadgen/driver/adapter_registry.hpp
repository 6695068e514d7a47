// The protocols stoa-load speaks, by the name its --protocol flag takes.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "stoa/common/result.hpp"
#include "stoa/loadgen/driver/protocol_adapter.hpp"
#include "stoa/loadgen/driver/stoa_adapter.hpp"

namespace stoa::loadgen {

// "stoa", "plain", "socketio", in that order (the first is the default).
[[nodiscard]] std::vector<std::string_view> protocol_names();

// The adapter of that name; `stoa_config` is used by "stoa" only. An unknown name is an error
// message that lists the valid ones.
[[nodiscard]] result<std::unique_ptr<protocol_adapter>, std::string> make_protocol_adapter(
    std::string_view name, const stoa_adapter_config& stoa_config);

}  // namespace stoa::loadgen
