// Parsing the relay's WebSocket URL: just what a client needs to dial it and send the handshake.
#include "stoa/loadgen/scenario/server_target.hpp"

#include <charconv>

namespace stoa::loadgen {

namespace {

bool is_host_char(char c) noexcept {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
           c == '_';
}
bool is_ipv6_char(char c) noexcept {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':' || c == '.';
}

}  // namespace

result<server_url, std::string> parse_server_url(std::string_view text) {
    server_url url;
    std::string_view rest;
    if (text.starts_with("ws://")) {
        url.scheme = url_scheme::ws;
        url.port = 80;
        rest = text.substr(5);
    } else if (text.starts_with("wss://")) {
        url.scheme = url_scheme::wss;
        url.port = 443;
        rest = text.substr(6);
    } else {
        return fail(std::string("a server URL starts with ws:// or wss://"));
    }
    const std::size_t authority_end = rest.find_first_of("/?#");
    const std::string_view authority = rest.substr(0, authority_end);
    std::string_view path = authority_end == std::string_view::npos ? std::string_view{} : rest.substr(authority_end);
    if (authority.find('@') != std::string_view::npos)
        return fail(std::string("a server URL has no user name or password"));

    std::string_view port_text;
    if (authority.starts_with('[')) {
        const std::size_t close = authority.find(']');
        if (close == std::string_view::npos) return fail(std::string("an IPv6 address needs its closing ]"));
        const std::string_view address = authority.substr(1, close - 1);
        if (address.empty() || address.find(':') == std::string_view::npos)
            return fail(std::string("not an IPv6 address between [ ]"));
        for (char c : address) {
            if (!is_ipv6_char(c)) return fail(std::string("not an IPv6 address between [ ]"));
        }
        url.host = std::string(address);
        const std::string_view after = authority.substr(close + 1);
        if (!after.empty()) {
            if (after.front() != ':') return fail(std::string("expected :PORT after the IPv6 address"));
            port_text = after.substr(1);
            if (port_text.empty()) return fail(std::string("the port is missing after :"));
        }
    } else {
        const std::size_t colon = authority.find(':');
        const std::string_view host = authority.substr(0, colon);
        if (host.empty()) return fail(std::string("the server URL has no host"));
        for (char c : host) {
            if (!is_host_char(c)) return fail(std::string("the host has a character a host name cannot have"));
        }
        url.host = std::string(host);
        if (colon != std::string_view::npos) {
            port_text = authority.substr(colon + 1);
            if (port_text.empty()) return fail(std::string("the port is missing after :"));
        }
    }
    if (!port_text.empty()) {
        unsigned port = 0;
        const auto [end, error] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
        if (error != std::errc{} || end != port_text.data() + port_text.size() || port == 0 || port > 65535) {
            return fail(std::string("the port is a number from 1 to 65535"));
        }
        url.port = static_cast<std::uint16_t>(port);
    }
    if (path.starts_with('#') || path.find('#') != std::string_view::npos)
        return fail(std::string("a WebSocket URL has no #fragment"));
    for (char c : path) {
        if (static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7f) {
            return fail(std::string("the path has a space or a character that needs percent-encoding"));
        }
    }
    url.path_given = !path.empty() && path.front() != '?';
    url.path = path.empty() ? "/ws" : (path.front() == '?' ? "/ws" + std::string(path) : std::string(path));
    return url;
}

std::string to_string(const server_url& url) {
    std::string out = url.scheme == url_scheme::ws ? "ws://" : "wss://";
    out += url.host.find(':') != std::string::npos ? "[" + url.host + "]" : url.host;
    const std::uint16_t default_port = url.scheme == url_scheme::ws ? 80 : 443;
    if (url.port != default_port) out += ":" + std::to_string(url.port);
    return out + url.path;
}

std::string default_origin(const server_url& url) {
    std::string out = url.scheme == url_scheme::ws ? "http://" : "https://";
    out += url.host.find(':') != std::string::npos ? "[" + url.host + "]" : url.host;
    const std::uint16_t default_port = url.scheme == url_scheme::ws ? 80 : 443;
    if (url.port != default_port) out += ":" + std::to_string(url.port);
    return out;
}

}  // namespace stoa::loadgen
