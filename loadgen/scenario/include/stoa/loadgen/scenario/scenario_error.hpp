// The typed error every scenario reader returns: which source (a file or the command line),
// where in it (line and column), which key, and what was wrong, e.g.
// `scenario.toml:12:3: phases[1].within: expected a duration like "10s", got 10`.
#pragma once

#include <cstdint>
#include <string>

namespace stoa::loadgen {

// 1-based line and column (columns count characters, UTF-8 code points); 0 means "not known",
// as for a flag's value.
struct source_position {
    std::uint32_t line = 0;
    std::uint32_t column = 0;

    friend constexpr bool operator==(source_position, source_position) = default;
};

enum class scenario_error_kind : std::uint8_t {
    unreadable,     // the file could not be read, or is too large
    syntax,         // not TOML / not JSON / a malformed flag or threshold
    unknown_key,    // a key or flag the scenario does not have
    missing_key,    // a required key is absent
    wrong_type,     // e.g. a number where a duration string is expected
    out_of_range,   // a number outside the key's bounds
    invalid_value,  // the right type, but not a value the key accepts
    inconsistent,   // values that cannot go together (e.g. a storm longer than its phase)
};

[[nodiscard]] const char* to_string(scenario_error_kind kind) noexcept;

struct scenario_error {
    scenario_error_kind kind = scenario_error_kind::syntax;
    std::string source;        // file name, or "command line"
    source_position position;  // where the offending key or value starts
    std::string key;           // "members.listeners", "phases[1].within", "--listeners"; may be empty
    std::string message;       // what was expected and what was found

    // "source:line:column: key: message", leaving out the parts that are unknown.
    [[nodiscard]] std::string to_string() const;
};

}  // namespace stoa::loadgen
