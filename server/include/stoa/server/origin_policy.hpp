// Which origin a relay serves: the auth context its members sign, and the only Origin a browser's
// WebSocket upgrade may carry. Pure functions, so the start-up refusal and the 403 are tested alone.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "stoa/common/result.hpp"
#include "stoa/server/server_config.hpp"

namespace stoa::server {

// 127.0.0.0/8, ::1 and ::ffff:127.0.0.0/104; false for anything that is not an IP address.
[[nodiscard]] bool is_loopback_address(std::string_view address);

// Why `config` may not start, or nothing. A relay reachable from other machines must be told the
// URL users open: without it, every such relay would share one auth context, and a challenge one
// of them issued could be answered with a signature made for another.
[[nodiscard]] status<std::string> check_origin_configured(const server_config& config);

// The origin the relay serves once bound to `port`: the configured one, or on loopback the URL
// it is reachable at, e.g. "http://127.0.0.1:8080" or "https://[::1]:8443" (no port for the
// scheme's default, as browsers write an Origin). Fails as check_origin_configured does.
[[nodiscard]] result<std::string, std::string> relay_origin(const server_config& config, std::uint16_t port);

// Whether a WebSocket upgrade may proceed, given its Origin header (nullopt when it has none).
// Browsers always send Origin, so a mismatch means a page of another site is driving a visitor's
// browser at this relay. Native clients (stoa-bot, stoa-load) send none and are not browsers:
// the check cannot and need not stop them, since they could claim any origin anyway.
[[nodiscard]] bool upgrade_origin_allowed(std::optional<std::string_view> request_origin,
                                          std::string_view relay_origin) noexcept;

}  // namespace stoa::server
