// The plain and socketio adapters, without sockets: each member is fed the exact messages
// baseline_ws.js, baseline_socketio.js and the peers fixture send, and its notes, outbound
// messages and sink calls are checked; then bad input, and the registry that names the adapters.
#include <catch2/catch.hpp>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "stoa/loadgen/driver/adapter_registry.hpp"
#include "stoa/loadgen/driver/fanout_control.hpp"
#include "stoa/loadgen/driver/fanout_frame.hpp"
#include "stoa/loadgen/driver/fanout_room.hpp"
#include "stoa/loadgen/driver/plain_adapter.hpp"
#include "stoa/loadgen/driver/socketio_adapter.hpp"
#include "stoa/loadgen/driver/socketio_packet.hpp"

using namespace stoa::loadgen;
using stoa::byte_view;
using stoa::bytes;
using stoa::from_micros;
using stoa::time_point;

namespace {

struct received {
    std::uint32_t sender = 0;
    std::uint32_t seq = 0;
    time_point sent_at;
    time_point now;
};

class recording_sink final : public media_sink {
public:
    void on_frame(std::uint32_t sender, std::uint32_t seq, time_point sent_at, time_point now) override {
        frames.push_back({sender, seq, sent_at, now});
    }
    void on_opaque_frame(time_point) override { ++opaque; }
    void on_playout(std::uint32_t, std::uint32_t, bool, time_point) override { ++playouts; }

    std::vector<received> frames;
    int opaque = 0;
    int playouts = 0;
};

// One simulated member with its own sink, and what it said since the last look.
struct simulated {
    simulated(protocol_adapter& adapter, std::uint32_t index, std::uint64_t seed, bool host) {
        member_profile profile;
        profile.index = member_index(index);
        profile.room = room_index(0);
        profile.host = host;
        profile.identity_seed = seed;
        protocol = adapter.make_member(profile, sink);
    }

    std::vector<wire_message> outbound() {
        std::vector<wire_message> out;
        protocol->take_outbound(out);
        return out;
    }
    std::vector<member_note> notes() {
        std::vector<member_note> out;
        protocol->take_notes(out);
        return out;
    }

    recording_sink sink;
    std::unique_ptr<member_protocol> protocol;
};

template <typename Note>
bool is(const member_note& any) {
    return std::holds_alternative<Note>(any);
}

// The one error note in `notes`, or a failed check.
std::string error_name(const std::vector<member_note>& notes) {
    REQUIRE(notes.size() == 1);
    const auto* error = std::get_if<note::error>(&notes.front());
    REQUIRE(error != nullptr);
    return error->name;
}

byte_view view(const std::string& data) {
    return stoa::as_bytes(data);
}

// What the peers fixture sends: the sequence number as it sits in memory (little-endian), then filler.
bytes fixture_frame(std::uint32_t seq, std::size_t size = 121) {
    bytes frame(size, 0x5A);
    for (int i = 0; i < 4; ++i) frame[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(seq >> (8 * i));
    return frame;
}

const std::string title = "stoa-load 1/0";
const bytes opus{0xF8, 0xFF, 0xFE, 0x01, 0x02};
constexpr std::uint64_t host_seed = 0x1000;
constexpr std::uint64_t listener_seed = 0xFEDCBA9876543210ULL;  // past 2^53: kept exact as hex

}  // namespace

// ---------------------------------------------------------------- wire formats

TEST_CASE("a fan-out frame carries speaker, sequence, room and send time ahead of the Opus packet",
          "[loadgen][adapters]") {
    std::string frame;
    write_fanout_frame(frame, 7, 0x01020304, 0x1122334455667788ULL, from_micros(1'000'000), opus);
    const bytes expected{0x00, 0x00, 0x00, 0x07, 0x01, 0x02, 0x03, 0x04, 'S',  'L',  'f',
                         '1',  0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x00, 0x00,
                         0x00, 0x00, 0x00, 0x0F, 0x42, 0x40, 0xF8, 0xFF, 0xFE, 0x01, 0x02};
    CHECK(bytes(view(frame).begin(), view(frame).end()) == expected);

    const auto read = read_fanout_frame(view(frame));
    REQUIRE(read.ok());
    CHECK(read->speaker == 7);
    CHECK(read->seq == 0x01020304);
    CHECK(read->room == 0x1122334455667788ULL);
    CHECK(read->sent_at == from_micros(1'000'000));
    CHECK(bytes(read->opus.begin(), read->opus.end()) == opus);
}

TEST_CASE("the peers fixture's frames read as the server's, with their little-endian sequence and no send time",
          "[loadgen][adapters]") {
    for (const std::size_t size : {std::size_t{8}, std::size_t{121}, std::size_t{125}}) {
        const auto read = read_fanout_frame(fixture_frame(0x0A0B0C0D, size));
        REQUIRE(read.ok());
        CHECK(read->speaker == fixture_sender);
        CHECK(read->seq == 0x0A0B0C0D);
        CHECK_FALSE(read->room.has_value());
        CHECK(read->sent_at == no_send_time);
    }
}

TEST_CASE("frames that are neither ours nor the fixture's, or ours cut short, are named errors",
          "[loadgen][adapters]") {
    std::string frame;
    write_fanout_frame(frame, 1, 2, 3, from_micros(4), opus);
    const bytes whole(view(frame).begin(), view(frame).end());

    CHECK(read_fanout_frame(byte_view(whole).first(12)).error() == fanout_error::truncated_frame);
    CHECK(read_fanout_frame(byte_view(whole).first(27)).error() == fanout_error::truncated_frame);
    CHECK(read_fanout_frame(byte_view(whole).first(28)).ok());  // a header and an empty packet
    CHECK(read_fanout_frame(byte_view(whole).first(10)).error() == fanout_error::bad_frame);
    CHECK(read_fanout_frame(bytes{}).error() == fanout_error::bad_frame);
    CHECK(read_fanout_frame(fixture_frame(1, 7)).error() == fanout_error::bad_frame);  // under the fixture's 8
    bytes dirty = fixture_frame(1);
    dirty[60] = 0;
    CHECK(read_fanout_frame(dirty).error() == fanout_error::bad_frame);
}

TEST_CASE("rooms are named by their title, the same everywhere", "[loadgen][adapters]") {
    CHECK(fanout_room_key("") == 0xCBF29CE484222325ULL);  // FNV-1a's published vectors
    CHECK(fanout_room_key("a") == 0xAF63DC4C8601EC8CULL);
    CHECK(fanout_room_ref("a") == room_ref{"af63dc4c8601ec8c", ""});
    CHECK(fanout_room_ref(title) == fanout_room_ref(title));
    CHECK_FALSE(fanout_room_ref(title) == fanout_room_ref("stoa-load 1/1"));
    CHECK(key_from_hex("af63dc4c8601ec8c") == 0xAF63DC4C8601EC8CULL);
    CHECK_FALSE(key_from_hex("AF63DC4C8601EC8C").has_value());
    CHECK_FALSE(key_from_hex("af63dc4c8601ec8").has_value());
    CHECK_FALSE(key_from_hex("af63dc4c8601ec8g").has_value());
}

TEST_CASE("announcements are flat JSON objects, read back in any key order", "[loadgen][adapters]") {
    const control_message join{control_kind::join, 0x1122334455667788ULL, 100, 7, "load 7"};
    CHECK(write_control(join) ==
          R"({"member":7,"name":"load 7","room":"1122334455667788","seed":"0000000000000064","type":"join"})");
    CHECK(read_control(write_control(join)).value() == join);

    // As a JS server re-serialises it, in its own order, with a field we do not know.
    const auto reordered = read_control(
        R"({"type":"join","room":"1122334455667788","seed":"0000000000000064","member":7,"name":"load 7","x":[1]})");
    REQUIRE(reordered.ok());
    CHECK(reordered.value() == join);

    const control_message invite{control_kind::invite, 5, listener_seed, 0, {}};
    CHECK(write_control(invite) == R"({"room":"0000000000000005","seed":"fedcba9876543210","type":"invite"})");
    CHECK(read_control(write_control(invite)).value() == invite);

    SECTION("anything else is bad_message") {
        for (const std::string_view text : {
                 "",
                 "garbage",
                 "[1,2]",
                 "null",
                 R"({"type":"join"})",
                 R"({"type":"dance","room":"0000000000000005","seed":"0000000000000005"})",
                 R"({"type":"leave","room":5,"seed":"0000000000000005"})",
                 R"({"type":"join","room":"0000000000000005","seed":"0000000000000005","member":-1})",
                 R"({"type":"join","room":"0000000000000005","seed":"0000000000000005","member":4294967296})",
                 R"({"type":"join","room":"0000000000000005","seed":"0000000000000005"})",
                 R"({"type":"invite","room":"0000000000000005","seed":"0000000000000005")",
                 "{\"type\":\"le\xff\xfe\"}",
             }) {
            INFO(text);
            const auto read = read_control(text);
            REQUIRE_FALSE(read.ok());
            CHECK(read.error() == fanout_error::bad_message);
        }
    }
}

TEST_CASE("Engine.IO and Socket.IO packets parse as socket.io-parser writes them", "[loadgen][adapters]") {
    using namespace stoa::loadgen::socketio;
    const auto open = read_engine_packet(R"(0{"sid":"x"})");
    REQUIRE(open.ok());
    CHECK(open->type == engine_type::open);
    CHECK(open->data == R"({"sid":"x"})");
    CHECK(read_engine_packet("7").error() == fanout_error::unknown_packet);
    CHECK(read_engine_packet("").error() == fanout_error::unknown_packet);

    const auto binary = read_packet(R"(51-["audio",{"_placeholder":true,"num":0}])");
    REQUIRE(binary.ok());
    CHECK(binary->type == packet_type::binary_event);
    CHECK(binary->attachments == 1);
    CHECK(binary->name_space == "/");
    CHECK_FALSE(binary->ack_id.has_value());
    CHECK(event_argument(binary->data, "audio") == placeholder_argument);

    const auto with_namespace = read_packet(R"(2/admin,12["audio",{}])");
    REQUIRE(with_namespace.ok());
    CHECK(with_namespace->name_space == "/admin");
    CHECK(with_namespace->ack_id == 12U);
    CHECK(with_namespace->data == R"(["audio",{}])");

    CHECK(read_packet("0").value().data.empty());
    CHECK(read_packet("").error() == fanout_error::bad_message);
    CHECK(read_packet("9").error() == fanout_error::unknown_packet);
    CHECK(read_packet("5-[]").error() == fanout_error::bad_message);
    CHECK(read_packet("5x-[]").error() == fanout_error::bad_message);
    CHECK(read_packet("517-[]").error() == fanout_error::bad_message);  // past max_attachments
    CHECK(read_packet("5[]").error() == fanout_error::bad_message);
    CHECK(read_packet("21234567890123456[]").error() == fanout_error::bad_message);

    CHECK(event_argument(R"(["audio",{"a":1}])", "audio") == R"({"a":1})");
    CHECK_FALSE(event_argument(R"(["audio"])", "audio").has_value());
    CHECK_FALSE(event_argument(R"(["chat",{}])", "audio").has_value());
    CHECK_FALSE(event_argument(R"(["audio",{})", "audio").has_value());

    CHECK(write_event("audio", "{}") == R"(42["audio",{}])");
    CHECK(write_binary_event_header("audio") == R"(451-["audio",{"_placeholder":true,"num":0}])");
    CHECK(pong_for("") == "3");
    CHECK(pong_for("probe") == "3probe");
}

// ---------------------------------------------------------------- plain

TEST_CASE("plain: a host opens its room by title, joins by announcing itself, and speaks", "[loadgen][adapters]") {
    auto adapter = make_plain_adapter();
    CHECK(adapter->name() == "plain");
    simulated host(*adapter, 0, host_seed, true);
    host.protocol->on_open(from_micros(0));
    CHECK(host.outbound().empty());  // the server speaks no greeting and wants none

    host.protocol->open_room(title, true);
    auto notes = host.notes();
    REQUIRE(notes.size() == 1);
    const room_ref ref = std::get<note::room_opened>(notes[0]).room;
    CHECK(ref == fanout_room_ref(title));  // closed or not: the servers admit anyone
    CHECK(host.outbound().empty());
    CHECK_FALSE(host.protocol->send_frame(opus, from_micros(0)));  // not in the room yet

    host.protocol->join(ref, "load 0");
    const auto sent = host.outbound();
    REQUIRE(sent.size() == 1);
    CHECK_FALSE(sent[0].binary);
    CHECK(read_control(sent[0].data).value() ==
          control_message{control_kind::join, fanout_room_key(title), host_seed, 0, "load 0"});
    notes = host.notes();
    REQUIRE(notes.size() == 2);
    CHECK(is<note::joined>(notes[0]));
    CHECK(is<note::on_stage>(notes[1]));  // a room's host speaks from the start

    REQUIRE(host.protocol->send_frame(opus, from_micros(20'000)));
    REQUIRE(host.protocol->send_frame(opus, from_micros(40'000)));
    const auto frames = host.outbound();
    REQUIRE(frames.size() == 2);
    for (std::uint32_t seq = 0; seq < 2; ++seq) {
        CHECK(frames[seq].binary);
        std::string expected;
        write_fanout_frame(expected, 0, seq, fanout_room_key(title), from_micros(20'000 * (seq + 1)), opus);
        CHECK(frames[seq].data == expected);
    }
    CHECK(host.notes().empty());
}

TEST_CASE("plain: listeners count every frame of their room, with its send time", "[loadgen][adapters]") {
    auto adapter = make_plain_adapter();
    simulated host(*adapter, 0, host_seed, true);
    simulated listener(*adapter, 5, listener_seed, false);
    const room_ref ref = fanout_room_ref(title);
    host.protocol->on_open(from_micros(0));
    host.protocol->join(ref, "load 0");
    (void)host.outbound();
    (void)host.notes();

    listener.protocol->on_open(from_micros(0));
    listener.protocol->look_up_room(title);
    auto notes = listener.notes();
    REQUIRE(notes.size() == 1);
    CHECK(std::get<note::room_lookup>(notes[0]).room == ref);

    // A frame before the member is in a room counts for nothing, and is no error.
    REQUIRE(host.protocol->send_frame(opus, from_micros(20'000)));
    listener.protocol->on_binary(view(host.outbound().at(0).data), from_micros(21'000));
    CHECK(listener.sink.frames.empty());
    CHECK(listener.notes().empty());

    listener.protocol->join(ref, "load 5");
    notes = listener.notes();
    REQUIRE(notes.size() == 1);
    CHECK(is<note::joined>(notes[0]));  // as soon as the announcement is out: nothing acknowledges it
    CHECK(listener.outbound().size() == 1);

    // baseline_ws.js hands the host's binary message on as it is.
    REQUIRE(host.protocol->send_frame(opus, from_micros(40'000)));
    listener.protocol->on_binary(view(host.outbound().at(0).data), from_micros(43'500));
    REQUIRE(listener.sink.frames.size() == 1);
    CHECK(listener.sink.frames[0].sender == 0);
    CHECK(listener.sink.frames[0].seq == 1);
    CHECK(listener.sink.frames[0].sent_at == from_micros(40'000));
    CHECK(listener.sink.frames[0].now == from_micros(43'500));

    SECTION("another room's frames, relayed to everyone, are not this room's") {
        std::string other;
        write_fanout_frame(other, 9, 0, fanout_room_key("stoa-load 1/1"), from_micros(1), opus);
        listener.protocol->on_binary(view(other), from_micros(2));
        CHECK(listener.sink.frames.size() == 1);
        CHECK(listener.notes().empty());
    }
    SECTION("a member's own frame echoed back is not counted") {
        std::string own;
        write_fanout_frame(own, 5, 0, fanout_room_key(title), from_micros(1), opus);
        listener.protocol->on_binary(view(own), from_micros(2));
        CHECK(listener.sink.frames.size() == 1);
    }
    SECTION("the peers fixture's frames count from the server, with no send time") {
        listener.protocol->on_binary(fixture_frame(41), from_micros(100));
        listener.protocol->on_binary(fixture_frame(42), from_micros(120));
        REQUIRE(listener.sink.frames.size() == 3);
        CHECK(listener.sink.frames[1].sender == fixture_sender);
        CHECK(listener.sink.frames[1].seq == 41);
        CHECK(listener.sink.frames[1].sent_at == no_send_time);
        CHECK(listener.sink.frames[2].seq == 42);
        CHECK(listener.notes().empty());
    }
    SECTION("a lost connection takes the member out of the room until it joins again") {
        listener.protocol->on_closed(from_micros(50'000));
        listener.protocol->on_binary(fixture_frame(1), from_micros(50'001));
        CHECK(listener.sink.frames.size() == 1);
        listener.protocol->on_open(from_micros(60'000));
        listener.protocol->join(ref, "load 5");
        CHECK(is<note::joined>(listener.notes().at(0)));
        CHECK(listener.outbound().size() == 1);
        listener.protocol->on_binary(fixture_frame(2), from_micros(60'001));
        CHECK(listener.sink.frames.size() == 2);
    }
    CHECK(listener.sink.opaque == 0);
}

TEST_CASE("plain: the host invites only members it has heard announce themselves", "[loadgen][adapters]") {
    auto adapter = make_plain_adapter();
    simulated host(*adapter, 0, host_seed, true);
    simulated listener(*adapter, 5, listener_seed, false);
    const room_ref ref = fanout_room_ref(title);
    for (auto* m : {&host, &listener}) {
        m->protocol->on_open(from_micros(0));
        m->protocol->join(ref, "load");
        (void)m->notes();
    }
    (void)host.outbound();
    const auto listener_join = listener.outbound().at(0);

    CHECK_FALSE(host.protocol->invite(listener_seed));  // not heard of yet: the driver asks again
    CHECK(host.outbound().empty());
    const std::size_t bytes_before = host.protocol->approximate_bytes();
    host.protocol->on_text(listener_join.data, from_micros(1));
    CHECK(host.notes().empty());
    CHECK(host.protocol->approximate_bytes() > bytes_before);  // presence costs memory, and says so
    REQUIRE(host.protocol->invite(listener_seed));
    const auto invite = host.outbound();
    REQUIRE(invite.size() == 1);
    CHECK(read_control(invite[0].data).value() ==
          control_message{control_kind::invite, fanout_room_key(title), listener_seed, 0, {}});

    // The invitation reaches everyone; only its invitee takes it.
    simulated bystander(*adapter, 6, 6, false);
    bystander.protocol->on_open(from_micros(0));
    bystander.protocol->join(ref, "load 6");
    (void)bystander.notes();
    bystander.protocol->on_text(invite[0].data, from_micros(2));
    CHECK(bystander.notes().empty());

    CHECK_FALSE(listener.protocol->send_frame(opus, from_micros(3)));
    listener.protocol->on_text(invite[0].data, from_micros(2));
    auto notes = listener.notes();
    REQUIRE(notes.size() == 1);
    CHECK(is<note::invited>(notes[0]));
    listener.protocol->accept_invite();
    notes = listener.notes();
    REQUIRE(notes.size() == 1);
    CHECK(is<note::on_stage>(notes[0]));
    CHECK(listener.protocol->send_frame(opus, from_micros(3)));
    CHECK(listener.outbound().size() == 1);

    listener.protocol->step_down();
    notes = listener.notes();
    REQUIRE(notes.size() == 1);
    CHECK(is<note::off_stage>(notes[0]));
    CHECK_FALSE(listener.protocol->send_frame(opus, from_micros(4)));

    // Leaving is an announcement too; the host forgets the member.
    listener.protocol->leave();
    const auto leave = listener.outbound();
    REQUIRE(leave.size() == 1);
    CHECK(read_control(leave[0].data).value().kind == control_kind::leave);
    notes = listener.notes();
    REQUIRE(notes.size() == 1);
    CHECK(std::get<note::removed>(notes[0]).planned);
    host.protocol->on_text(leave[0].data, from_micros(5));
    CHECK_FALSE(host.protocol->invite(listener_seed));

    // Another room's announcements are not this room's members.
    host.protocol->on_text(write_control({control_kind::join, fanout_room_key("other"), 77, 1, "x"}), from_micros(6));
    CHECK_FALSE(host.protocol->invite(77));
}

TEST_CASE("plain: bad input from the server is a named error, and the session goes on", "[loadgen][adapters]") {
    auto adapter = make_plain_adapter();
    const auto names = adapter->error_names();
    simulated listener(*adapter, 5, listener_seed, false);
    listener.protocol->on_open(from_micros(0));
    listener.protocol->join(fanout_room_ref(title), "load 5");
    (void)listener.notes();
    (void)listener.outbound();

    std::string frame;
    write_fanout_frame(frame, 0, 9, fanout_room_key(title), from_micros(10), opus);
    const bytes whole(view(frame).begin(), view(frame).end());
    struct case_t {
        const char* what;
        bool binary;
        std::string text;
        bytes data;
        std::string error;
    };
    const std::vector<case_t> cases{
        {"garbage text", false, "hello?", {}, "bad_message"},
        {"an unknown announcement",
         false,
         R"({"type":"kick","room":"0000000000000001","seed":"0000000000000001"})",
         {},
         "bad_message"},
        {"a truncated frame", true, {}, bytes(whole.begin(), whole.begin() + 20), "truncated_frame"},
        {"a binary stranger", true, {}, bytes{1, 2, 3}, "bad_frame"},
        {"an empty binary message", true, {}, bytes{}, "bad_frame"},
    };
    for (const auto& c : cases) {
        INFO(c.what);
        if (c.binary) {
            listener.protocol->on_binary(c.data, from_micros(1));
        } else {
            listener.protocol->on_text(c.text, from_micros(1));
        }
        CHECK(error_name(listener.notes()) == c.error);
        CHECK(std::find(names.begin(), names.end(), c.error) != names.end());
    }
    listener.protocol->on_binary(whole, from_micros(20));
    REQUIRE(listener.sink.frames.size() == 1);
    CHECK(listener.sink.frames[0].seq == 9);

    listener.protocol->join(room_ref{"not hex", ""}, "load 5");
    CHECK(error_name(listener.notes()) == "bad_room_ref");
}

// ---------------------------------------------------------------- socketio

namespace {

constexpr std::string_view engine_open =
    R"(0{"sid":"Aa1","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000})";
constexpr std::string_view namespace_ok = R"(40{"sid":"Bb2"})";
constexpr std::string_view frame_header = R"(451-["audio",{"_placeholder":true,"num":0}])";

// What baseline_socketio.js sends the room for a member's "audio" event with a JSON argument.
std::string relayed_event(const wire_message& event) {
    REQUIRE_FALSE(event.binary);
    REQUIRE(event.data.rfind("42", 0) == 0);
    return event.data;  // socket.to(room).emit("audio", payload) writes the same packet
}

// A socketio member through the Engine.IO handshake and into the room.
void connect_and_join(simulated& m, const room_ref& ref) {
    m.protocol->on_open(from_micros(0));
    m.protocol->on_text(engine_open, from_micros(0));
    m.protocol->join(ref, "load");
    m.protocol->on_text(namespace_ok, from_micros(0));
    (void)m.notes();
}

}  // namespace

TEST_CASE("socketio: the Engine.IO handshake, the namespace, then the room", "[loadgen][adapters]") {
    auto adapter = make_socketio_adapter();
    CHECK(adapter->name() == "socketio");
    simulated host(*adapter, 0, host_seed, true);
    host.protocol->on_open(from_micros(0));
    CHECK(host.outbound().empty());  // the server speaks first

    host.protocol->on_text(engine_open, from_micros(1));
    auto sent = host.outbound();
    REQUIRE(sent.size() == 1);
    CHECK(sent[0].data == "40");
    CHECK_FALSE(sent[0].binary);

    // The driver opens the room and joins before the namespace has answered: the join waits.
    host.protocol->open_room(title, false);
    auto notes = host.notes();
    REQUIRE(notes.size() == 1);
    CHECK(std::get<note::room_opened>(notes[0]).room == fanout_room_ref(title));
    host.protocol->join(fanout_room_ref(title), "load 0");
    CHECK(host.notes().empty());
    CHECK(host.outbound().empty());

    host.protocol->on_text(namespace_ok, from_micros(2));
    sent = host.outbound();
    REQUIRE(sent.size() == 1);
    const auto argument = socketio::event_argument(std::string_view(sent[0].data).substr(2), "audio");
    REQUIRE(argument.has_value());
    CHECK(read_control(*argument).value() ==
          control_message{control_kind::join, fanout_room_key(title), host_seed, 0, "load 0"});
    CHECK(sent[0].data.rfind("42[\"audio\",", 0) == 0);
    notes = host.notes();
    REQUIRE(notes.size() == 2);
    CHECK(is<note::joined>(notes[0]));
    CHECK(is<note::on_stage>(notes[1]));

    SECTION("Engine.IO pings are answered at once, in order with what was queued") {
        REQUIRE(host.protocol->send_frame(opus, from_micros(20'000)));
        host.protocol->on_text("2", from_micros(3));
        sent = host.outbound();
        REQUIRE(sent.size() == 3);
        CHECK(sent[0].data == frame_header);
        CHECK(sent[1].binary);
        CHECK(sent[2].data == "3");
        CHECK_FALSE(sent[2].binary);
        host.protocol->on_text("3", from_micros(4));  // a pong, or a noop: nothing to do
        host.protocol->on_text("6", from_micros(4));
        CHECK(host.outbound().empty());
        CHECK(host.notes().empty());
    }
    SECTION("a frame is an audio event with the payload as its one attachment") {
        REQUIRE(host.protocol->send_frame(opus, from_micros(20'000)));
        sent = host.outbound();
        REQUIRE(sent.size() == 2);
        CHECK(sent[0].data == frame_header);
        CHECK_FALSE(sent[0].binary);
        CHECK(sent[1].binary);
        std::string expected;
        write_fanout_frame(expected, 0, 0, fanout_room_key(title), from_micros(20'000), opus);
        CHECK(sent[1].data == expected);
    }
    SECTION("leaving announces it, then leaves the namespace") {
        host.protocol->leave();
        sent = host.outbound();
        REQUIRE(sent.size() == 2);
        CHECK(read_control(*socketio::event_argument(std::string_view(sent[0].data).substr(2), "audio")).value().kind ==
              control_kind::leave);
        CHECK(sent[1].data == "41");
        notes = host.notes();
        REQUIRE(notes.size() == 1);
        CHECK(std::get<note::removed>(notes[0]).planned);
    }
    SECTION("the server ending the namespace or the transport") {
        host.protocol->on_text("41", from_micros(5));
        notes = host.notes();
        REQUIRE(notes.size() == 1);
        CHECK_FALSE(std::get<note::removed>(notes[0]).planned);
        CHECK_FALSE(host.protocol->send_frame(opus, from_micros(6)));
        host.protocol->on_text("1", from_micros(7));
        notes = host.notes();
        REQUIRE(notes.size() == 1);
        CHECK(is<note::relay_shutdown>(notes[0]));
    }
}

TEST_CASE("socketio: frames and invitations between members, as the room relays them", "[loadgen][adapters]") {
    auto adapter = make_socketio_adapter();
    simulated host(*adapter, 0, host_seed, true);
    simulated listener(*adapter, 5, listener_seed, false);
    const room_ref ref = fanout_room_ref(title);
    connect_and_join(host, ref);
    connect_and_join(listener, ref);
    (void)host.outbound();
    auto sent = listener.outbound();
    REQUIRE(sent.size() == 2);  // "40", then its join announcement
    CHECK(sent[0].data == "40");
    const std::string listener_join = relayed_event(sent[1]);

    // The host speaks; the listener gets the header, then the attachment.
    REQUIRE(host.protocol->send_frame(opus, from_micros(20'000)));
    sent = host.outbound();
    REQUIRE(sent.size() == 2);
    listener.protocol->on_text(sent[0].data, from_micros(21'000));
    CHECK(listener.sink.frames.empty());
    listener.protocol->on_binary(view(sent[1].data), from_micros(22'000));
    REQUIRE(listener.sink.frames.size() == 1);
    CHECK(listener.sink.frames[0].sender == 0);
    CHECK(listener.sink.frames[0].seq == 0);
    CHECK(listener.sink.frames[0].sent_at == from_micros(20'000));
    CHECK(listener.sink.frames[0].now == from_micros(22'000));
    CHECK(listener.notes().empty());

    // Invitation, by announcement through the room.
    CHECK_FALSE(host.protocol->invite(listener_seed));
    host.protocol->on_text(listener_join, from_micros(23'000));
    REQUIRE(host.protocol->invite(listener_seed));
    sent = host.outbound();
    REQUIRE(sent.size() == 1);
    listener.protocol->on_text(relayed_event(sent[0]), from_micros(24'000));
    auto notes = listener.notes();
    REQUIRE(notes.size() == 1);
    CHECK(is<note::invited>(notes[0]));
    listener.protocol->accept_invite();
    notes = listener.notes();
    REQUIRE(notes.size() == 1);
    CHECK(is<note::on_stage>(notes[0]));
    REQUIRE(listener.protocol->send_frame(opus, from_micros(40'000)));
    sent = listener.outbound();
    REQUIRE(sent.size() == 2);
    host.protocol->on_text(sent[0].data, from_micros(41'000));
    host.protocol->on_binary(view(sent[1].data), from_micros(41'000));
    REQUIRE(host.sink.frames.size() == 1);
    CHECK(host.sink.frames[0].sender == 5);
}

TEST_CASE("socketio: bad input from the server is a named error, and the session goes on", "[loadgen][adapters]") {
    auto adapter = make_socketio_adapter();
    const auto names = adapter->error_names();
    simulated listener(*adapter, 5, listener_seed, false);
    connect_and_join(listener, fanout_room_ref(title));
    (void)listener.outbound();

    std::string frame;
    write_fanout_frame(frame, 0, 9, fanout_room_key(title), from_micros(10), opus);
    const bytes whole(view(frame).begin(), view(frame).end());
    const auto check_error = [&](const std::string& expected) {
        CHECK(error_name(listener.notes()) == expected);
        CHECK(std::find(names.begin(), names.end(), expected) != names.end());
    };

    SECTION("text") {
        for (const auto& [text, expected] : std::vector<std::pair<std::string, std::string>>{
                 {"", "unknown_packet"},
                 {"hello", "unknown_packet"},
                 {"5", "unknown_packet"},  // upgrade: this client never asked for one
                 {"0not json", "bad_message"},
                 {"4", "bad_message"},
                 {"4x", "unknown_packet"},
                 {"48", "unknown_packet"},
                 {"40garbage", "bad_message"},
                 {R"(42["chat","hi"])", "bad_message"},
                 {R"(42["audio","hi"])", "bad_message"},
                 {R"(42["audio",{"type":"join"}])", "bad_message"},
                 {R"(42/other,["audio",{}])", "bad_message"},
                 {R"(43["audio"])", "unknown_packet"},
                 {R"(44{"message":"Not authorized"})", "connect_refused"},
                 {"45x-[]", "bad_message"},
                 {"4599-[]", "bad_message"},
             }) {
            INFO(text);
            listener.protocol->on_text(text, from_micros(1));
            check_error(expected);
            CHECK(listener.outbound().empty());
        }
    }
    SECTION("a binary message that no event announced") {
        listener.protocol->on_binary(whole, from_micros(1));
        check_error("unexpected_binary");
        CHECK(listener.sink.frames.empty());
    }
    SECTION("an announced attachment that never comes") {
        listener.protocol->on_text(frame_header, from_micros(1));
        listener.protocol->on_text("2", from_micros(2));
        check_error("bad_message");
        CHECK(listener.outbound().at(0).data == "3");  // the ping is still answered
        listener.protocol->on_binary(whole, from_micros(3));
        check_error("unexpected_binary");
    }
    SECTION("a truncated frame in the attachment") {
        listener.protocol->on_text(frame_header, from_micros(1));
        listener.protocol->on_binary(byte_view(whole).first(20), from_micros(2));
        check_error("truncated_frame");
    }
    SECTION("an event with two attachments: reported once, both consumed") {
        listener.protocol->on_text(R"(452-["audio",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}])",
                                   from_micros(1));
        check_error("bad_message");
        listener.protocol->on_binary(whole, from_micros(2));
        listener.protocol->on_binary(whole, from_micros(3));
        CHECK(listener.notes().empty());
        CHECK(listener.sink.frames.empty());
    }
    // Whatever went before, the next frame still counts.
    listener.protocol->on_text(frame_header, from_micros(10));
    listener.protocol->on_binary(whole, from_micros(20));
    REQUIRE(listener.sink.frames.size() == 1);
    CHECK(listener.sink.frames[0].seq == 9);
}

// ---------------------------------------------------------------- both

TEST_CASE("random bytes never throw, and only name errors the adapter lists", "[loadgen][adapters]") {
    std::mt19937_64 random(20261201);
    for (const std::string_view name : {"plain", "socketio"}) {
        auto adapter = make_protocol_adapter(name, stoa_adapter_config{});
        REQUIRE(adapter.ok());
        const auto names = (*adapter)->error_names();
        simulated m(**adapter, 5, listener_seed, false);
        connect_and_join(m, fanout_room_ref(title));
        (void)m.outbound();
        // Prefixes that reach past the first byte's dispatch, then noise.
        const std::vector<std::string> prefixes{"",  "4", "42", "45",           "451-",
                                                "0", "2", "{",  R"({"type":")", "42[\"audio\","};
        for (int i = 0; i < 3000; ++i) {
            std::string noise(random() % 40, '\0');
            for (auto& c : noise) c = static_cast<char>(random() % 128 < 100 ? ' ' + random() % 95 : random() % 256);
            const std::string text = prefixes[random() % prefixes.size()] + noise;
            const bool binary = random() % 2 == 0;
            REQUIRE_NOTHROW(binary ? m.protocol->on_binary(view(text), from_micros(i))
                                   : m.protocol->on_text(text, from_micros(i)));
            std::vector<member_note> notes;
            m.protocol->take_notes(notes);
            for (const auto& any : notes) {
                if (const auto* error = std::get_if<note::error>(&any)) {
                    INFO(error->name);
                    CHECK(std::find(names.begin(), names.end(), error->name) != names.end());
                    CHECK(error->code >= 700);
                }
            }
            (void)m.outbound();
        }
    }
}

// ---------------------------------------------------------------- registry

TEST_CASE("the registry makes each adapter by name and lists the names when one is unknown", "[loadgen][adapters]") {
    CHECK(protocol_names() == std::vector<std::string_view>{"stoa", "plain", "socketio"});
    for (const auto name : protocol_names()) {
        auto adapter = make_protocol_adapter(name, stoa_adapter_config{});
        REQUIRE(adapter.ok());
        CHECK((*adapter)->name() == name);
        CHECK_FALSE((*adapter)->error_names().empty());
    }
    for (const std::string_view bad : {"", "Plain", "socket.io", "ws"}) {
        const auto adapter = make_protocol_adapter(bad, stoa_adapter_config{});
        REQUIRE_FALSE(adapter.ok());
        INFO(adapter.error());
        CHECK(adapter.error().find("'" + std::string(bad) + "'") != std::string::npos);
        for (const auto name : protocol_names()) CHECK(adapter.error().find(name) != std::string::npos);
    }
}
