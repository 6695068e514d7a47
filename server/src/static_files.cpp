// Static file resolution: percent-decoding, dot-segment refusal and a canonical-path check
// against the web root, so no request can read outside it.
#include "stoa/server/static_files.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <system_error>

#include <nlohmann/json.hpp>

namespace stoa::server {

namespace {

std::optional<int> hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return std::nullopt;
}

// Decodes %XX escapes; refuses malformed escapes and anything that decodes to a separator or NUL,
// which would let one segment smuggle another.
std::optional<std::string> decode_segment(std::string_view segment) {
    std::string out;
    out.reserve(segment.size());
    for (std::size_t i = 0; i < segment.size(); ++i) {
        char c = segment[i];
        if (c == '%') {
            if (i + 2 >= segment.size()) return std::nullopt;
            const auto high = hex_value(segment[i + 1]);
            const auto low = hex_value(segment[i + 2]);
            if (!high || !low) return std::nullopt;
            c = static_cast<char>(*high * 16 + *low);
            i += 2;
        }
        if (c == '/' || c == '\\' || c == '\0') return std::nullopt;
        out += c;
    }
    return out;
}

std::string lower_extension(const std::filesystem::path& file) {
    std::string ext = file.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return ext;
}

}  // namespace

std::string content_security_policy(std::span<const std::string> relays) {
    std::string connect_src = "connect-src 'self'";
    for (const auto& relay : relays) connect_src += " " + relay;
    return "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; " + connect_src +
           "; img-src 'self' data:; style-src 'self'; media-src 'self' blob:; worker-src 'self' blob:; "
           "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";
}

std::array<header_field, 8> security_headers(std::string_view policy) noexcept {
    return {{
        {"Content-Security-Policy", policy},
        {"X-Content-Type-Options", "nosniff"},
        {"Referrer-Policy", "no-referrer"},
        {"X-Frame-Options", "DENY"},
        {"Cross-Origin-Opener-Policy", "same-origin"},
        {"Cross-Origin-Embedder-Policy", "require-corp"},
        {"Cross-Origin-Resource-Policy", "same-origin"},
        {"Permissions-Policy", "camera=(), geolocation=(), microphone=(self)"},
    }};
}

std::string web_client_config_json(std::span<const std::string> relays) {
    return nlohmann::json{{"relays", std::vector<std::string>(relays.begin(), relays.end())}}.dump();
}

std::optional<std::filesystem::path> resolve_static_path(const std::filesystem::path& root, std::string_view target) {
    // Only origin-form targets; the query string is not part of the path.
    if (target.empty() || target.front() != '/') return std::nullopt;
    if (const auto query = target.find_first_of("?#"); query != std::string_view::npos) target = target.substr(0, query);

    std::filesystem::path relative;
    std::size_t start = 1;
    while (start <= target.size()) {
        const std::size_t end = std::min(target.find('/', start), target.size());
        const std::string_view raw = target.substr(start, end - start);
        start = end + 1;
        if (raw.empty()) continue;  // "//" and a trailing slash
        const auto segment = decode_segment(raw);
        if (!segment || segment->empty() || *segment == "." || *segment == "..") return std::nullopt;
        relative /= *segment;
    }

    std::error_code error;
    const std::filesystem::path canonical_root = std::filesystem::canonical(root, error);
    if (error) return std::nullopt;
    std::filesystem::path candidate = canonical_root / relative;
    if (std::filesystem::is_directory(candidate, error)) candidate /= "index.html";
    const std::filesystem::path resolved = std::filesystem::canonical(candidate, error);
    if (error || !std::filesystem::is_regular_file(resolved, error)) return std::nullopt;
    // A symlink inside the root may still point out of it: compare the real paths.
    const auto [root_end, ignored] =
        std::mismatch(canonical_root.begin(), canonical_root.end(), resolved.begin(), resolved.end());
    if (root_end != canonical_root.end()) return std::nullopt;
    return resolved;
}

std::string_view mime_type(const std::filesystem::path& file) {
    static constexpr std::array<std::pair<std::string_view, std::string_view>, 18> types{{
        {".html", "text/html; charset=utf-8"},
        {".htm", "text/html; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".mjs", "text/javascript; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},
        {".json", "application/json"},
        {".map", "application/json"},
        {".wasm", "application/wasm"},
        {".svg", "image/svg+xml"},
        {".png", "image/png"},
        {".jpg", "image/jpeg"},
        {".jpeg", "image/jpeg"},
        {".ico", "image/x-icon"},
        {".webp", "image/webp"},
        {".txt", "text/plain; charset=utf-8"},
        {".ogg", "audio/ogg"},
        {".opus", "audio/ogg"},
        {".webmanifest", "application/manifest+json"},
    }};
    const std::string ext = lower_extension(file);
    for (const auto& [extension, type] : types) {
        if (extension == ext) return type;
    }
    return "application/octet-stream";
}

bool is_compressible(const std::filesystem::path& file) {
    static constexpr std::array<std::string_view, 11> compressible{".html", ".htm", ".js",  ".mjs", ".css",
                                                                    ".json", ".map", ".wasm", ".svg", ".txt",
                                                                    ".webmanifest"};
    const std::string ext = lower_extension(file);
    return std::find(compressible.begin(), compressible.end(), ext) != compressible.end();
}

std::string_view cache_control(const std::filesystem::path& file) {
    const std::string ext = lower_extension(file);
    if (ext == ".html" || ext == ".htm") return "no-cache";
    // The service worker names the build whose files it caches: a browser must see a new one at
    // once (it checks on every navigation), or a deploy would keep serving the old client. The
    // manifest is read rarely and must follow the page's colours and icons.
    if (ext == ".webmanifest" || file.filename() == "sw.js") return "no-cache";
    // Asset names carry no content hash yet, so keep the lifetime short and let ETags revalidate.
    return "public, max-age=3600";
}

namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

bool equals_ignoring_case(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
}

// qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ), in thousandths; nullopt if malformed.
std::optional<int> parse_qvalue(std::string_view text) {
    if (text.empty() || (text[0] != '0' && text[0] != '1')) return std::nullopt;
    int thousandths = text[0] == '1' ? 1000 : 0;
    if (text.size() == 1) return thousandths;
    if (text[1] != '.' || text.size() > 5) return std::nullopt;
    int scale = 100;
    for (const char c : text.substr(2)) {
        if (c < '0' || c > '9') return std::nullopt;
        thousandths += (c - '0') * scale;
        scale /= 10;
    }
    return thousandths > 1000 ? std::nullopt : std::optional<int>(thousandths);
}

}  // namespace

int accepted_quality(std::string_view accept_encoding, std::string_view coding) {
    std::optional<int> named;
    std::optional<int> wildcard;
    std::size_t start = 0;
    while (start <= accept_encoding.size()) {
        const std::size_t end = std::min(accept_encoding.find(',', start), accept_encoding.size());
        const std::string_view item = accept_encoding.substr(start, end - start);
        start = end + 1;
        const std::size_t semicolon = item.find(';');
        const std::string_view token = trim(item.substr(0, semicolon));
        const bool names = equals_ignoring_case(token, coding);
        if (!names && token != "*") continue;
        int quality = 1000;
        // Parameters: only q counts; a malformed q refuses rather than guessing.
        for (std::size_t at = semicolon; at != std::string_view::npos;) {
            const std::size_t next = item.find(';', at + 1);
            const std::string_view parameter = trim(item.substr(at + 1, next == std::string_view::npos ? next : next - at - 1));
            if (parameter.size() >= 2 && (parameter[0] == 'q' || parameter[0] == 'Q') && parameter[1] == '=') {
                quality = parse_qvalue(trim(parameter.substr(2))).value_or(0);
            }
            at = next;
        }
        if (names) {
            named = std::max(named.value_or(0), quality);
        } else {
            wildcard = std::max(wildcard.value_or(0), quality);
        }
    }
    return named.value_or(wildcard.value_or(0));
}

bool accepts_gzip(std::string_view accept_encoding) { return accepted_quality(accept_encoding, "gzip") > 0; }

content_coding choose_coding(std::string_view accept_encoding, bool have_br, bool have_gzip) {
    const int br = have_br ? accepted_quality(accept_encoding, "br") : 0;
    const int gzip = have_gzip ? accepted_quality(accept_encoding, "gzip") : 0;
    if (br > 0 && br >= gzip) return content_coding::br;
    if (gzip > 0) return content_coding::gzip;
    return content_coding::identity;
}

}  // namespace stoa::server
