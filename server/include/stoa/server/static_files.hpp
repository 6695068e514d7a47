// Serving the web client: mapping a request target to a file under the web root (refusing any
// path that could leave it), MIME types, gzip negotiation and the security headers every response carries.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace stoa::server {

// No third-party origin anywhere; WebAssembly compiles under 'wasm-unsafe-eval' only.
inline constexpr std::string_view content_security_policy =
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self'; img-src 'self' data:; "
    "style-src 'self'; media-src 'self' blob:; worker-src 'self' blob:; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'";

// Headers sent with every HTTP response (files, health, metrics and errors alike).
[[nodiscard]] std::vector<std::pair<std::string_view, std::string_view>> security_headers();

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
// Whether an Accept-Encoding header value admits gzip (a q=0 refuses it).
[[nodiscard]] bool accepts_gzip(std::string_view accept_encoding);

}  // namespace stoa::server
