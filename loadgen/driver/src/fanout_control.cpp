#include "stoa/loadgen/driver/fanout_control.hpp"

#include <limits>
#include <optional>

#include <nlohmann/json.hpp>

#include "stoa/loadgen/driver/fanout_room.hpp"

namespace stoa::loadgen {
namespace {

using json = nlohmann::json;

constexpr std::string_view kind_name(control_kind kind) {
    switch (kind) {
        case control_kind::join:
            return "join";
        case control_kind::leave:
            return "leave";
        case control_kind::invite:
            return "invite";
    }
    return "";
}

std::optional<std::string_view> string_field(const json& object, const char* key) {
    const auto found = object.find(key);
    if (found == object.end() || !found->is_string()) return std::nullopt;
    return std::string_view(found->get_ref<const std::string&>());
}

std::optional<std::uint64_t> key_field(const json& object, const char* key) {
    const auto text = string_field(object, key);
    return text ? key_from_hex(*text) : std::nullopt;
}

}  // namespace

std::string write_control(const control_message& message) {
    json object{
        {"type", kind_name(message.kind)}, {"room", key_to_hex(message.room)}, {"seed", key_to_hex(message.seed)}};
    if (message.kind == control_kind::join) {
        object["member"] = message.member;
        object["name"] = message.name;
    }
    // Replace, not throw, should a display name ever hold invalid UTF-8.
    return object.dump(-1, ' ', false, json::error_handler_t::replace);
}

result<control_message, fanout_error> read_control(std::string_view text) {
    const json object = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
    if (!object.is_object()) return fail(fanout_error::bad_message);  // also what a parse error gives
    const auto type = string_field(object, "type");
    const auto room = key_field(object, "room");
    const auto seed = key_field(object, "seed");
    if (!type || !room || !seed) return fail(fanout_error::bad_message);
    control_message message;
    message.room = *room;
    message.seed = *seed;
    if (*type == "join") {
        message.kind = control_kind::join;
        const auto member = object.find("member");
        if (member == object.end() || !member->is_number_unsigned() ||
            member->get<std::uint64_t>() > std::numeric_limits<std::uint32_t>::max()) {
            return fail(fanout_error::bad_message);
        }
        message.member = static_cast<std::uint32_t>(member->get<std::uint64_t>());
        if (const auto name = string_field(object, "name")) message.name = std::string(*name);
    } else if (*type == "leave") {
        message.kind = control_kind::leave;
    } else if (*type == "invite") {
        message.kind = control_kind::invite;
    } else {
        return fail(fanout_error::bad_message);
    }
    return message;
}

}  // namespace stoa::loadgen
