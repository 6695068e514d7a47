// The client-frame parser (every chunking of a stream gives the same events, every RFC 6455
// violation its close code) and the server-frame header encoder.
#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "stoa/server/ws_frame_header.hpp"
#include "stoa/server/ws_frame_parser.hpp"

using stoa::server::make_frame_header;
using stoa::server::ws_event;
using stoa::server::ws_frame_parser;
using stoa::server::ws_opcode;
using stoa::server::ws_parse_error;

namespace {

using bytes = std::vector<std::uint8_t>;

enum class length_form { minimal, force_16, force_64 };

// A client frame as a browser would send it: masked, with the given first-byte bits.
bytes client_frame(std::uint8_t first_byte, const std::string& payload, bool masked = true,
                   length_form form = length_form::minimal) {
    bytes out{first_byte};
    const std::uint8_t mask_bit = masked ? 0x80 : 0x00;
    const std::size_t n = payload.size();
    if (form == length_form::minimal && n < 126) {
        out.push_back(static_cast<std::uint8_t>(mask_bit | n));
    } else if (form != length_form::force_64 && n <= 0xffff) {
        out.push_back(mask_bit | 126);
        out.push_back(static_cast<std::uint8_t>(n >> 8));
        out.push_back(static_cast<std::uint8_t>(n));
    } else {
        out.push_back(mask_bit | 127);
        for (int i = 7; i >= 0; --i) out.push_back(static_cast<std::uint8_t>(static_cast<std::uint64_t>(n) >> (8 * i)));
    }
    const std::uint8_t mask[4] = {0x37, 0xfa, 0x21, 0x3d};
    if (masked) out.insert(out.end(), mask, mask + 4);
    for (std::size_t i = 0; i < n; ++i) {
        out.push_back(static_cast<std::uint8_t>(static_cast<std::uint8_t>(payload[i]) ^ (masked ? mask[i % 4] : 0)));
    }
    return out;
}

bytes operator+(bytes a, const bytes& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

constexpr std::uint8_t fin = 0x80;

struct parsed {
    ws_parse_error error = ws_parse_error::none;
    std::vector<ws_event> events;
};

// Feeds `input` cut at each of `cuts` (ascending offsets).
parsed feed_in_pieces(const bytes& input, const std::vector<std::size_t>& cuts, std::size_t max = 1 << 20) {
    ws_frame_parser parser(max);
    parsed result;
    std::size_t from = 0;
    for (std::size_t cut : cuts) {
        result.error = parser.feed(std::span(input.data() + from, cut - from), result.events);
        from = cut;
    }
    result.error = parser.feed(std::span(input.data() + from, input.size() - from), result.events);
    return result;
}

parsed feed_whole(const bytes& input, std::size_t max = 1 << 20) { return feed_in_pieces(input, {}, max); }

void check_same(const parsed& a, const parsed& b) {
    REQUIRE(a.error == b.error);
    REQUIRE(a.events.size() == b.events.size());
    for (std::size_t i = 0; i < a.events.size(); ++i) {
        CHECK(a.events[i].type == b.events[i].type);
        CHECK(a.events[i].payload == b.events[i].payload);
        CHECK(a.events[i].close_code == b.events[i].close_code);
    }
}

}  // namespace

TEST_CASE("client frames become messages and control events", "[server][ws_frame]") {
    const std::string medium(300, 'm');
    const std::string large(70'000, 'L');
    const bytes stream = client_frame(fin | 0x1, "hello") + client_frame(fin | 0x2, std::string("\x00\x01\x02", 3)) +
                         client_frame(fin | 0x2, medium) + client_frame(fin | 0x2, large) +
                         client_frame(0x1, "frag") + client_frame(fin | 0x9, "p") + client_frame(0x0, "men") +
                         client_frame(fin | 0x0, "ted") + client_frame(fin | 0xA, "") + client_frame(fin | 0x2, "") +
                         client_frame(fin | 0x8, std::string("\x03\xe8", 2) + "bye");
    const parsed whole = feed_whole(stream);
    REQUIRE(whole.error == ws_parse_error::none);
    REQUIRE(whole.events.size() == 9);
    CHECK(whole.events[0].type == ws_event::kind::text);
    CHECK(whole.events[0].payload == "hello");
    CHECK(whole.events[1].type == ws_event::kind::binary);
    CHECK(whole.events[1].payload == std::string("\x00\x01\x02", 3));
    CHECK(whole.events[2].payload == medium);
    CHECK(whole.events[3].payload == large);
    // A control frame may arrive between fragments; it is delivered before the message it interrupts.
    CHECK(whole.events[4].type == ws_event::kind::ping);
    CHECK(whole.events[4].payload == "p");
    CHECK(whole.events[5].type == ws_event::kind::text);
    CHECK(whole.events[5].payload == "fragmented");
    CHECK(whole.events[6].type == ws_event::kind::pong);
    CHECK(whole.events[7].type == ws_event::kind::binary);
    CHECK(whole.events[7].payload.empty());
    CHECK(whole.events[8].type == ws_event::kind::close);
    CHECK(whole.events[8].close_code == 1000);
    CHECK(whole.events[8].payload == "bye");

    SECTION("split in two at every offset") {
        for (std::size_t cut = 1; cut < stream.size(); cut += (cut < 400 || cut > stream.size() - 400) ? 1 : 97) {
            check_same(feed_in_pieces(stream, {cut}), whole);
        }
    }
    SECTION("one byte at a time") {
        std::vector<std::size_t> cuts;
        for (std::size_t i = 1; i < stream.size(); ++i) cuts.push_back(i);
        check_same(feed_in_pieces(stream, cuts), whole);
    }
}

TEST_CASE("a close frame without payload reports 1005", "[server][ws_frame]") {
    const parsed result = feed_whole(client_frame(fin | 0x8, ""));
    REQUIRE(result.events.size() == 1);
    CHECK(result.events[0].type == ws_event::kind::close);
    CHECK(result.events[0].close_code == 1005);
}

TEST_CASE("protocol violations and oversized messages fail with their close code", "[server][ws_frame]") {
    struct row {
        const char* name;
        bytes input;
        ws_parse_error error;
    };
    const std::vector<row> rows{
        {"unmasked client frame", client_frame(fin | 0x2, "x", false), ws_parse_error::protocol_error},
        {"reserved bit set", client_frame(fin | 0x40 | 0x2, "x"), ws_parse_error::protocol_error},
        {"unknown opcode", client_frame(fin | 0x3, "x"), ws_parse_error::protocol_error},
        {"fragmented control frame", client_frame(0x9, "x"), ws_parse_error::protocol_error},
        {"control frame over 125 bytes", client_frame(fin | 0x9, std::string(126, 'p')), ws_parse_error::protocol_error},
        {"continuation without a message", client_frame(fin | 0x0, "x"), ws_parse_error::protocol_error},
        {"new message inside a fragmented one", client_frame(0x1, "a") + client_frame(fin | 0x1, "b"),
         ws_parse_error::protocol_error},
        {"close with a one-byte payload", client_frame(fin | 0x8, "x"), ws_parse_error::protocol_error},
        {"16-bit length for a short payload", client_frame(fin | 0x2, "x", true, length_form::force_16),
         ws_parse_error::protocol_error},
        {"64-bit length for a short payload", client_frame(fin | 0x2, "x", true, length_form::force_64),
         ws_parse_error::protocol_error},
        {"message over the limit", client_frame(fin | 0x2, std::string(1001, 'x')), ws_parse_error::too_big},
        {"fragments adding up over the limit",
         client_frame(0x2, std::string(600, 'x')) + client_frame(fin | 0x0, std::string(600, 'x')),
         ws_parse_error::too_big},
    };
    for (const row& r : rows) {
        SECTION(r.name) {
            // A good message before the bad frame is still delivered; input after it is ignored.
            const bytes input = client_frame(fin | 0x1, "ok") + r.input + client_frame(fin | 0x1, "after");
            const parsed result = feed_whole(input, 1000);
            CHECK(result.error == r.error);
            REQUIRE(result.events.size() == 1);
            CHECK(result.events[0].payload == "ok");
            for (std::size_t cut = 1; cut < input.size(); ++cut) {
                const parsed split = feed_in_pieces(input, {cut}, 1000);
                CHECK(split.error == r.error);
                CHECK(split.events.size() == 1);
            }
        }
    }
}

TEST_CASE("memory follows the bytes received, not the length a header announces", "[server][ws_frame]") {
    // A peer announcing a 1 MB frame and trickling its bytes must not pin a megabyte per connection.
    const std::string payload(1'000'000, 'B');
    const bytes frame = client_frame(fin | 0x2, payload);
    ws_frame_parser parser(2 * payload.size());
    std::vector<ws_event> events;
    REQUIRE(parser.feed(std::span(frame.data(), 14 + 10), events) == ws_parse_error::none);  // header + 10 bytes
    CHECK(events.empty());
    CHECK(parser.buffered_capacity() < 1024);

    // As the rest arrives the buffer grows with it, at most about twice what arrived.
    std::size_t fed = 24;
    for (const std::size_t step : {1000U, 50'000U, 200'000U}) {
        REQUIRE(parser.feed(std::span(frame.data() + fed, step), events) == ws_parse_error::none);
        fed += step;
        INFO(fed);
        CHECK(parser.buffered_capacity() <= 2 * (fed - 14) + 64);
    }
    REQUIRE(parser.feed(std::span(frame.data() + fed, frame.size() - fed), events) == ws_parse_error::none);
    REQUIRE(events.size() == 1);
    CHECK(events[0].payload == payload);
    CHECK(parser.buffered_capacity() < 1024);  // the message was handed out with its buffer

    SECTION("fragments: each continuation grows the message by what arrived") {
        const std::string first(300'000, 'f');
        const std::string second(400'000, 's');
        const bytes fragments = client_frame(0x2, first) + client_frame(fin | 0x0, second);
        const std::size_t second_header = first.size() + 14;  // where the continuation starts
        ws_frame_parser fragmented(1'000'000);
        std::vector<ws_event> out;
        REQUIRE(fragmented.feed(std::span(fragments.data(), second_header + 14 + 5), out) == ws_parse_error::none);
        CHECK(out.empty());
        // The first fragment and 5 bytes of the second: nothing reserved for the other 399,995.
        CHECK(fragmented.buffered_capacity() <= 2 * (first.size() + 5) + 64);
        CHECK(fragmented.buffered_capacity() < first.size() + second.size());
        REQUIRE(fragmented.feed(std::span(fragments.data() + second_header + 19, fragments.size() - second_header - 19),
                                out) == ws_parse_error::none);
        REQUIRE(out.size() == 1);
        CHECK(out[0].payload == first + second);
    }
}

TEST_CASE("a 64-bit length with the top bit set is refused", "[server][ws_frame]") {
    bytes input{fin | 0x2, 0x80 | 127, 0x80, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4};
    CHECK(feed_whole(input).error == ws_parse_error::protocol_error);
}

TEST_CASE("server frame headers use the shortest length form", "[server][ws_frame]") {
    struct row {
        std::uint64_t size;
        std::size_t header_size;
    };
    for (const row r : {row{0, 2}, row{125, 2}, row{126, 4}, row{65535, 4}, row{65536, 10}, row{1ull << 40, 10}}) {
        const auto header = make_frame_header(ws_opcode::binary, r.size);
        CHECK(header.size == r.header_size);
        CHECK(header.bytes[0] == (0x80 | 0x2));
        CHECK((header.bytes[1] & 0x80) == 0);  // server frames are never masked
        std::uint64_t decoded = header.bytes[1] & 0x7f;
        if (decoded == 126) decoded = (std::uint64_t{header.bytes[2]} << 8) | header.bytes[3];
        if (decoded == 127) {
            decoded = 0;
            for (std::size_t i = 2; i < 10; ++i) decoded = (decoded << 8) | header.bytes[i];
        }
        CHECK(decoded == r.size);
    }
    CHECK(make_frame_header(ws_opcode::text, 5).bytes[0] == (0x80 | 0x1));
    CHECK(make_frame_header(ws_opcode::close, 2).bytes[0] == (0x80 | 0x8));
}
