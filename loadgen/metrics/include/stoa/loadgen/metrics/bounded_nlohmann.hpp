// The protocol's bounded JSON parser (stoa/proto/bounded_json.hpp) for the native tools that read
// documents with nlohmann::json: the same limits and typed errors, then a copy into nlohmann's tree.
#pragma once

#include <string_view>

#include <nlohmann/json.hpp>

#include "stoa/common/result.hpp"
#include "stoa/proto/bounded_json.hpp"

namespace stoa::loadgen::metrics {

[[nodiscard]] result<nlohmann::json, proto::decode_error> parse_bounded_nlohmann(std::string_view text,
                                                                                 const proto::json_limits& limits);

}  // namespace stoa::loadgen::metrics
