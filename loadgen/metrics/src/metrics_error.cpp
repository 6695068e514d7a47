// Names of the metrics error codes, as shown in stoa-load's messages.
#include "stoa/loadgen/metrics/metrics_error.hpp"

namespace stoa::loadgen::metrics {

std::string_view to_string(metrics_error_code code) noexcept {
    switch (code) {
        case metrics_error_code::invalid_config:
            return "invalid_config";
        case metrics_error_code::config_mismatch:
            return "config_mismatch";
        case metrics_error_code::invalid_name:
            return "invalid_name";
        case metrics_error_code::duplicate_name:
            return "duplicate_name";
        case metrics_error_code::count_overflow:
            return "count_overflow";
        case metrics_error_code::invalid_json:
            return "invalid_json";
        case metrics_error_code::wrong_type:
            return "wrong_type";
        case metrics_error_code::missing_field:
            return "missing_field";
        case metrics_error_code::unknown_field:
            return "unknown_field";
        case metrics_error_code::out_of_range:
            return "out_of_range";
        case metrics_error_code::not_ascending:
            return "not_ascending";
        case metrics_error_code::inconsistent:
            return "inconsistent";
        case metrics_error_code::too_large:
            return "too_large";
        case metrics_error_code::unsupported_version:
            return "unsupported_version";
    }
    return "unknown";
}

}  // namespace stoa::loadgen::metrics
