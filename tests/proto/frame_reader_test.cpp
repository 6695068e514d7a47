#include <catch2/catch.hpp>

#include "samples.hpp"
#include "stoa/proto/frame_reader.hpp"

using namespace stoa;
using namespace stoa::proto;

namespace {

struct collected {
    std::vector<std::pair<frame_kind, bytes>> frames;
    bool failed = false;
    proto_error error{};
};

// Feeds `stream` in chunks ending at the given cut points.
collected feed_cut(const bytes& stream, const std::vector<std::size_t>& cuts, std::size_t max_payload = 4096) {
    collected out;
    frame_reader reader(max_payload);
    std::size_t at = 0;
    auto feed = [&](std::size_t end) {
        auto s = reader.feed(byte_view(stream.data() + at, end - at), [&](frame_kind kind, byte_view payload) {
            out.frames.push_back({kind, bytes(payload.begin(), payload.end())});
        });
        if (!s.ok() && !out.failed) {
            out.failed = true;
            out.error = s.error().code;
        }
        at = end;
    };
    for (auto c : cuts) feed(c);
    feed(stream.size());
    return out;
}

bytes sample_stream() {
    bytes stream;
    append_frame(stream, frame_kind::text, as_bytes(R"({"v":1,"type":"ping","nonce":1})"));
    append_frame(stream, frame_kind::binary, samples::blob(0));
    append_frame(stream, frame_kind::binary, samples::blob(300));
    append_frame(stream, frame_kind::text, as_bytes("x"));
    return stream;
}

}  // namespace

TEST_CASE("frames come out the same for every split point of the stream", "[proto][frames]") {
    const bytes stream = sample_stream();
    const auto whole = feed_cut(stream, {});
    REQUIRE_FALSE(whole.failed);
    REQUIRE(whole.frames.size() == 4);
    CHECK(whole.frames[1].second.empty());
    CHECK(whole.frames[2].second == samples::blob(300));
    for (std::size_t cut = 0; cut <= stream.size(); ++cut) {
        INFO("cut at " << cut);
        const auto split = feed_cut(stream, {cut});
        CHECK_FALSE(split.failed);
        CHECK(split.frames == whole.frames);
    }
}

TEST_CASE("frames come out the same when every byte arrives alone", "[proto][frames]") {
    const bytes stream = sample_stream();
    std::vector<std::size_t> cuts;
    for (std::size_t i = 1; i < stream.size(); ++i) cuts.push_back(i);
    CHECK(feed_cut(stream, cuts).frames == feed_cut(stream, {}).frames);
}

TEST_CASE("two split points at every pair of positions give the same frames", "[proto][frames]") {
    bytes stream;
    append_frame(stream, frame_kind::text, as_bytes("{}"));
    append_frame(stream, frame_kind::binary, samples::blob(7));
    const auto whole = feed_cut(stream, {});
    for (std::size_t a = 0; a <= stream.size(); ++a)
        for (std::size_t b = a; b <= stream.size(); ++b) CHECK(feed_cut(stream, {a, b}).frames == whole.frames);
}

TEST_CASE("a bad frame header fails the reader for good", "[proto][frames]") {
    SECTION("unknown kind") {
        const bytes stream{0x02, 0, 0, 0, 1, 0x00};
        const auto r = feed_cut(stream, {3});
        CHECK(r.failed);
        CHECK(r.error == proto_error::unknown_type);
    }
    SECTION("length over the limit is refused before buffering") {
        bytes stream{0x01, 0, 0, 0x10, 0x01};  // 4097 > 4096
        const auto r = feed_cut(stream, {});
        CHECK(r.failed);
        CHECK(r.error == proto_error::message_too_large);
    }
    SECTION("frames before the bad header are still delivered, none after") {
        bytes stream;
        append_frame(stream, frame_kind::text, as_bytes("ok"));
        stream.push_back(0x09);
        append_frame(stream, frame_kind::text, as_bytes("never"));
        const auto r = feed_cut(stream, {});
        CHECK(r.failed);
        REQUIRE(r.frames.size() == 1);
    }
}

TEST_CASE("idle tells a clean end of stream from a cut one", "[proto][frames]") {
    bytes stream;
    append_frame(stream, frame_kind::text, as_bytes("abc"));
    frame_reader reader;
    auto nothing = [](frame_kind, byte_view) {};
    REQUIRE(reader.feed(byte_view(stream.data(), 4), nothing).ok());
    CHECK_FALSE(reader.idle());
    REQUIRE(reader.feed(byte_view(stream.data() + 4, stream.size() - 4), nothing).ok());
    CHECK(reader.idle());
}
