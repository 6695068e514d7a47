#include "stoa/loadgen/driver/ws_client_framing.hpp"

#include <openssl/evp.h>
#include <openssl/sha.h>

#include <algorithm>
#include <cctype>

namespace stoa::loadgen::ws {
namespace {

std::string base64(const std::uint8_t* data, std::size_t size) {
    std::string out(4 * ((size + 2) / 3) + 1, '\0');
    const int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data, static_cast<int>(size));
    out.resize(static_cast<std::size_t>(std::max(written, 0)));
    return out;
}

bool iequals(std::string_view a, std::string_view b) noexcept {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
}

std::string_view trim(std::string_view text) noexcept {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
    return text;
}

// Whether a comma-separated header value lists `token` (Connection: keep-alive, Upgrade).
bool lists_token(std::string_view value, std::string_view token) noexcept {
    while (!value.empty()) {
        const std::size_t comma = value.find(',');
        if (iequals(trim(value.substr(0, comma)), token)) return true;
        if (comma == std::string_view::npos) break;
        value.remove_prefix(comma + 1);
    }
    return false;
}

bool is_control(opcode code) noexcept { return static_cast<std::uint8_t>(code) >= 8; }

}  // namespace

std::string encode_key(const handshake_key& key) { return base64(key.data(), key.size()); }

std::string expected_accept(std::string_view encoded_key) {
    static constexpr std::string_view guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    std::string input(encoded_key);
    input += guid;
    std::array<std::uint8_t, SHA_DIGEST_LENGTH> digest{};
    SHA1(reinterpret_cast<const unsigned char*>(input.data()), input.size(), digest.data());
    return base64(digest.data(), digest.size());
}

std::string upgrade_request(std::string_view host_header, std::string_view path, std::string_view encoded_key) {
    std::string out;
    out.reserve(160 + host_header.size() + path.size());
    out += "GET ";
    out += path.empty() ? std::string_view("/") : path;
    out += " HTTP/1.1\r\nHost: ";
    out += host_header;
    out += "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ";
    out += encoded_key;
    out += "\r\nSec-WebSocket-Version: 13\r\nUser-Agent: stoa-load\r\n\r\n";
    return out;
}

result<std::size_t, upgrade_failure> parse_upgrade_response(std::string_view received, std::string_view encoded_key) {
    const std::size_t end = received.find("\r\n\r\n");
    if (end == std::string_view::npos) {
        if (received.size() > max_response_head) return fail(upgrade_failure{upgrade_error::too_long, 0});
        return fail(upgrade_failure{upgrade_error::incomplete, 0});
    }
    if (end + 4 > max_response_head) return fail(upgrade_failure{upgrade_error::too_long, 0});
    std::string_view head = received.substr(0, end + 2);  // every line ends in \r\n

    // Status line: HTTP/1.1 SP 3DIGIT SP reason
    const std::size_t line_end = head.find("\r\n");
    const std::string_view status_line = head.substr(0, line_end);
    if (!status_line.starts_with("HTTP/1.1") || status_line.size() < 12 || status_line[8] != ' ') {
        return fail(upgrade_failure{upgrade_error::malformed, 0});
    }
    unsigned status = 0;
    for (std::size_t i = 9; i < 12; ++i) {
        const char c = status_line[i];
        if (c < '0' || c > '9') return fail(upgrade_failure{upgrade_error::malformed, 0});
        status = status * 10 + static_cast<unsigned>(c - '0');
    }
    if (status_line.size() > 12 && status_line[12] != ' ') return fail(upgrade_failure{upgrade_error::malformed, 0});
    if (status != 101) return fail(upgrade_failure{upgrade_error::refused, status});

    bool upgrade = false;
    bool connection = false;
    bool accepted = false;
    const std::string accept = expected_accept(encoded_key);
    head.remove_prefix(line_end + 2);
    while (!head.empty()) {
        const std::size_t eol = head.find("\r\n");
        const std::string_view line = head.substr(0, eol);
        head.remove_prefix(eol + 2);
        const std::size_t colon = line.find(':');
        if (colon == std::string_view::npos || colon == 0) return fail(upgrade_failure{upgrade_error::malformed, status});
        const std::string_view name = line.substr(0, colon);
        const std::string_view value = trim(line.substr(colon + 1));
        if (iequals(name, "upgrade")) upgrade = lists_token(value, "websocket");
        else if (iequals(name, "connection")) connection = lists_token(value, "upgrade");
        else if (iequals(name, "sec-websocket-accept")) accepted = value == accept;
        else if ((iequals(name, "sec-websocket-extensions") || iequals(name, "sec-websocket-protocol")) &&
                 !value.empty()) {
            return fail(upgrade_failure{upgrade_error::bad_accept, status});  // none was offered (RFC 6455 4.1)
        }
    }
    if (!upgrade || !connection || !accepted) return fail(upgrade_failure{upgrade_error::bad_accept, status});
    return end + 4;
}

std::string_view to_string(upgrade_error error) noexcept {
    switch (error) {
        case upgrade_error::incomplete: return "incomplete response";
        case upgrade_error::malformed: return "malformed HTTP response";
        case upgrade_error::refused: return "upgrade refused";
        case upgrade_error::bad_accept: return "bad Sec-WebSocket-Accept, Upgrade or Connection header";
        case upgrade_error::too_long: return "response head too long";
    }
    return "unknown";
}

void append_client_frame(std::string& out, opcode code, byte_view payload, std::array<std::uint8_t, 4> mask) {
    const std::size_t size = payload.size();
    out.push_back(static_cast<char>(0x80 | static_cast<std::uint8_t>(code)));
    if (size < 126) {
        out.push_back(static_cast<char>(0x80 | size));
    } else if (size <= 0xffff) {
        out.push_back(static_cast<char>(0x80 | 126));
        out.push_back(static_cast<char>(size >> 8));
        out.push_back(static_cast<char>(size & 0xff));
    } else {
        out.push_back(static_cast<char>(0x80 | 127));
        for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>((size >> shift) & 0xff));
    }
    out.append(reinterpret_cast<const char*>(mask.data()), mask.size());
    const std::size_t start = out.size();
    out.resize(start + size);
    for (std::size_t i = 0; i < size; ++i) {
        out[start + i] = static_cast<char>(payload[i] ^ mask[i & 3]);
    }
}

scan_status scan_frame(byte_view input, std::size_t max_payload, frame_view& frame) noexcept {
    if (input.size() < 2) return scan_status::need_more;
    const std::uint8_t first = input[0];
    const std::uint8_t second = input[1];
    if ((first & 0x70) != 0) return scan_status::protocol_error;  // RSV bits: no extension was agreed
    if ((second & 0x80) != 0) return scan_status::protocol_error;  // a server never masks
    const std::uint8_t raw_code = first & 0x0f;
    const bool known = raw_code <= 2 || (raw_code >= 8 && raw_code <= 10);
    if (!known) return scan_status::protocol_error;
    const auto code = static_cast<opcode>(raw_code);
    const bool fin = (first & 0x80) != 0;
    std::uint64_t length = second & 0x7f;
    std::size_t header = 2;
    if (length == 126) {
        if (input.size() < 4) return scan_status::need_more;
        length = (std::uint64_t{input[2]} << 8) | input[3];
        if (length < 126) return scan_status::protocol_error;  // not the minimal encoding
        header = 4;
    } else if (length == 127) {
        if (input.size() < 10) return scan_status::need_more;
        length = 0;
        for (std::size_t i = 2; i < 10; ++i) length = (length << 8) | input[i];
        if (length <= 0xffff || (length >> 63) != 0) return scan_status::protocol_error;
        header = 10;
    }
    if (is_control(code) && (!fin || length > 125)) return scan_status::protocol_error;
    if (length > max_payload) return scan_status::too_big;
    if (input.size() - header < length) return scan_status::need_more;
    frame.code = code;
    frame.fin = fin;
    frame.payload = input.subspan(header, static_cast<std::size_t>(length));
    frame.size = header + static_cast<std::size_t>(length);
    return scan_status::complete;
}

}  // namespace stoa::loadgen::ws
