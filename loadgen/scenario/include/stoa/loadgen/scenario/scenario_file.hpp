// Reading a scenario from a TOML or JSON file. Every problem comes back as a scenario_error that
// names the line, column and key; nothing here throws on bad input or reads past it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "stoa/common/result.hpp"
#include "stoa/loadgen/scenario/scenario.hpp"
#include "stoa/loadgen/scenario/scenario_error.hpp"

namespace stoa::loadgen {

enum class scenario_format : std::uint8_t { toml, json };

// Larger files are refused unread: a scenario is a page of settings.
inline constexpr std::size_t max_scenario_file_bytes = 1 << 20;

// `source` names the text in errors (usually the file's path).
[[nodiscard]] result<scenario, scenario_error> parse_scenario(std::string_view text, scenario_format format,
                                                              std::string_view source);

// .json is JSON; anything else (.toml) is TOML.
[[nodiscard]] scenario_format scenario_format_of(std::string_view path) noexcept;

// Reads and parses the file at `path` (the one function here that touches the file system).
[[nodiscard]] result<scenario, scenario_error> load_scenario_file(const std::string& path);

}  // namespace stoa::loadgen
