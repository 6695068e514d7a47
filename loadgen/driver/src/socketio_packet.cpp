#include "stoa/loadgen/driver/socketio_packet.hpp"

namespace stoa::loadgen::socketio {
namespace {

constexpr std::size_t max_ack_digits = 15;  // past that it would not fit the JS number it came from

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

}  // namespace

result<engine_packet, fanout_error> read_engine_packet(std::string_view text) {
    if (text.empty() || text[0] < '0' || text[0] > '6') return fail(fanout_error::unknown_packet);
    return engine_packet{static_cast<engine_type>(text[0]), text.substr(1)};
}

result<packet, fanout_error> read_packet(std::string_view text) {
    if (text.empty()) return fail(fanout_error::bad_message);
    if (text[0] < '0' || text[0] > '6') return fail(fanout_error::unknown_packet);
    packet out;
    out.type = static_cast<packet_type>(text[0] - '0');
    std::string_view rest = text.substr(1);
    if (out.type == packet_type::binary_event || out.type == packet_type::binary_ack) {
        const std::size_t dash = rest.find('-');
        if (dash == 0 || dash == std::string_view::npos || dash > 2) return fail(fanout_error::bad_message);
        std::uint32_t count = 0;
        for (const char c : rest.substr(0, dash)) {
            if (!is_digit(c)) return fail(fanout_error::bad_message);
            count = count * 10 + static_cast<std::uint32_t>(c - '0');
        }
        if (count > max_attachments) return fail(fanout_error::bad_message);
        out.attachments = count;
        rest.remove_prefix(dash + 1);
    }
    if (!rest.empty() && rest[0] == '/') {
        const std::size_t comma = rest.find(',');
        out.name_space = rest.substr(0, comma);
        rest.remove_prefix(comma == std::string_view::npos ? rest.size() : comma + 1);
    }
    std::size_t digits = 0;
    while (digits < rest.size() && is_digit(rest[digits])) ++digits;
    if (digits > max_ack_digits) return fail(fanout_error::bad_message);
    if (digits > 0) {
        std::uint64_t id = 0;
        for (std::size_t i = 0; i < digits; ++i) id = id * 10 + static_cast<std::uint64_t>(rest[i] - '0');
        out.ack_id = id;
        rest.remove_prefix(digits);
    }
    out.data = rest;
    return out;
}

std::optional<std::string_view> event_argument(std::string_view data, std::string_view name) {
    // ["<name>",<argument>]
    const std::size_t head = name.size() + 4;
    if (data.size() < head + 2 || data.substr(0, 2) != "[\"" || data.substr(2, name.size()) != name ||
        data.substr(2 + name.size(), 2) != "\"," || data.back() != ']') {
        return std::nullopt;
    }
    return data.substr(head, data.size() - head - 1);
}

std::string pong_for(std::string_view ping_data) {
    std::string out = "3";
    out += ping_data;
    return out;
}

std::string write_event(std::string_view name, std::string_view json_argument) {
    std::string out = "42[\"";
    out += name;
    out += "\",";
    out += json_argument;
    out += ']';
    return out;
}

std::string write_binary_event_header(std::string_view name) {
    std::string out = "451-[\"";
    out += name;
    out += "\",";
    out += placeholder_argument;
    out += ']';
    return out;
}

}  // namespace stoa::loadgen::socketio
