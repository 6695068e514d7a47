// stoa-load's client side of RFC 6455, without sockets: the handshake key and accept (the RFC's own
// example), the check of the server's answer (every way it can be incomplete, refused, wrong or
// malformed), masked client frames, and server frames found in place under every chunking.
#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "stoa/loadgen/driver/ws_client_framing.hpp"

using namespace stoa::loadgen::ws;
using stoa::as_bytes;
using stoa::byte_view;
using stoa::bytes;

namespace {

// RFC 6455 section 1.3: the sample nonce and the answer it calls for.
constexpr std::string_view rfc_key = "dGhlIHNhbXBsZSBub25jZQ==";
constexpr std::string_view rfc_accept = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

std::string response(std::string_view status_line, std::initializer_list<std::string_view> headers) {
    std::string out(status_line);
    out += "\r\n";
    for (const auto header : headers) {
        out += header;
        out += "\r\n";
    }
    out += "\r\n";
    return out;
}

const std::string rfc_response =
    response("HTTP/1.1 101 Switching Protocols",
             {"Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo="});

upgrade_failure failure_of(std::string_view received, std::string_view key = rfc_key) {
    auto parsed = parse_upgrade_response(received, key);
    REQUIRE_FALSE(parsed.ok());
    return parsed.error();
}

bytes to_bytes(std::initializer_list<int> values) {
    bytes out;
    for (const int v : values) out.push_back(static_cast<std::uint8_t>(v));
    return out;
}

// A server frame with the minimal length encoding, payload bytes 0, 1, 2, ... (mod 251).
bytes server_frame(std::uint8_t first_byte, std::size_t length) {
    bytes out{first_byte};
    if (length < 126) {
        out.push_back(static_cast<std::uint8_t>(length));
    } else if (length <= 0xffff) {
        out.push_back(126);
        out.push_back(static_cast<std::uint8_t>(length >> 8));
        out.push_back(static_cast<std::uint8_t>(length));
    } else {
        out.push_back(127);
        for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(length >> shift));
    }
    for (std::size_t i = 0; i < length; ++i) out.push_back(static_cast<std::uint8_t>(i % 251));
    return out;
}

struct scanned {
    opcode code;
    bool fin;
    bytes payload;
    bool operator==(const scanned&) const = default;
};

// A reader the way stoa-load's worker reads: append what arrived, take every whole frame from the
// front, keep the rest. Returns the frames and the status that stopped the last scan.
struct chunked_reader {
    std::size_t max_payload = 1 << 20;
    bytes buffer;
    std::vector<scanned> frames;
    scan_status last = scan_status::need_more;

    void feed(byte_view chunk) {
        buffer.insert(buffer.end(), chunk.begin(), chunk.end());
        std::size_t at = 0;
        frame_view frame;
        while ((last = scan_frame(byte_view(buffer).subspan(at), max_payload, frame)) == scan_status::complete) {
            frames.push_back({frame.code, frame.fin, bytes(frame.payload.begin(), frame.payload.end())});
            at += frame.size;
        }
        buffer.erase(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(at));
    }
};

std::vector<scanned> scan_whole(byte_view input) {
    chunked_reader reader;
    reader.feed(input);
    CHECK(reader.last == scan_status::need_more);
    CHECK(reader.buffer.empty());
    return reader.frames;
}

bytes concat(std::initializer_list<bytes> parts) {
    bytes out;
    for (const auto& part : parts) out.insert(out.end(), part.begin(), part.end());
    return out;
}

bytes unmask(byte_view masked, std::array<std::uint8_t, 4> mask) {
    bytes out(masked.begin(), masked.end());
    for (std::size_t i = 0; i < out.size(); ++i) out[i] ^= mask[i % 4];
    return out;
}

}  // namespace

// ---- the handshake ----

TEST_CASE("RFC 6455 1.3: the sample nonce's key and the accept the server must answer", "[loadgen][ws][handshake]") {
    const std::string_view nonce = "the sample nonce";
    handshake_key key{};
    std::copy(nonce.begin(), nonce.end(), key.begin());
    CHECK(encode_key(key) == rfc_key);
    CHECK(expected_accept(rfc_key) == rfc_accept);
    CHECK(expected_accept("x3JJHMbDL1EzLkh9GBhXDw==") == "HSmrc0sMlYUkAGmm5OPpG2HaGWk=");  // a second, well-known pair
}

TEST_CASE("the upgrade request names the path, the host, the key and version 13", "[loadgen][ws][handshake]") {
    const std::string request = upgrade_request("relay.example:8443", "/ws", rfc_key);
    CHECK(request.starts_with("GET /ws HTTP/1.1\r\n"));
    CHECK(request.ends_with("\r\n\r\n"));
    CHECK(request.find("\r\n\r\n") == request.size() - 4);
    for (const std::string_view line :
         {"\r\nHost: relay.example:8443\r\n", "\r\nUpgrade: websocket\r\n", "\r\nConnection: Upgrade\r\n",
          "\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n", "\r\nSec-WebSocket-Version: 13\r\n"}) {
        CAPTURE(line);
        CHECK(request.find(line) != std::string::npos);
    }
    CHECK(upgrade_request("h", "", rfc_key).starts_with("GET / HTTP/1.1\r\n"));
}

TEST_CASE("a 101 answer with the right accept is the connection's start, and frames may follow in the same read",
          "[loadgen][ws][handshake]") {
    struct example {
        const char* name;
        std::string head;
    };
    const std::vector<example> examples = {
        {"RFC 6455's own answer", rfc_response},
        {"mixed-case names and values, a listed Connection, extra headers and spaces",
         response("HTTP/1.1 101 Switching Protocols",
                  {"Server: uWebSockets", "uPgRaDe: WebSocket", "CONNECTION: keep-alive, Upgrade",
                   "sec-websocket-accept:   s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\t", "Date: Thu, 01 Jan 2026 00:00:00 GMT"})},
        {"no reason phrase", response("HTTP/1.1 101", {"Upgrade: websocket", "Connection: Upgrade",
                                                       "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo="})},
        {"Connection listing upgrade last among several tokens",
         response("HTTP/1.1 101 Switching Protocols", {"Upgrade: websocket", "Connection: close ,keep-alive,  upgrade",
                                                       "Sec-WebSocket-Accept:s3pPLMBiTxaQ9kYGzzhZRbK+xOo="})},
        {"an empty Sec-WebSocket-Extensions (no extension agreed)",
         response("HTTP/1.1 101 Switching Protocols",
                  {"Upgrade: websocket", "Connection: Upgrade",
                   "Sec-WebSocket-Extensions:", "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo="})},
    };
    for (const auto& [name, head] : examples) {
        CAPTURE(name);
        auto parsed = parse_upgrade_response(head, rfc_key);
        REQUIRE(parsed.ok());
        CHECK(*parsed == head.size());
        // The server's first frame in the same read: the head's length is still where frames start.
        const std::string with_frame = head + "\x81\x05Hello";
        auto again = parse_upgrade_response(with_frame, rfc_key);
        REQUIRE(again.ok());
        CHECK(*again == head.size());
    }
}

TEST_CASE("a response head cut anywhere before its blank line is incomplete, whatever its status",
          "[loadgen][ws][handshake]") {
    const std::vector<std::string> heads = {
        rfc_response, response("HTTP/1.1 404 Not Found", {"Content-Length: 0"}),
        response("HTTP/1.1 101 Switching Protocols", {"Upgrade: websocket"}),  // would be bad_accept
    };
    for (const auto& head : heads) {
        for (std::size_t n = 0; n < head.size(); ++n) {
            CAPTURE(head, n);
            const auto failure = failure_of(std::string_view(head).substr(0, n));
            CHECK(failure.error == upgrade_error::incomplete);
            CHECK(failure.status == 0);
        }
    }
}

TEST_CASE("a status other than 101 is refused and reports its status", "[loadgen][ws][handshake]") {
    struct example {
        unsigned status;
        std::string head;
    };
    const std::vector<example> examples = {
        {404, response("HTTP/1.1 404 Not Found", {"Content-Length: 0"})},
        {426, response("HTTP/1.1 426 Upgrade Required", {"Sec-WebSocket-Version: 13"})},
        {503, response("HTTP/1.1 503 Service Unavailable", {"Retry-After: 1"})},
        {200, response("HTTP/1.1 200 OK", {"Upgrade: websocket", "Connection: Upgrade",
                                           "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo="})},
        {301, response("HTTP/1.1 301", {"Location: /ws"})},
        {100, response("HTTP/1.1 100 Continue", {})},
        {999, response("HTTP/1.1 999 Whatever", {})},
    };
    for (const auto& [status, head] : examples) {
        CAPTURE(head);
        const auto failure = failure_of(head);
        CHECK(failure.error == upgrade_error::refused);
        CHECK(failure.status == status);
    }
}

TEST_CASE("a 101 whose accept, Upgrade or Connection is wrong, or that agrees an extension, is bad_accept",
          "[loadgen][ws][handshake]") {
    const std::string other_accept = "Sec-WebSocket-Accept: " + expected_accept("AQIDBAUGBwgJCgsMDQ4PEA==");
    struct example {
        const char* name;
        std::vector<std::string_view> headers;
    };
    const std::vector<example> examples = {
        {"no accept", {"Upgrade: websocket", "Connection: Upgrade"}},
        {"the accept of another key", {"Upgrade: websocket", "Connection: Upgrade", other_accept}},
        {"the accept in another case (base64 is case-sensitive)",
         {"Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Accept: S3PPLMBITXAQ9KYGZZHZRBK+XOO="}},
        {"the key echoed instead of the accept",
         {"Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Accept: dGhlIHNhbXBsZSBub25jZQ=="}},
        {"the accept with a character missing",
         {"Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo"}},
        {"an empty accept", {"Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Accept:"}},
        {"no Upgrade", {"Connection: Upgrade", "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo="}},
        {"Upgrade to another protocol",
         {"Upgrade: h2c", "Connection: Upgrade", "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo="}},
        {"no Connection", {"Upgrade: websocket", "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo="}},
        {"Connection without upgrade",
         {"Upgrade: websocket", "Connection: keep-alive", "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo="}},
        {"Connection naming upgrade only inside another token",
         {"Upgrade: websocket", "Connection: upgraded", "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo="}},
        {"an extension none was offered",
         {"Upgrade: websocket", "Connection: Upgrade",
          "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", "Sec-WebSocket-Extensions: permessage-deflate"}},
        {"a subprotocol none was asked for (RFC 6455 4.1)",
         {"Upgrade: websocket", "Connection: Upgrade",
          "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", "Sec-WebSocket-Protocol: chat"}},
    };
    for (const auto& [name, headers] : examples) {
        CAPTURE(name);
        std::string head = "HTTP/1.1 101 Switching Protocols\r\n";
        for (const auto header : headers) head.append(header).append("\r\n");
        head += "\r\n";
        const auto failure = failure_of(head);
        CHECK(failure.error == upgrade_error::bad_accept);
        CHECK(failure.status == 101);
    }
}

TEST_CASE("a head that is not an HTTP/1.1 status line and headers is malformed", "[loadgen][ws][handshake]") {
    const std::vector<std::string> heads = {
        "\r\n\r\n",
        response("HTTP/1.1", {}),
        response("HTTP/1.1 10", {}),
        response("HTTP/1.1 1O1 Switching Protocols", {}),
        response("HTTP/1.1  101 Switching Protocols", {}),
        response("HTTP/1.1 1010 Switching Protocols", {}),
        response("HTTP/1.1 -01 Switching Protocols", {}),
        response("HTTP/2 101 Switching Protocols", {}),
        response("HTTP/1.0 101 Switching Protocols", {}),  // an upgrade needs HTTP/1.1
        response("http/1.1 101 Switching Protocols", {}),
        response("ICY 200 OK", {}),
        response("SSH-2.0-OpenSSH_9.6", {}),
        response("HTTP/1.1 101 Switching Protocols", {"Upgrade websocket"}),
        response("HTTP/1.1 101 Switching Protocols", {": websocket"}),
        response("HTTP/1.1 101 Switching Protocols", {"Upgrade: websocket", "Connection: Upgrade",
                                                      "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", "garbage"}),
    };
    for (const auto& head : heads) {
        CAPTURE(head);
        CHECK(failure_of(head).error == upgrade_error::malformed);
    }
}

TEST_CASE("a response head is at most max_response_head bytes, blank line included", "[loadgen][ws][handshake]") {
    // A valid 101 padded by one header to exactly `size` bytes.
    const auto padded = [](std::size_t size) {
        const std::string base = rfc_response;
        const std::string pad_name = "X-Pad: ";
        std::string head = base.substr(0, base.size() - 2);
        head += pad_name;
        head += std::string(size - base.size() - pad_name.size() - 2, 'a');
        head += "\r\n\r\n";
        REQUIRE(head.size() == size);
        return head;
    };
    SECTION("a whole head of exactly the limit is read") {
        auto parsed = parse_upgrade_response(padded(max_response_head), rfc_key);
        REQUIRE(parsed.ok());
        CHECK(*parsed == max_response_head);
    }
    SECTION("a whole head one byte longer is too long") {
        CHECK(failure_of(padded(max_response_head + 1)).error == upgrade_error::too_long);
    }
    SECTION("an unterminated head waits up to the limit, then is too long") {
        const std::string endless = "HTTP/1.1 101 Switching Protocols\r\nX-Pad: " + std::string(max_response_head, 'a');
        CHECK(failure_of(std::string_view(endless).substr(0, max_response_head)).error == upgrade_error::incomplete);
        CHECK(failure_of(std::string_view(endless).substr(0, max_response_head + 1)).error == upgrade_error::too_long);
    }
    SECTION("a refusal with a head over the limit is too long, not refused") {
        const std::string huge = response("HTTP/1.1 404 Not Found", {"X-Pad: " + std::string(max_response_head, 'a')});
        CHECK(failure_of(huge).error == upgrade_error::too_long);
    }
}

TEST_CASE("every upgrade error has a name", "[loadgen][ws][handshake]") {
    for (const auto error : {upgrade_error::incomplete, upgrade_error::malformed, upgrade_error::refused,
                             upgrade_error::bad_accept, upgrade_error::too_long}) {
        CHECK(to_string(error) != "unknown");
        CHECK_FALSE(to_string(error).empty());
    }
}

// ---- client frames ----

TEST_CASE("RFC 6455 5.7: a masked \"Hello\" from the client", "[loadgen][ws][frames]") {
    std::string out;
    append_client_frame(out, opcode::text, as_bytes("Hello"), {0x37, 0xfa, 0x21, 0x3d});
    CHECK(bytes(out.begin(), out.end()) ==
          to_bytes({0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58}));
}

TEST_CASE("client frames are final, masked, minimally sized, and unmask to their payload", "[loadgen][ws][frames]") {
    struct example {
        std::size_t payload;
        std::size_t header;  // including the 4 mask bytes
        std::uint8_t length_byte;
    };
    const std::array<std::uint8_t, 4> mask{0xa1, 0x02, 0xf3, 0x44};
    const std::vector<example> examples = {
        {0, 6, 0x80},         {1, 6, 0x81},           {125, 6, 0x80 | 125},    {126, 8, 0x80 | 126},
        {127, 8, 0x80 | 126}, {65535, 8, 0x80 | 126}, {65536, 14, 0x80 | 127}, {70000, 14, 0x80 | 127},
    };
    for (const auto code : {opcode::binary, opcode::text, opcode::close, opcode::pong}) {
        for (const auto& [size, header, length_byte] : examples) {
            if (static_cast<std::uint8_t>(code) >= 8 && size > 125) continue;
            CAPTURE(static_cast<int>(code), size);
            bytes payload(size);
            for (std::size_t i = 0; i < size; ++i) payload[i] = static_cast<std::uint8_t>(i * 7 + 3);

            std::string out = "kept";  // appends: what was in the buffer stays
            append_client_frame(out, code, payload, mask);
            REQUIRE(out.size() == 4 + header + size);
            CHECK(out.starts_with("kept"));
            const byte_view frame = as_bytes(out).subspan(4);
            CHECK(frame[0] == (0x80 | static_cast<std::uint8_t>(code)));
            CHECK(frame[1] == length_byte);
            std::uint64_t encoded_length = frame[1] & 0x7f;
            if (encoded_length == 126) {
                encoded_length = (std::uint64_t{frame[2]} << 8) | frame[3];
            } else if (encoded_length == 127) {
                encoded_length = 0;
                for (std::size_t i = 2; i < 10; ++i) encoded_length = (encoded_length << 8) | frame[i];
            }
            CHECK(encoded_length == size);
            CHECK(bytes(frame.begin() + static_cast<std::ptrdiff_t>(header) - 4,
                        frame.begin() + static_cast<std::ptrdiff_t>(header)) == bytes(mask.begin(), mask.end()));
            CHECK(unmask(frame.subspan(header), mask) == payload);
            // A server would never send this: scan_frame refuses a masked frame.
            frame_view seen;
            CHECK(scan_frame(frame, 1 << 20, seen) == scan_status::protocol_error);
        }
    }
}

// ---- server frames ----

TEST_CASE("RFC 6455 5.7: the unmasked server examples are read in place", "[loadgen][ws][frames]") {
    struct example {
        const char* name;
        bytes input;
        opcode code;
        bool fin;
        std::size_t header;
        std::size_t payload;
    };
    const std::vector<example> examples = {
        {"a single-frame unmasked text message", to_bytes({0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f}), opcode::text,
         true, 2, 5},
        {"the first fragment of \"Hello\"", to_bytes({0x01, 0x03, 0x48, 0x65, 0x6c}), opcode::text, false, 2, 3},
        {"its last fragment", to_bytes({0x80, 0x02, 0x6c, 0x6f}), opcode::continuation, true, 2, 2},
        {"an unmasked ping", to_bytes({0x89, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f}), opcode::ping, true, 2, 5},
        {"256 bytes binary in a single unmasked frame", server_frame(0x82, 256), opcode::binary, true, 4, 256},
        {"64KiB binary in a single unmasked frame", server_frame(0x82, 65536), opcode::binary, true, 10, 65536},
        {"an empty close", to_bytes({0x88, 0x00}), opcode::close, true, 2, 0},
        {"a close with status 1000", to_bytes({0x88, 0x02, 0x03, 0xe8}), opcode::close, true, 2, 2},
        {"an empty pong", to_bytes({0x8a, 0x00}), opcode::pong, true, 2, 0},
        {"a 125-byte ping, the longest control frame", server_frame(0x89, 125), opcode::ping, true, 2, 125},
        {"126 bytes: the shortest 16-bit length", server_frame(0x82, 126), opcode::binary, true, 4, 126},
        {"65535 bytes: the longest 16-bit length", server_frame(0x82, 65535), opcode::binary, true, 4, 65535},
    };
    CHECK(bytes(examples[4].input.begin(), examples[4].input.begin() + 4) == to_bytes({0x82, 0x7e, 0x01, 0x00}));
    CHECK(bytes(examples[5].input.begin(), examples[5].input.begin() + 10) ==
          to_bytes({0x82, 0x7f, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00}));
    for (const auto& [name, input, code, fin, header, payload] : examples) {
        CAPTURE(name);
        // The frame followed by the next one's first byte: scan stops at the frame's end.
        bytes buffer = input;
        buffer.push_back(0x82);
        frame_view frame;
        REQUIRE(scan_frame(buffer, 1 << 20, frame) == scan_status::complete);
        CHECK(frame.code == code);
        CHECK(frame.fin == fin);
        CHECK(frame.size == header + payload);
        CHECK(frame.payload.data() == buffer.data() + header);  // in place, no copy
        CHECK(frame.payload.size() == payload);
    }
}

TEST_CASE("server frames that break RFC 6455 are protocol errors, judged from the header alone",
          "[loadgen][ws][frames]") {
    struct example {
        const char* name;
        bytes header;
    };
    std::vector<example> examples = {
        {"masked by the server", to_bytes({0x82, 0x81, 1, 2, 3, 4, 0})},
        {"masked, empty", to_bytes({0x81, 0x80})},
        {"RSV1", to_bytes({0xc2, 0x00})},
        {"RSV2", to_bytes({0xa2, 0x00})},
        {"RSV3", to_bytes({0x92, 0x00})},
        {"RSV1 on a control frame", to_bytes({0xc9, 0x00})},
        {"a fragmented ping", to_bytes({0x09, 0x00})},
        {"a fragmented close", to_bytes({0x08, 0x00})},
        {"a fragmented pong", to_bytes({0x0a, 0x00})},
        {"a 126-byte ping", to_bytes({0x89, 0x7e, 0x00, 0x7e})},
        {"a 65536-byte close", to_bytes({0x88, 0x7f, 0, 0, 0, 0, 0, 1, 0, 0})},
        {"a 16-bit length under 126", to_bytes({0x82, 0x7e, 0x00, 0x7d})},
        {"a 16-bit length of zero", to_bytes({0x82, 0x7e, 0x00, 0x00})},
        {"a 64-bit length under 65536", to_bytes({0x82, 0x7f, 0, 0, 0, 0, 0, 0, 0xff, 0xff})},
        {"a 64-bit length of 126", to_bytes({0x82, 0x7f, 0, 0, 0, 0, 0, 0, 0, 0x7e})},
        {"a 64-bit length with the top bit set", to_bytes({0x82, 0x7f, 0x80, 0, 0, 0, 0, 1, 0, 0})},
        {"a 64-bit length of all ones", to_bytes({0x82, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff})},
    };
    for (const int reserved : {3, 4, 5, 6, 7, 11, 12, 13, 14, 15}) {
        examples.push_back({"a reserved opcode", to_bytes({0x80 | reserved, 0x00})});
    }
    for (const auto& [name, header] : examples) {
        CAPTURE(name, header);
        frame_view frame;
        CHECK(scan_frame(header, 1 << 20, frame) == scan_status::protocol_error);
        // The same with a few more bytes behind it: still refused.
        bytes longer = header;
        longer.resize(header.size() + 200, 0x41);
        CHECK(scan_frame(longer, 1 << 20, frame) == scan_status::protocol_error);
    }
}

TEST_CASE("a payload over the limit is too_big as soon as its length is known", "[loadgen][ws][frames]") {
    struct example {
        std::size_t length;
        std::size_t max_payload;
        scan_status expected;
    };
    const std::vector<example> examples = {
        {0, 0, scan_status::complete},         {1, 0, scan_status::too_big},
        {125, 125, scan_status::complete},     {125, 124, scan_status::too_big},
        {126, 126, scan_status::complete},     {126, 125, scan_status::too_big},
        {65535, 65535, scan_status::complete}, {65536, 65535, scan_status::too_big},
        {65536, 65536, scan_status::complete}, {70000, 69999, scan_status::too_big},
    };
    for (const auto& [length, max_payload, expected] : examples) {
        CAPTURE(length, max_payload);
        const bytes whole = server_frame(0x82, length);
        frame_view frame;
        CHECK(scan_frame(whole, max_payload, frame) == expected);
        if (expected == scan_status::too_big) {
            const std::size_t header = length < 126 ? 2 : length <= 0xffff ? 4 : 10;
            CHECK(scan_frame(byte_view(whole).first(header), max_payload, frame) == scan_status::too_big);
        }
    }
    SECTION("a 2^62-byte frame under an unlimited cap waits for bytes that never fit, without overflow") {
        const bytes header = to_bytes({0x82, 0x7f, 0x40, 0, 0, 0, 0, 0, 0, 0});
        frame_view frame;
        CHECK(scan_frame(header, SIZE_MAX, frame) == scan_status::need_more);
        CHECK(scan_frame(header, std::size_t{1} << 40, frame) == scan_status::too_big);
    }
}

TEST_CASE("every proper prefix of a frame is need_more and leaves the frame untouched", "[loadgen][ws][frames]") {
    for (const bytes& whole :
         {server_frame(0x81, 5), server_frame(0x89, 0), server_frame(0x82, 300), server_frame(0x82, 65536)}) {
        frame_view frame;
        frame.size = 12345;
        for (std::size_t n = 0; n < whole.size(); ++n) {
            if (scan_frame(byte_view(whole).first(n), 1 << 20, frame) != scan_status::need_more) {
                FAIL("prefix of " << n << " of a " << whole.size() << "-byte frame");
            }
        }
        CHECK(frame.size == 12345);
        REQUIRE(scan_frame(whole, 1 << 20, frame) == scan_status::complete);
        CHECK(frame.size == whole.size());
    }
}

TEST_CASE("a run of server frames reads the same under every chunking", "[loadgen][ws][frames]") {
    const bytes hello = to_bytes({0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f});
    const bytes ping = to_bytes({0x89, 0x00});
    const bytes fragment_start = to_bytes({0x02, 0x02, 0xaa, 0xbb});
    const bytes fragment_end = to_bytes({0x80, 0x01, 0xcc});
    const std::vector<scanned> small_expected = {
        {opcode::text, true, to_bytes({0x48, 0x65, 0x6c, 0x6c, 0x6f})},
        {opcode::ping, true, {}},
        {opcode::binary, false, to_bytes({0xaa, 0xbb})},
        {opcode::continuation, true, to_bytes({0xcc})},
    };

    SECTION("every one of the 2^15 chunkings of a 16-byte run of four frames") {
        const bytes input = concat({hello, ping, fragment_start, fragment_end});
        REQUIRE(input.size() == 16);
        REQUIRE(scan_whole(input) == small_expected);
        for (std::uint32_t cuts = 0; cuts < (1U << (input.size() - 1)); ++cuts) {
            chunked_reader reader;
            std::size_t start = 0;
            for (std::size_t i = 1; i <= input.size(); ++i) {
                if (i == input.size() || (cuts & (1U << (i - 1))) != 0) {
                    reader.feed(byte_view(input).subspan(start, i - start));
                    start = i;
                }
            }
            if (reader.frames != small_expected || !reader.buffer.empty()) FAIL("chunking " << cuts);
        }
    }

    const bytes input = concat({hello, server_frame(0x82, 300), ping, server_frame(0x82, 65536), server_frame(0x88, 2),
                                server_frame(0x82, 126), fragment_start, fragment_end});
    const std::vector<scanned> expected = scan_whole(input);
    REQUIRE(expected.size() == 8);
    CHECK(expected[1].payload.size() == 300);
    CHECK(expected[3].payload.size() == 65536);
    CHECK(expected[4].code == opcode::close);

    SECTION("split in two at every point near a frame boundary (every header split), and every 61st byte") {
        std::vector<std::size_t> boundaries{0};
        for (const auto& frame : expected) {
            const std::size_t payload = frame.payload.size();
            const std::size_t header = payload < 126 ? 2 : payload <= 0xffff ? 4 : 10;
            boundaries.push_back(boundaries.back() + header + payload);
        }
        REQUIRE(boundaries.back() == input.size());
        for (std::size_t split = 0; split <= input.size(); ++split) {
            const bool near_boundary = std::any_of(boundaries.begin(), boundaries.end(),
                                                   [&](std::size_t b) { return split + 16 >= b && split <= b + 16; });
            if (!near_boundary && split % 61 != 0) continue;
            chunked_reader reader;
            reader.feed(byte_view(input).first(split));
            reader.feed(byte_view(input).subspan(split));
            if (reader.frames != expected || !reader.buffer.empty()) FAIL("split at " << split);
        }
    }
    SECTION("split in two at every point of a run without a 64-bit length") {
        const bytes shorter = concat({hello, server_frame(0x82, 300), ping, server_frame(0x88, 2),
                                      server_frame(0x82, 126), fragment_start, fragment_end});
        const std::vector<scanned> shorter_expected = scan_whole(shorter);
        REQUIRE(shorter_expected.size() == 7);
        for (std::size_t split = 0; split <= shorter.size(); ++split) {
            chunked_reader reader;
            reader.feed(byte_view(shorter).first(split));
            reader.feed(byte_view(shorter).subspan(split));
            if (reader.frames != shorter_expected || !reader.buffer.empty()) FAIL("split at " << split);
        }
    }
    SECTION("one byte at a time") {
        chunked_reader reader;
        for (const auto byte : input) reader.feed(byte_view(&byte, 1));
        CHECK(reader.frames == expected);
        CHECK(reader.buffer.empty());
    }
    SECTION("chunk sizes from a fixed pseudo-random sequence") {
        for (std::uint32_t seed = 1; seed <= 64; ++seed) {
            chunked_reader reader;
            std::uint32_t state = seed;
            for (std::size_t at = 0; at < input.size();) {
                state = state * 1664525U + 1013904223U;
                const std::size_t n = std::min<std::size_t>(input.size() - at, 1 + (state >> 8) % 97);
                reader.feed(byte_view(input).subspan(at, n));
                at += n;
            }
            if (reader.frames != expected || !reader.buffer.empty()) FAIL("seed " << seed);
        }
    }
}

TEST_CASE("a bad frame behind good ones stops the read there, whatever the chunking", "[loadgen][ws][frames]") {
    const bytes good = server_frame(0x82, 200);
    const bytes masked = to_bytes({0x82, 0x81, 1, 2, 3, 4, 0});
    const bytes input = concat({good, good, masked, good});
    for (std::size_t split = 0; split <= input.size(); ++split) {
        chunked_reader reader;
        reader.feed(byte_view(input).first(split));
        reader.feed(byte_view(input).subspan(split));
        CAPTURE(split);
        CHECK(reader.frames.size() == 2);
        CHECK(reader.last == scan_status::protocol_error);
    }
}
