// Serving the web client: mapping a request target to a file under the web root (refusing any
// path that could leave it), MIME types, gzip negotiation, the security headers every response
// carries and the client's config.json.
#pragma once

#include <array>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace stoa::server {

// No third-party origin anywhere but the relays the web client may fail over to (connect-src);
// WebAssembly compiles under 'wasm-unsafe-eval' only. Built once at start-up from the --relay
// list, each URL already checked by check_relay_url (server_config.hpp).
[[nodiscard]] std::string content_security_policy(std::span<const std::string> relays = {});

// The headers every HTTP response carries (files, health, metrics, config and errors alike), with
// `policy` (content_security_policy()) as its Content-Security-Policy.
using header_field = std::pair<std::string_view, std::string_view>;
[[nodiscard]] std::array<header_field, 8> security_headers(std::string_view policy) noexcept;

// The body of GET /config.json, what web/lib/relays.js reads: {"relays":[...]}.
[[nodiscard]] std::string web_client_config_json(std::span<const std::string> relays);

// The file a GET target names under `root`, or nullopt when the target is malformed, tries to
// leave the root (dot segments, encoded slashes, NUL, backslashes, symlinks pointing out) or names
// nothing. "/" and directories map to their index.html.
[[nodiscard]] std::optional<std::filesystem::path> resolve_static_path(const std::filesystem::path& root,
                                                                       std::string_view target);

[[nodiscard]] std::string_view mime_type(const std::filesystem::path& file);
// Worth compressing (text, JSON, SVG, WebAssembly); images and audio are compressed already.
[[nodiscard]] bool is_compressible(const std::filesystem::path& file);
// HTML revalidates every time (it names the other assets); other assets may be cached for a while.
[[nodiscard]] std::string_view cache_control(const std::filesystem::path& file);
// How much an Accept-Encoding header value wants `coding` ("gzip", "br"; lower case), as its
// q-value in thousandths (0 to 1000): an entry naming the coding wins over "*"; a coding neither
// names is 0, as is a malformed q (RFC 9110 section 12.5.3).
[[nodiscard]] int accepted_quality(std::string_view accept_encoding, std::string_view coding);
// Whether an Accept-Encoding header value admits gzip (a q=0 refuses it).
[[nodiscard]] bool accepts_gzip(std::string_view accept_encoding);

// The build's pre-compressed twins (ci/cmake/StoaWebStaging.cmake): file.br and file.gz.
enum class content_coding : std::uint8_t { identity, gzip, br };
// The twin to send: the coding the client wants most among the twins there are, brotli on a tie
// (it is the smaller), the file itself when the client takes neither.
[[nodiscard]] content_coding choose_coding(std::string_view accept_encoding, bool have_br, bool have_gzip);

}  // namespace stoa::server
