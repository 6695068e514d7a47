// Parsing untrusted JSON text with every bound checked before memory is spent: size, UTF-8,
// nesting depth (checked while parsing, so 100,000 '[' stop at depth 9), value count and
// duplicate keys. Never throws (beyond allocation failure, bounded by the size limit).
#pragma once

#include <cstddef>
#include <string_view>

#include "stoa/common/result.hpp"
#include "stoa/proto/errors.hpp"
#include "stoa/proto/json_value.hpp"
#include "stoa/proto/limits.hpp"

namespace stoa::proto {

struct json_limits {
    std::size_t max_size = max_client_message_size;
    std::size_t max_depth = max_json_depth;
    std::size_t max_values = max_client_json_values;
};

inline constexpr json_limits client_json_limits{max_client_message_size, max_json_depth, max_client_json_values};
inline constexpr json_limits server_json_limits{max_server_message_size, max_json_depth, max_server_json_values};

// The top level may be any JSON value; control messages additionally require an object.
// Strict RFC 8259: no comments, trailing commas, NaN or bytes after the value (a NUL included);
// a leading UTF-8 byte order mark is skipped. Errors: message_too_large, invalid_utf8,
// invalid_json (syntax, lone surrogate escapes), too_deep, too_many_items, duplicate_key (the
// detail names the key, cut to 64 bytes).
[[nodiscard]] result<json_document, decode_error> parse_bounded_json(std::string_view text, const json_limits& limits);

}  // namespace stoa::proto
