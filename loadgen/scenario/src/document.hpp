// The one tree both file formats (and the command line) are read into before a scenario is built
// from it: values with the position they were written at, so a single reader checks every key and
// every error names its line and column whatever the format. Private to the library.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "stoa/common/result.hpp"
#include "stoa/loadgen/scenario/scenario.hpp"
#include "stoa/loadgen/scenario/scenario_error.hpp"

namespace stoa::loadgen::detail {

struct document_member;

struct document_node {
    enum class type : std::uint8_t { null, boolean, integer, floating, string, array, table, other };

    type kind = type::table;
    source_position position;  // where the value starts (a table: its header or opening brace)
    bool boolean = false;
    std::int64_t integer = 0;
    double floating = 0.0;
    std::string text;                      // strings; for `other`, what it is ("a date")
    std::vector<document_node> items;      // arrays
    std::vector<document_member> members;  // tables, in the order they were written
    // Set on nodes made from a command-line flag ("--listeners", "--phase 2: within"): errors then
    // name the flag instead of a key path and a position.
    std::string flag;

    [[nodiscard]] const document_node* find(std::string_view key) const noexcept;
    [[nodiscard]] document_node* find(std::string_view key) noexcept;
};

struct document_member {
    std::string key;
    source_position key_position;
    document_node value;
};

// JSON nested deeper than this is refused (a scenario needs three levels); toml++ stops at 256.
inline constexpr std::size_t max_document_depth = 32;

// TOML and JSON into the tree. Syntax errors name the line and column; `source` names the text.
[[nodiscard]] result<document_node, scenario_error> read_toml_document(std::string_view text, std::string_view source);
[[nodiscard]] result<document_node, scenario_error> read_json_document(std::string_view text, std::string_view source);

// The tree into a validated scenario.
[[nodiscard]] result<scenario, scenario_error> read_scenario(const document_node& root, std::string_view source);

}  // namespace stoa::loadgen::detail
