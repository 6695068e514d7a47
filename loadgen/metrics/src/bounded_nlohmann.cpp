// A parsed proto::json_document copied into nlohmann::json. The parser has already bounded the
// depth, so the recursion here is bounded too.
#include "stoa/loadgen/metrics/bounded_nlohmann.hpp"

namespace stoa::loadgen::metrics {
namespace {

nlohmann::json copy(proto::json_value value) {
    switch (value.kind()) {
        case proto::json_kind::null: return nullptr;
        case proto::json_kind::boolean: return value.as_bool();
        case proto::json_kind::integer: return value.as_int();
        case proto::json_kind::unsigned_integer: return value.as_uint();
        case proto::json_kind::floating: return value.as_double();
        case proto::json_kind::string: return std::string(value.as_string());
        case proto::json_kind::array: {
            nlohmann::json out = nlohmann::json::array();
            for (const proto::json_value item : value) out.push_back(copy(item));
            return out;
        }
        case proto::json_kind::object: {
            nlohmann::json out = nlohmann::json::object();
            for (const auto& member : value.members()) out[std::string(member.key)] = copy(member.value);
            return out;
        }
    }
    return nullptr;
}

}  // namespace

result<nlohmann::json, proto::decode_error> parse_bounded_nlohmann(std::string_view text,
                                                                   const proto::json_limits& limits) {
    auto parsed = proto::parse_bounded_json(text, limits);
    if (!parsed) return fail(std::move(parsed).error());
    return copy(parsed->root());
}

}  // namespace stoa::loadgen::metrics
