// Command line and JSON configuration for stoa-server.
#include "stoa/server/server_config.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <fstream>
#include <limits>
#include <sstream>

#include <nlohmann/json.hpp>

#include "stoa/cluster/cluster_wire.hpp"
#include "stoa/server/origin_policy.hpp"

namespace stoa::server {

namespace {

using json = nlohmann::json;

template <typename Int>
status<std::string> read_integer(const json& value, std::string_view key, Int& out, Int min = std::numeric_limits<Int>::min(),
                                 Int max = std::numeric_limits<Int>::max()) {
    if (!value.is_number_integer()) return fail("\"" + std::string(key) + "\" must be an integer");
    if (value.is_number_unsigned()) {
        const auto v = value.get<std::uint64_t>();
        if (v > static_cast<std::uint64_t>(max)) return fail("\"" + std::string(key) + "\" is out of range");
        out = static_cast<Int>(v);
        if (out < min) return fail("\"" + std::string(key) + "\" is out of range");
        return {};
    }
    const auto v = value.get<std::int64_t>();
    if (v < static_cast<std::int64_t>(min) || (v > 0 && static_cast<std::uint64_t>(v) > static_cast<std::uint64_t>(max))) {
        return fail("\"" + std::string(key) + "\" is out of range");
    }
    out = static_cast<Int>(v);
    return {};
}

status<std::string> read_ms(const json& value, std::string_view key, std::chrono::milliseconds& out) {
    std::int64_t ms = 0;
    if (auto read = read_integer<std::int64_t>(value, key, ms, 0, 86'400'000); !read) return read;
    out = std::chrono::milliseconds(ms);
    return {};
}

status<std::string> read_duration(const json& value, std::string_view key, duration& out) {
    std::chrono::milliseconds ms{};
    if (auto read = read_ms(value, key, ms); !read) return read;
    out = std::chrono::duration_cast<duration>(ms);
    return {};
}

status<std::string> read_rate(const json& value, std::string_view key, relay::rate_limit& out) {
    if (!value.is_object()) return fail("\"" + std::string(key) + "\" must be {\"burst\": N, \"per_second\": R}");
    for (const auto& [name, item] : value.items()) {
        if (name != "burst" && name != "per_second") return fail("unknown key \"" + name + "\" in \"" + std::string(key) + "\"");
        if (!item.is_number() || item.get<double>() < 0.0) return fail("\"" + std::string(key) + "." + name + "\" must be a number >= 0");
        (name == "burst" ? out.burst : out.per_second) = item.get<double>();
    }
    return {};
}

status<std::string> read_string(const json& value, std::string_view key, std::string& out) {
    if (!value.is_string()) return fail("\"" + std::string(key) + "\" must be a string");
    out = value.get<std::string>();
    return {};
}

status<std::string> apply_limits(server_config& config, const json& limits) {
    if (!limits.is_object()) return fail(std::string("\"limits\" must be an object"));
    relay::relay_config& relay = config.relay;
    for (const auto& [key, value] : limits.items()) {
        status<std::string> applied;
        if (key == "max_rooms") applied = read_integer<std::uint32_t>(value, key, relay.max_rooms);
        else if (key == "max_rooms_per_identity") applied = read_integer<std::uint32_t>(value, key, relay.max_rooms_per_identity);
        else if (key == "max_concurrent_rooms_per_identity") applied = read_integer<std::uint32_t>(value, key, relay.max_concurrent_rooms_per_identity);
        else if (key == "max_members") applied = read_integer<std::uint32_t>(value, key, relay.room_limits.max_members, 1U);
        else if (key == "max_stage") applied = read_integer<std::uint32_t>(value, key, relay.room_limits.max_stage, 1U);
        else if (key == "max_connections") applied = read_integer<std::size_t>(value, key, config.max_connections, std::size_t{1});
        else if (key == "max_connections_per_address") applied = read_integer<std::size_t>(value, key, config.max_connections_per_address);
        else if (key == "max_message_bytes") applied = read_integer<std::size_t>(value, key, config.max_message_bytes, std::size_t{1024});
        else if (key == "joins_per_identity") applied = read_rate(value, key, relay.joins_per_identity);
        else if (key == "joins_per_address") applied = read_rate(value, key, relay.joins_per_address);
        else if (key == "directory_per_connection") applied = read_rate(value, key, relay.directory_per_connection);
        else if (key == "directory_per_address") applied = read_rate(value, key, relay.directory_per_address);
        else if (key == "control_per_connection") applied = read_rate(value, key, relay.control_per_connection);
        else if (key == "media_per_connection") applied = read_rate(value, key, relay.media_per_connection);
        else if (key == "speaker_signatures_per_connection")
            applied = read_rate(value, key, relay.speaker_signatures_per_connection);
        else if (key == "key_requests_per_connection")
            applied = read_rate(value, key, relay.key_requests_per_connection);
        else if (key == "reactions_per_connection")
            applied = read_rate(value, key, relay.reactions_per_connection);
        else if (key == "reactions_per_room")
            applied = read_rate(value, key, relay.reactions_per_room);
        else if (key == "send_queue_media_messages") applied = read_integer<std::size_t>(value, key, config.queue.max_media_messages, std::size_t{1});
        else if (key == "send_queue_control_messages") applied = read_integer<std::size_t>(value, key, config.queue.max_control_messages, std::size_t{16});
        else if (key == "send_queue_control_bytes") applied = read_integer<std::size_t>(value, key, config.queue.max_control_bytes, std::size_t{65536});
        else if (key == "socket_send_buffer") applied = read_integer<int>(value, key, config.socket_send_buffer, 0);
        else return fail("unknown key \"" + key + "\" in \"limits\"");
        if (!applied) return applied;
    }
    return {};
}

status<std::string> apply_timeouts(server_config& config, const json& timeouts) {
    if (!timeouts.is_object()) return fail(std::string("\"timeouts\" must be an object"));
    for (const auto& [key, value] : timeouts.items()) {
        status<std::string> applied;
        if (key == "handshake_ms") applied = read_duration(value, key, config.relay.handshake_timeout);
        else if (key == "reconnect_grace_ms") applied = read_duration(value, key, config.relay.reconnect_grace);
        else if (key == "unjoined_room_ms") applied = read_duration(value, key, config.relay.unjoined_room_timeout);
        else if (key == "idle_ms") applied = read_ms(value, key, config.idle_timeout);
        else if (key == "http_ms") applied = read_ms(value, key, config.http_timeout);
        else if (key == "close_ms") applied = read_ms(value, key, config.close_timeout);
        else if (key == "drain_ms") applied = read_ms(value, key, config.drain_timeout);
        else if (key == "slow_consumer_ms") applied = read_ms(value, key, config.queue.max_media_overflow);
        else if (key == "reconnect_after_ms") applied = read_integer<std::uint32_t>(value, key, config.reconnect_after_ms, 0U, 3'600'000U);
        else return fail("unknown key \"" + key + "\" in \"timeouts\"");
        if (!applied) return applied;
    }
    return {};
}

bool is_alphanumeric(char c) noexcept {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// A DNS name or a dotted IPv4 address: labels of letters, digits and '-', as CSP's host-part allows.
bool valid_relay_host(std::string_view host) noexcept {
    if (host.empty() || host.size() > 253) return false;
    std::size_t start = 0;
    while (start <= host.size()) {
        const std::size_t end = std::min(host.find('.', start), host.size());
        const std::string_view label = host.substr(start, end - start);
        if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') return false;
        for (const char c : label) {
            if (!is_alphanumeric(c) && c != '-') return false;
        }
        start = end + 1;
    }
    return true;
}

// RFC 3986 path characters less the ones a header or a CSP would read as a separator or quote.
bool valid_relay_path(std::string_view path) noexcept {
    static constexpr std::string_view allowed = "-._~/!$&()*+=:@";
    for (std::size_t i = 0; i < path.size(); ++i) {
        const char c = path[i];
        if (c == '%') {
            const auto hex = [](char h) { return std::isxdigit(static_cast<unsigned char>(h)) != 0; };
            if (i + 2 >= path.size() || !hex(path[i + 1]) || !hex(path[i + 2])) return false;
            i += 2;
        } else if (!is_alphanumeric(c) && allowed.find(c) == std::string_view::npos) {
            return false;
        }
    }
    return true;
}

status<std::string> add_relay(std::vector<std::string>& relays, std::string_view url, std::string_view where) {
    if (auto checked = check_relay_url(url); !checked) {
        return fail(std::string(where) + " \"" + std::string(url.substr(0, 80)) +
                    "\": " + std::string(describe(checked.error())));
    }
    if (std::find(relays.begin(), relays.end(), url) != relays.end()) return {};  // named twice: once is enough
    if (relays.size() >= max_relays) {
        return fail(std::string(where) + ": at most " + std::to_string(max_relays) + " relays");
    }
    relays.emplace_back(url);
    return {};
}

status<std::string> read_relays(const json& value, std::vector<std::string>& relays) {
    if (!value.is_array()) return fail(std::string("\"relays\" must be an array of ws:// or wss:// URLs"));
    relays.clear();
    for (std::size_t i = 0; i < value.size(); ++i) {
        const std::string where = "\"relays\"[" + std::to_string(i) + "]";
        if (!value[i].is_string()) return fail(where + " must be a string");
        if (auto added = add_relay(relays, value[i].get<std::string>(), where); !added) return added;
    }
    return {};
}

status<std::string> parse_port(std::string_view text, std::uint16_t& port) {
    unsigned value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc{} || end != text.data() + text.size() || value > 65535) {
        return fail("--port needs a number from 0 to 65535, not \"" + std::string(text) + "\"");
    }
    port = static_cast<std::uint16_t>(value);
    return {};
}

}  // namespace

std::string_view describe(relay_url_error error) noexcept {
    switch (error) {
        case relay_url_error::too_long:
            return "a relay URL is at most 512 characters";
        case relay_url_error::scheme:
            return "a relay URL starts with ws:// or wss://";
        case relay_url_error::host:
            return "the host must be a DNS name or an IPv4 address (letters, digits, '-' and '.'; no user "
                   "info, no IPv6 literal, which a Content-Security-Policy cannot name)";
        case relay_url_error::port:
            return "the port must be a number from 1 to 65535";
        case relay_url_error::path:
            return "the path may hold letters, digits, %XX and -._~/!$&()*+=:@ only (no spaces, quotes, ';', "
                   "',', query or fragment)";
    }
    return "not a relay URL";
}

status<relay_url_error> check_relay_url(std::string_view url) noexcept {
    if (url.size() > max_relay_url_length) return fail(relay_url_error::too_long);
    std::string_view rest = url;
    if (rest.starts_with("ws://")) {
        rest.remove_prefix(5);
    } else if (rest.starts_with("wss://")) {
        rest.remove_prefix(6);
    } else {
        return fail(relay_url_error::scheme);
    }
    const std::size_t path_start = std::min(rest.find('/'), rest.size());
    std::string_view authority = rest.substr(0, path_start);
    const std::string_view path = rest.substr(path_start);
    if (authority.find('@') != std::string_view::npos) return fail(relay_url_error::host);  // user info
    if (const std::size_t colon = authority.find(':'); colon != std::string_view::npos) {
        const std::string_view port = authority.substr(colon + 1);
        unsigned value = 0;
        const auto [end, error] = std::from_chars(port.data(), port.data() + port.size(), value);
        if (port.empty() || port.size() > 5 || error != std::errc{} || end != port.data() + port.size() || value == 0 ||
            value > 65535) {
            // "[::1]:8080" lands here with a port of ":1]:8080"; it is the host that is wrong.
            return fail(authority.starts_with('[') ? relay_url_error::host : relay_url_error::port);
        }
        authority = authority.substr(0, colon);
    }
    if (!valid_relay_host(authority)) return fail(relay_url_error::host);
    if (!valid_relay_path(path)) return fail(relay_url_error::path);
    return {};
}

std::filesystem::path default_web_root() {
#ifdef STOA_STAGED_WEB_ROOT
    if (std::filesystem::is_directory(STOA_STAGED_WEB_ROOT)) return STOA_STAGED_WEB_ROOT;
#endif
#ifdef STOA_SOURCE_WEB_ROOT
    return STOA_SOURCE_WEB_ROOT;
#else
    return "web";
#endif
}

status<std::string> apply_config_json(server_config& config, std::string_view json_text) {
    const json document = json::parse(json_text, nullptr, false);
    if (document.is_discarded() || !document.is_object()) return fail(std::string("the configuration is not a JSON object"));
    for (const auto& [key, value] : document.items()) {
        status<std::string> applied;
        if (key == "listen") applied = read_string(value, key, config.listen_address);
        else if (key == "port") applied = read_integer<std::uint16_t>(value, key, config.port);
        else if (key == "threads") applied = read_integer<unsigned>(value, key, config.threads, 0U, 1024U);
        else if (key == "auth_context") {
            std::string origin;
            applied = read_string(value, key, origin);
            if (applied && origin.empty()) applied = fail(std::string("\"auth_context\" must not be empty"));
            if (applied) config.origin = std::move(origin);
        }
        else if (key == "io_uring") {
            if (value.is_boolean()) config.io_uring = value.get<bool>();
            else applied = fail(std::string("\"io_uring\" must be true or false"));
        }
        else if (key == "web_root" || key == "tls_cert" || key == "tls_key") {
            std::string path;
            applied = read_string(value, key, path);
            if (applied) {
                if (key == "web_root") config.web_root = path;
                else if (key == "tls_cert") config.tls_certificate = path;
                else config.tls_private_key = path;
            }
        } else if (key == "nats" || key == "node" || key == "nats_subject_prefix") {
            std::string text;
            applied = read_string(value, key, text);
            if (applied) {
                if (!config.cluster) config.cluster.emplace();
                if (key == "nats") config.cluster->nats_url = std::move(text);
                else if (key == "node") config.cluster->node_name = std::move(text);
                else config.cluster->subject_prefix = std::move(text);
            }
        } else if (key == "relays") applied = read_relays(value, config.relays);
        else if (key == "limits") applied = apply_limits(config, value);
        else if (key == "timeouts") applied = apply_timeouts(config, value);
        else return fail("unknown key \"" + key + "\"");
        if (!applied) return applied;
    }
    return {};
}

result<command_line, std::string> parse_command_line(std::span<const std::string_view> args) {
    command_line out;
    out.config.web_root = default_web_root();
    // The file first, so that flags given next to it win.
    for (std::size_t i = 0; i < args.size(); ++i) {
        if (args[i] != "--config") continue;
        if (i + 1 >= args.size()) return fail(std::string("--config needs a file"));
        std::ifstream file{std::string(args[i + 1])};
        if (!file) return fail("cannot read the configuration file " + std::string(args[i + 1]));
        std::stringstream text;
        text << file.rdbuf();
        if (auto applied = apply_config_json(out.config, text.str()); !applied) {
            return fail(std::string(args[i + 1]) + ": " + applied.error());
        }
    }
    bool relays_from_flags = false;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string_view flag = args[i];
        if (flag == "--help" || flag == "-h") {
            out.help = true;
            continue;
        }
        if (i + 1 >= args.size()) return fail("unknown flag or missing value: " + std::string(flag));
        const std::string_view value = args[++i];
        if (flag == "--config") continue;
        if (flag == "--listen") {
            out.config.listen_address = std::string(value);
        } else if (flag == "--port") {
            if (auto parsed = parse_port(value, out.config.port); !parsed) return fail(parsed.error());
        } else if (flag == "--threads") {
            unsigned threads = 0;
            const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), threads);
            if (error != std::errc{} || end != value.data() + value.size() || threads > 1024) {
                return fail("--threads needs a number from 0 to 1024");
            }
            out.config.threads = threads;
        } else if (flag == "--origin") {
            // Browsers sign the origin they loaded the client from, so the relay must know its own.
            if (value.empty()) return fail(std::string("--origin needs the URL users open, e.g. https://rooms.example"));
            out.config.origin = std::string(value);
        } else if (flag == "--nats") {
            if (!out.config.cluster) out.config.cluster.emplace();
            out.config.cluster->nats_url = std::string(value);
        } else if (flag == "--node") {
            if (!out.config.cluster) out.config.cluster.emplace();
            out.config.cluster->node_name = std::string(value);
        } else if (flag == "--relay") {
            // Flags win over the file: the first --relay drops the file's list.
            if (!relays_from_flags) out.config.relays.clear();
            relays_from_flags = true;
            if (auto added = add_relay(out.config.relays, value, "--relay"); !added) return fail(added.error());
        } else if (flag == "--web-root") {
            out.config.web_root = std::string(value);
        } else if (flag == "--tls-cert") {
            out.config.tls_certificate = std::string(value);
        } else if (flag == "--tls-key") {
            out.config.tls_private_key = std::string(value);
        } else {
            return fail("unknown flag: " + std::string(flag));
        }
    }
    if (out.config.tls_certificate.has_value() != out.config.tls_private_key.has_value()) {
        return fail(std::string("--tls-cert and --tls-key go together"));
    }
    if (out.config.cluster) {
        const auto& cluster = *out.config.cluster;
        if (cluster.nats_url.empty() || cluster.node_name.empty()) {
            return fail(std::string("--nats and --node go together (config keys \"nats\" and \"node\")"));
        }
        if (!cluster::valid_node_name(cluster.node_name)) {
            return fail("--node " + cluster.node_name + ": a node name is 1 to 64 of A-Z a-z 0-9 - _");
        }
        if (!cluster::valid_node_name(cluster.subject_prefix)) {
            return fail("nats_subject_prefix " + cluster.subject_prefix + ": 1 to 64 of A-Z a-z 0-9 - _");
        }
    }
    if (!out.help) {
        if (auto exposed = check_origin_configured(out.config); !exposed) return fail(exposed.error());
    }
    return out;
}

std::string_view usage() {
    return "usage: stoa-server [--listen ADDRESS] [--port N] [--threads N] [--config FILE]\n"
           "                   [--origin URL] [--web-root DIR] [--tls-cert FILE --tls-key FILE]\n"
           "                   [--nats URL --node NAME] [--relay URL]...\n"
           "Serves the Stoa web client and the relay's WebSocket endpoint (/ws) on one port,\n"
           "with /healthz, /metrics and /config.json. Defaults: 127.0.0.1:8080, one I/O thread per core.\n"
           "--origin is the URL users open (scheme://host[:port]): browsers bind it into their login\n"
           "signature, so it must match exactly, and a WebSocket upgrade from a page of any other\n"
           "origin is refused (config key auth_context). Required unless --listen is a loopback\n"
           "address, where it defaults to http://ADDRESS:PORT (https with TLS).\n"
           "--nats URL --node NAME  join a relay cluster over NATS as node NAME (unique in the\n"
           "                   cluster; every node gets the same --origin): a room spans the nodes\n"
           "                   its members connect through (docs/deployment.md)\n"
           "--relay URL        a relay at another origin the web client may fail over to\n"
           "                   (ws:// or wss://, repeatable; config key relays): listed in\n"
           "                   /config.json and allowed by the pages' Content-Security-Policy.\n"
           "                   In a cluster give every node one --relay per node URL.\n"
           "The JSON config file holds limits and timeouts (see README, \"Running the relay\").\n";
}

}  // namespace stoa::server
