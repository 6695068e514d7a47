// The relay's origin: from --origin (config key auth_context), or derived on loopback.
#include "stoa/server/origin_policy.hpp"

#include <boost/asio/ip/address.hpp>

namespace stoa::server {

namespace {

[[nodiscard]] std::optional<boost::asio::ip::address> parse_address(std::string_view text) {
    boost::system::error_code error;
    const auto address = boost::asio::ip::make_address(std::string(text), error);
    if (error) return std::nullopt;
    return address;
}

}  // namespace

bool is_loopback_address(std::string_view address) {
    const auto parsed = parse_address(address);
    if (!parsed) return false;
    if (parsed->is_v4()) return parsed->to_v4().is_loopback();
    const auto v6 = parsed->to_v6();
    if (v6.is_v4_mapped()) return boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, v6).is_loopback();
    return v6.is_loopback();
}

status<std::string> check_origin_configured(const server_config& config) {
    if (config.origin.has_value()) {
        if (config.origin->empty()) return fail(std::string("the origin (--origin, auth_context) must not be empty"));
        return {};
    }
    if (!parse_address(config.listen_address)) {
        return fail("--listen needs an IP address, not \"" + config.listen_address + "\"");
    }
    if (is_loopback_address(config.listen_address)) return {};
    return fail("listening on " + config.listen_address +
                ", which other machines can reach, needs --origin URL (config key auth_context): the URL users "
                "open, e.g. https://rooms.example. Without it the relay's logins could be replayed at another "
                "relay; only a loopback address (127.0.0.1, ::1) may go without one");
}

result<std::string, std::string> relay_origin(const server_config& config, std::uint16_t port) {
    if (auto configured = check_origin_configured(config); !configured) return fail(configured.error());
    if (config.origin.has_value()) return *config.origin;
    // What a browser on this machine sends as Origin for a page this relay served.
    const auto address = parse_address(config.listen_address);
    const std::string host = address->is_v6() ? "[" + address->to_string() + "]" : address->to_string();
    const bool tls = config.tls();
    const bool default_port = port == (tls ? 443 : 80);
    return std::string(tls ? "https://" : "http://") + host + (default_port ? "" : ":" + std::to_string(port));
}

bool upgrade_origin_allowed(std::optional<std::string_view> request_origin, std::string_view relay_origin) noexcept {
    if (!request_origin.has_value()) return true;
    // Exact, like the signature: a browser's Origin is already lower-case and has no path.
    return *request_origin == relay_origin;
}

}  // namespace stoa::server
