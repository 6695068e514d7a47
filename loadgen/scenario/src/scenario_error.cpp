// Rendering scenario errors the way compilers print theirs, so editors can jump to the line.
#include "stoa/loadgen/scenario/scenario_error.hpp"

namespace stoa::loadgen {

const char* to_string(scenario_error_kind kind) noexcept {
    switch (kind) {
        case scenario_error_kind::unreadable:
            return "unreadable";
        case scenario_error_kind::syntax:
            return "syntax";
        case scenario_error_kind::unknown_key:
            return "unknown key";
        case scenario_error_kind::missing_key:
            return "missing key";
        case scenario_error_kind::wrong_type:
            return "wrong type";
        case scenario_error_kind::out_of_range:
            return "out of range";
        case scenario_error_kind::invalid_value:
            return "invalid value";
        case scenario_error_kind::inconsistent:
            return "inconsistent";
    }
    return "unknown";
}

std::string scenario_error::to_string() const {
    std::string out;
    if (!source.empty()) {
        out += source;
        if (position.line != 0) {
            out += ':' + std::to_string(position.line);
            if (position.column != 0) out += ':' + std::to_string(position.column);
        }
        out += ": ";
    }
    if (!key.empty()) out += key + ": ";
    out += message;
    return out;
}

}  // namespace stoa::loadgen
