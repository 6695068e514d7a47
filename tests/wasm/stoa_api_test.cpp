// The C API the browser calls, driven only through its exported functions against a real relay
// engine: what JavaScript sees (JSON events and state, status codes) and what it must never see
// (a crash or a corrupted session on garbage input or bad arguments).
#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "stoa/audio/format.hpp"
#include "stoa/audio/tone.hpp"
#include "stoa/proto/binary.hpp"
#include "stoa/relay/relay_engine.hpp"
#include "test_random.hpp"

struct stoa_handle;
extern "C" {
stoa_handle* stoa_create(const std::uint8_t* seed, const char* relay_context, int decode_audio);
void stoa_destroy(stoa_handle* handle);
int stoa_seed(stoa_handle* handle, std::uint8_t* out);
const char* stoa_member_id(stoa_handle* handle);
const char* stoa_public_key(stoa_handle* handle);
const char* stoa_admission_secret(stoa_handle* handle);
const char* stoa_trusted_host(stoa_handle* handle);
std::size_t stoa_buffer_size(stoa_handle* handle);
const char* stoa_buffer_data(stoa_handle* handle);
void stoa_connected(stoa_handle* handle, double now_ms);
void stoa_disconnected(stoa_handle* handle, double now_ms);
int stoa_receive_text(stoa_handle* handle, const char* data, std::size_t size, double now_ms);
int stoa_receive_binary(stoa_handle* handle, const std::uint8_t* data, std::size_t size, double now_ms);
void stoa_tick(stoa_handle* handle, double now_ms);
int stoa_next_outbound(stoa_handle* handle);
const char* stoa_take_events(stoa_handle* handle);
const char* stoa_state(stoa_handle* handle, double now_ms);
const char* stoa_speaking(stoa_handle* handle);
int stoa_create_room(stoa_handle* handle, int kind, int stage_only, const char* title);
int stoa_join_room(stoa_handle* handle, const char* room_hex, const char* invite_hex, const char* name,
                   const char* admission_hex, const char* host_key_hex);
int stoa_act(stoa_handle* handle, int code, const char* target_hex, int flag);
int stoa_request_directory(stoa_handle* handle, std::uint32_t offset, std::uint32_t limit);
int stoa_request_audience(stoa_handle* handle, std::uint32_t offset, std::uint32_t limit);
int stoa_send_reaction(stoa_handle* handle, int kind, double now_ms);
int stoa_can_send(stoa_handle* handle, double now_ms);
int stoa_constant_rate(stoa_handle* handle);
int stoa_send_bitrate(stoa_handle* handle);
int stoa_max_opus_packet(stoa_handle* handle);
int stoa_send_opus(stoa_handle* handle, const std::uint8_t* packet, std::size_t size, double now_ms);
int stoa_pull_audio(stoa_handle* handle, double now_ms, std::int16_t* out);

// The encoder module (wasm/src/encoder_api.cpp), loaded by the browser only when a member unmutes.
struct stoa_encoder;
stoa_encoder* stoa_encoder_create(std::int32_t bitrate_bps, int constant_rate);
void stoa_encoder_destroy(stoa_encoder* handle);
std::int16_t* stoa_encoder_pcm(stoa_encoder* handle);
const std::uint8_t* stoa_encoder_packet(stoa_encoder* handle);
int stoa_encoder_encode(stoa_encoder* handle, int max_bytes);
}

namespace {

using json = nlohmann::json;
using namespace stoa;

constexpr int act_leave = 1, act_raise_hand = 3, act_accept_invite = 5, act_set_self_muted = 7;
constexpr int act_invite_to_stage = 20, act_kick = 25;
// stoa_next_outbound's result: the payload kind, or-ed with the media flag.
constexpr int outbound_text = 1, outbound_binary = 2, outbound_media = 4;

// One message a handle gave its socket, as the relay engine received it.
struct sent_message {
    int kind = 0;  // stoa_next_outbound's result
    std::string data;
};

struct handle_deleter {
    void operator()(stoa_handle* h) const { stoa_destroy(h); }
};
using handle_ptr = std::unique_ptr<stoa_handle, handle_deleter>;

// A relay engine whose connections are C API handles: what the browser's worker does with a
// WebSocket, done with queues.
class api_room final : public relay::relay_sink {
public:
    api_room() : engine_(relay::relay_config{}, random_, *this) {}

    handle_ptr connect(double now_ms) {
        handle_ptr handle(stoa_create(nullptr, "stoa relay", 1));
        REQUIRE(handle);
        attach(handle.get(), now_ms);
        return handle;
    }

    // A new connection for an existing handle (one that lost another relay).
    void attach(stoa_handle* handle, double now_ms) {
        const relay::connection_id id{next_id_++};
        links_[id.value] = link{handle, {}, {}};
        engine_.on_open(id, stoa::from_micros(static_cast<std::int64_t>(now_ms * 1000)), "127.0.0.1");
        stoa_connected(handle, now_ms);
        run(now_ms);
    }

    // Moves every message both ways until nothing moves.
    void run(double now_ms) {
        const auto now = stoa::from_micros(static_cast<std::int64_t>(now_ms * 1000));
        for (int round = 0; round < 1000; ++round) {
            bool moved = false;
            for (auto& [id, l] : links_) {
                for (int kind; (kind = stoa_next_outbound(l.handle)) != 0;) {
                    moved = true;
                    std::string data(stoa_buffer_data(l.handle), stoa_buffer_size(l.handle));
                    l.sent.push_back({kind, data});
                    if ((kind & 3) == outbound_text) {
                        engine_.on_text(relay::connection_id{id}, data, now);
                    } else {
                        // The class comes from the API, as the browser's worker takes it.
                        const bool media = (kind & outbound_media) != 0;
                        engine_.on_binary(relay::connection_id{id},
                                          relay::make_message(std::move(data), relay::payload_kind::binary,
                                                              media ? relay::traffic_class::media
                                                                    : relay::traffic_class::control),
                                          now);
                    }
                }
            }
            for (auto& [id, l] : links_) {
                while (!l.inbox.empty()) {
                    moved = true;
                    const auto message = l.inbox.front();
                    l.inbox.erase(l.inbox.begin());
                    if (message->kind == relay::payload_kind::text) {
                        REQUIRE(stoa_receive_text(l.handle, message->data.data(), message->data.size(), now_ms) == 0);
                    } else {
                        REQUIRE(stoa_receive_binary(l.handle, reinterpret_cast<const std::uint8_t*>(message->data.data()),
                                                    message->data.size(), now_ms) == 0);
                    }
                }
            }
            if (!moved) return;
        }
        FAIL("messages kept moving");
    }

    void tick(double now_ms) {
        engine_.tick(stoa::from_micros(static_cast<std::int64_t>(now_ms * 1000)));
        for (auto& [id, l] : links_) stoa_tick(l.handle, now_ms);
        run(now_ms);
    }

    // Every message `handle` has sent so far, oldest first.
    const std::vector<sent_message>& sent_by(const stoa_handle* handle) const {
        for (const auto& [id, l] : links_) {
            if (l.handle == handle) return l.sent;
        }
        FAIL("no such handle");
        static const std::vector<sent_message> none;
        return none;
    }

    void send(relay::connection_id to, const relay::shared_message& message) override {
        if (auto found = links_.find(to.value); found != links_.end()) found->second.inbox.push_back(message);
    }
    void close(relay::connection_id who, relay::close_code, std::string_view) override { links_.erase(who.value); }

private:
    struct link {
        stoa_handle* handle = nullptr;
        std::vector<relay::shared_message> inbox;
        std::vector<sent_message> sent;
    };
    test::seeded_random random_{7};
    relay::relay_engine engine_;
    std::map<std::uint64_t, link> links_;
    std::uint64_t next_id_ = 1;
};

// What the worker does with a microphone frame (wasm/js/stoa-session.js, sendAudio): nothing is
// encoded while the core would refuse it; the encoder follows the room's mode, made again when it
// flips; the packet goes to stoa_send_opus. One encoder per handle, as one per worker.
struct encoder_deleter {
    void operator()(stoa_encoder* e) const { stoa_encoder_destroy(e); }
};
struct speaker_encoder {
    std::unique_ptr<stoa_encoder, encoder_deleter> encoder;
    int constant_rate = -1;
    std::vector<std::size_t> packet_sizes;  // what went to stoa_send_opus
};
std::map<stoa_handle*, speaker_encoder> encoders;

int send_audio(stoa_handle* h, const std::int16_t* pcm, double now_ms) {
    if (const int refused = stoa_can_send(h, now_ms); refused != 0) return refused;
    speaker_encoder& slot = encoders[h];
    const int constant_rate = stoa_constant_rate(h);
    if (!slot.encoder || slot.constant_rate != constant_rate) {
        slot.encoder.reset(stoa_encoder_create(stoa_send_bitrate(h), constant_rate));
        slot.constant_rate = constant_rate;
        REQUIRE(slot.encoder);
    }
    std::memcpy(stoa_encoder_pcm(slot.encoder.get()), pcm, audio::frame_samples * sizeof(std::int16_t));
    const int size = stoa_encoder_encode(slot.encoder.get(), stoa_max_opus_packet(h));
    REQUIRE(size > 0);
    slot.packet_sizes.push_back(static_cast<std::size_t>(size));
    return stoa_send_opus(h, stoa_encoder_packet(slot.encoder.get()), static_cast<std::size_t>(size), now_ms);
}

json events_of(stoa_handle* h) { return json::parse(stoa_take_events(h)); }
json state_of(stoa_handle* h, double now_ms) { return json::parse(stoa_state(h, now_ms)); }

std::optional<json> find_event(const json& events, std::string_view type) {
    for (const auto& e : events) {
        if (e.at("type") == type) return e;
    }
    return std::nullopt;
}

// A host with an open room and a listener in it, everyone holding keys.
struct joined_pair {
    api_room room;
    handle_ptr host;
    handle_ptr listener;
    std::string room_hex;
    double now = 1000;

    joined_pair() {
        host = room.connect(now);
        REQUIRE(stoa_create_room(host.get(), 0, 0, "api test room") == 0);
        room.run(now);
        const auto created = find_event(events_of(host.get()), "room_created");
        REQUIRE(created);
        room_hex = created->at("room");
        REQUIRE(stoa_join_room(host.get(), room_hex.c_str(), nullptr, "Ada", nullptr, nullptr) == 0);
        room.run(now);
        listener = room.connect(now);
        REQUIRE(stoa_join_room(listener.get(), room_hex.c_str(), nullptr, "Grace", nullptr, nullptr) == 0);
        advance(1000);
    }

    void advance(double ms) {
        for (double end = now + ms; now < end; now += 20) room.tick(now);
    }
};

}  // namespace

TEST_CASE("wasm api: a seed round-trips to the same member id, a new identity exports its seed") {
    handle_ptr fresh(stoa_create(nullptr, "ctx", 0));
    REQUIRE(fresh);
    std::array<std::uint8_t, 32> seed{};
    REQUIRE(stoa_seed(fresh.get(), seed.data()) == 0);
    const std::string id = stoa_member_id(fresh.get());
    CHECK(id.size() == 32);

    handle_ptr restored(stoa_create(seed.data(), "ctx", 0));
    CHECK(std::string(stoa_member_id(restored.get())) == id);

    seed[0] ^= 1;
    handle_ptr other(stoa_create(seed.data(), "ctx", 0));
    CHECK(std::string(stoa_member_id(other.get())) != id);
}

TEST_CASE("wasm api: a host and a listener through the relay see names, keys, the stage and the same security code") {
    joined_pair pair;
    const json host_state = state_of(pair.host.get(), pair.now);
    const json listener_state = state_of(pair.listener.get(), pair.now);

    CHECK(host_state.at("role") == "host");
    CHECK(listener_state.at("role") == "listener");
    CHECK(listener_state.at("inRoom") == true);
    CHECK(listener_state.at("keys") == true);
    REQUIRE(listener_state.at("stage").size() == 1);
    CHECK(listener_state.at("stage")[0].at("name") == "Ada");  // decrypted on the listener's side
    CHECK(listener_state.at("stage")[0].at("role") == "host");
    CHECK(host_state.at("audienceCount") == 1);
    REQUIRE(listener_state.at("securityCode").is_string());
    CHECK(listener_state.at("securityCode") == host_state.at("securityCode"));
    // The emoji and words forms come from the same core computation on both sides.
    REQUIRE(listener_state.at("securityWords").is_string());
    CHECK(listener_state.at("securityWords") == host_state.at("securityWords"));
    CHECK(listener_state.at("securityEmoji") == host_state.at("securityEmoji"));
    CHECK(std::string(stoa_speaking(pair.listener.get())) == std::to_string(host_state.at("index").get<int>()) + ":0");
}

TEST_CASE("wasm api: the host's tone is decrypted, decoded and mixed into the listener's pulled audio") {
    joined_pair pair;
    REQUIRE(stoa_act(pair.host.get(), act_set_self_muted, nullptr, 0) == 0);
    pair.advance(100);

    audio::sine_generator tone(440.0, 0.3);
    std::array<std::int16_t, audio::frame_samples> frame{};
    std::vector<std::int16_t> heard;
    for (int i = 0; i < 100; ++i) {
        tone.fill(frame);
        REQUIRE(send_audio(pair.host.get(), frame.data(), pair.now) == 0);
        pair.room.run(pair.now);
        std::array<std::int16_t, audio::frame_samples> out{};
        REQUIRE(stoa_pull_audio(pair.listener.get(), pair.now, out.data()) == 0);
        heard.insert(heard.end(), out.begin(), out.end());
        pair.now += 20;
        pair.room.tick(pair.now);
    }
    const json state = state_of(pair.listener.get(), pair.now);
    CHECK(state.at("stats").at("framesDecrypted").get<int>() >= 90);
    CHECK(state.at("stats").at("decryptFailures") == 0);
    const std::span<const std::int16_t> last_second(heard.data() + heard.size() - 48'000, 48'000);
    CHECK(audio::dominant_frequency(last_second) == Approx(440.0).margin(5.0));
    CHECK(audio::tone_ratio(last_second, 440.0) > 0.5);
}

TEST_CASE("wasm api: a listener's audio is refused with a typed code, not sent") {
    joined_pair pair;
    std::array<std::int16_t, audio::frame_samples> frame{};
    CHECK(send_audio(pair.listener.get(), frame.data(), pair.now) == -601);  // not_on_stage
    CHECK(stoa_next_outbound(pair.listener.get()) == 0);
}

TEST_CASE("wasm api: invite, accept and kick work by member id; the kicked listener is told why") {
    joined_pair pair;
    const std::string listener_id = stoa_member_id(pair.listener.get());
    REQUIRE(stoa_act(pair.listener.get(), act_raise_hand, nullptr, 0) == 0);
    pair.advance(100);
    REQUIRE(stoa_act(pair.host.get(), act_invite_to_stage, listener_id.c_str(), 0) == 0);
    pair.advance(100);
    CHECK(find_event(events_of(pair.listener.get()), "invited_to_stage"));
    REQUIRE(stoa_act(pair.listener.get(), act_accept_invite, nullptr, 0) == 0);
    pair.advance(100);
    CHECK(state_of(pair.listener.get(), pair.now).at("role") == "speaker");
    CHECK(state_of(pair.host.get(), pair.now).at("stage").size() == 2);

    REQUIRE(stoa_act(pair.host.get(), act_kick, listener_id.c_str(), 0) == 0);
    pair.advance(100);
    const auto removed = find_event(events_of(pair.listener.get()), "removed");
    REQUIRE(removed);
    CHECK(removed->at("reason") == "kicked");
    CHECK(state_of(pair.listener.get(), pair.now).at("inRoom") == false);
}

TEST_CASE("wasm api: bad arguments get status codes and change nothing") {
    joined_pair pair;
    const std::string before = stoa_state(pair.listener.get(), pair.now);
    const std::string key(64, 'a');
    CHECK(stoa_join_room(pair.listener.get(), "not hex", nullptr, "x", nullptr, nullptr) == -1);
    CHECK(stoa_join_room(pair.listener.get(), "00", nullptr, "x", nullptr, nullptr) == -1);
    CHECK(stoa_join_room(pair.listener.get(), pair.room_hex.c_str(), "zz", "x", nullptr, nullptr) == -1);
    CHECK(stoa_join_room(pair.listener.get(), pair.room_hex.c_str(), nullptr, std::string(65, 'n').c_str(), nullptr,
                         nullptr) == -1);
    CHECK(stoa_join_room(pair.listener.get(), pair.room_hex.c_str(), nullptr, "x", "zz", nullptr) == -1);
    CHECK(stoa_join_room(pair.listener.get(), pair.room_hex.c_str(), nullptr, "x", key.substr(2).c_str(), nullptr) == -1);
    CHECK(stoa_join_room(pair.listener.get(), pair.room_hex.c_str(), nullptr, "x", nullptr, "12") == -1);
    CHECK(stoa_join_room(pair.listener.get(), pair.room_hex.c_str(), nullptr, "x", nullptr, (key + "00").c_str()) == -1);
    CHECK(stoa_act(pair.listener.get(), act_kick, nullptr, 0) == -1);
    CHECK(stoa_act(pair.listener.get(), act_kick, "1234", 0) == -1);
    CHECK(stoa_act(pair.listener.get(), 999, nullptr, 0) == -2);
    CHECK(stoa_create_room(pair.listener.get(), 7, 0, nullptr) == -1);
    CHECK(stoa_send_opus(pair.listener.get(), nullptr, 4, pair.now) == -1);
    CHECK(stoa_send_opus(nullptr, nullptr, 0, pair.now) == -1);
    CHECK(stoa_can_send(nullptr, pair.now) == -1);
    CHECK(stoa_encoder_encode(nullptr, 400) == -1);
    CHECK(stoa_encoder_create(1, 0) == nullptr);  // a bitrate libopus refuses
    CHECK(stoa_pull_audio(pair.listener.get(), pair.now, nullptr) == -1);
    CHECK(stoa_receive_text(nullptr, "x", 1, pair.now) == -1);
    CHECK(stoa_next_outbound(nullptr) == 0);
    CHECK(std::string(stoa_take_events(nullptr)) == "[]");
    CHECK(std::string(stoa_public_key(nullptr)).empty());
    CHECK(std::string(stoa_admission_secret(nullptr)).empty());
    CHECK(std::string(stoa_trusted_host(nullptr)).empty());
    CHECK(stoa_next_outbound(pair.listener.get()) == 0);  // nothing was sent for any of them
    CHECK(std::string(stoa_state(pair.listener.get(), pair.now)) == before);
}

TEST_CASE("wasm api: garbage from the network becomes error events; the session keeps hearing the room") {
    joined_pair pair;
    test::seeded_random random(99);
    for (int i = 0; i < 500; ++i) {
        std::array<std::uint8_t, 2> length{};
        random.fill(length);
        std::vector<std::uint8_t> junk((length[0] | (length[1] << 8)) % 300);
        random.fill(junk);
        if (i % 2 == 0) {
            REQUIRE(stoa_receive_binary(pair.listener.get(), junk.data(), junk.size(), pair.now) == 0);
        } else {
            REQUIRE(stoa_receive_text(pair.listener.get(), reinterpret_cast<const char*>(junk.data()), junk.size(),
                                      pair.now) == 0);
        }
    }
    const std::string invalid_utf8_json = "{\"type\":\"error\",\"code\":1,\"name\":\"\xff\xfe\",\"message\":\"\xc3\"}";
    REQUIRE(stoa_receive_text(pair.listener.get(), invalid_utf8_json.data(), invalid_utf8_json.size(), pair.now) == 0);
    const json events = events_of(pair.listener.get());  // parses: the JSON stays valid UTF-8
    CHECK(find_event(events, "error"));

    // Still in the room and still decrypting.
    REQUIRE(stoa_act(pair.host.get(), act_set_self_muted, nullptr, 0) == 0);
    pair.advance(100);
    audio::sine_generator tone(300.0, 0.3);
    std::array<std::int16_t, audio::frame_samples> frame{};
    const auto decrypted_before = state_of(pair.listener.get(), pair.now).at("stats").at("framesDecrypted").get<int>();
    for (int i = 0; i < 20; ++i) {
        tone.fill(frame);
        REQUIRE(send_audio(pair.host.get(), frame.data(), pair.now) == 0);
        pair.now += 20;
        pair.room.tick(pair.now);
    }
    const json state = state_of(pair.listener.get(), pair.now);
    CHECK(state.at("inRoom") == true);
    CHECK(state.at("stats").at("framesDecrypted").get<int>() >= decrypted_before + 18);
}

TEST_CASE("wasm api: a listener invited onto the stage is heard by the host and keeps hearing the host") {
    joined_pair pair;
    const std::string listener_id = stoa_member_id(pair.listener.get());
    REQUIRE(stoa_act(pair.host.get(), act_set_self_muted, nullptr, 0) == 0);
    REQUIRE(stoa_act(pair.listener.get(), act_raise_hand, nullptr, 0) == 0);
    pair.advance(100);
    REQUIRE(stoa_act(pair.host.get(), act_invite_to_stage, listener_id.c_str(), 0) == 0);
    pair.advance(100);
    REQUIRE(stoa_act(pair.listener.get(), act_accept_invite, nullptr, 0) == 0);
    pair.advance(100);
    REQUIRE(stoa_act(pair.listener.get(), act_set_self_muted, nullptr, 0) == 0);
    pair.advance(100);
    REQUIRE(state_of(pair.listener.get(), pair.now).at("role") == "speaker");

    audio::sine_generator host_tone(440.0, 0.3), guest_tone(660.0, 0.3);
    std::array<std::int16_t, audio::frame_samples> frame{}, out{};
    std::vector<std::int16_t> host_heard, guest_heard;
    int refused = 0;
    for (int i = 0; i < 100; ++i) {
        host_tone.fill(frame);
        REQUIRE(send_audio(pair.host.get(), frame.data(), pair.now) == 0);
        guest_tone.fill(frame);
        if (send_audio(pair.listener.get(), frame.data(), pair.now) != 0) ++refused;
        pair.room.run(pair.now);
        REQUIRE(stoa_pull_audio(pair.host.get(), pair.now, out.data()) == 0);
        host_heard.insert(host_heard.end(), out.begin(), out.end());
        REQUIRE(stoa_pull_audio(pair.listener.get(), pair.now, out.data()) == 0);
        guest_heard.insert(guest_heard.end(), out.begin(), out.end());
        pair.now += 20;
        pair.room.tick(pair.now);
    }
    CHECK(refused == 0);
    const json guest = state_of(pair.listener.get(), pair.now);
    const json host = state_of(pair.host.get(), pair.now);
    CHECK(guest.at("stats").at("framesSent").get<int>() >= 95);
    CHECK(guest.at("stats").at("noKeyFailures") == 0);
    // The playout counts (one speaker heard, one pull per tick): a lossless in-memory room plays
    // nearly every tick from a decoded frame, and no tick is counted twice.
    for (const json* side : {&guest, &host}) {
        const auto& stats = side->at("stats");
        const auto decoded = stats.at("playoutDecoded").get<int>();
        CHECK(decoded >= 50);
        CHECK(decoded + stats.at("playoutRecovered").get<int>() + stats.at("playoutConcealed").get<int>() <= 100);
    }
    CHECK(host.at("stats").at("noKeyFailures") == 0);
    const std::span<const std::int16_t> host_last(host_heard.data() + host_heard.size() - 48'000, 48'000);
    const std::span<const std::int16_t> guest_last(guest_heard.data() + guest_heard.size() - 48'000, 48'000);
    CHECK(audio::tone_ratio(host_last, 660.0) > 0.3);
    CHECK(audio::tone_ratio(guest_last, 440.0) > 0.3);
}

namespace {

std::vector<json> events_named(const json& events, std::string_view type) {
    std::vector<json> out;
    for (const auto& e : events) {
        if (e.at("type") == type) out.push_back(e);
    }
    return out;
}

// A host alone in a room it created (kind 0 open, 1 closed); the room_created event is kept.
struct hosted_room {
    api_room room;
    handle_ptr host;
    json created;
    std::string room_hex;
    double now = 1000;

    explicit hosted_room(int kind) {
        host = room.connect(now);
        REQUIRE(stoa_create_room(host.get(), kind, 0, kind == 0 ? "open room" : nullptr) == 0);
        room.run(now);
        const auto event = find_event(events_of(host.get()), "room_created");
        REQUIRE(event);
        created = *event;
        room_hex = created.at("room");
        // The creator's own join needs no secret: the session remembers the rooms it made.
        REQUIRE(stoa_join_room(host.get(), room_hex.c_str(), invite().c_str(), "Host", nullptr, nullptr) == 0);
        advance(200);
    }

    [[nodiscard]] std::string invite() const { return created.at("invite").is_string() ? created.at("invite").get<std::string>() : ""; }

    // A new member joining with what its link carries ("" for a field the link lacks).
    handle_ptr join(const std::string& name, const std::string& admission, const std::string& host_key) {
        handle_ptr member = room.connect(now);
        REQUIRE(stoa_join_room(member.get(), room_hex.c_str(), invite().c_str(), name.c_str(), admission.c_str(),
                               host_key.c_str()) == 0);
        advance(1000);
        return member;
    }

    void advance(double ms) {
        for (double end = now + ms; now < end; now += 20) room.tick(now);
    }
};

}  // namespace

TEST_CASE("wasm api: audio leaves marked as media; key bundles, signatures and JSON leave as control") {
    joined_pair pair;
    REQUIRE(stoa_act(pair.host.get(), act_set_self_muted, nullptr, 0) == 0);
    pair.advance(100);
    audio::sine_generator tone(440.0, 0.3);
    std::array<std::int16_t, audio::frame_samples> frame{};
    for (int i = 0; i < 100; ++i) {
        tone.fill(frame);
        REQUIRE(send_audio(pair.host.get(), frame.data(), pair.now) == 0);
        pair.now += 20;
        pair.room.tick(pair.now);
    }

    int media = 0, binary_control = 0, text = 0;
    for (const auto& message : pair.room.sent_by(pair.host.get())) {
        const int kind = message.kind & 3;
        const bool flagged = (message.kind & outbound_media) != 0;
        REQUIRE((kind == outbound_text || kind == outbound_binary));
        if (kind == outbound_text) {
            CHECK_FALSE(flagged);  // JSON is always control
            ++text;
            continue;
        }
        REQUIRE_FALSE(message.data.empty());
        const auto type = static_cast<proto::binary_type>(static_cast<std::uint8_t>(message.data[0]));
        // Media is exactly the audio frames: never a key bundle, an announcement or a signature.
        CHECK(flagged == (type == proto::binary_type::media));
        if (flagged) ++media; else ++binary_control;
    }
    CHECK(media >= 95);
    CHECK(binary_control >= 1);  // the key bundle for the listener, and speaker signatures
    CHECK(text >= 2);            // hello, auth, create, join, ...
    CHECK(state_of(pair.listener.get(), pair.now).at("stats").at("framesDecrypted").get<int>() >= 90);
}

TEST_CASE("wasm api: an open room has no admission secret; a closed room's is in room_created and readable while in it") {
    hosted_room open(0);
    CHECK(open.created.at("admission").is_null());
    CHECK(open.created.at("invite").is_null());
    CHECK(std::string(stoa_admission_secret(open.host.get())).empty());
    const json open_state = state_of(open.host.get(), open.now);
    CHECK(open_state.at("admission").is_null());
    CHECK(open_state.at("publicKey") == std::string(stoa_public_key(open.host.get())));
    CHECK(open_state.at("hostKey") == open_state.at("publicKey"));  // the host trusts itself

    hosted_room closed(1);
    const json& admission = closed.created.at("admission");
    REQUIRE(admission.is_string());
    CHECK(admission.get<std::string>().size() == 64);
    CHECK(closed.created.at("invite").is_string());
    CHECK(std::string(stoa_admission_secret(closed.host.get())) == admission.get<std::string>());
    CHECK(state_of(closed.host.get(), closed.now).at("admission") == admission);
    CHECK(std::string(stoa_public_key(closed.host.get())).size() == 64);
    CHECK(std::string(stoa_trusted_host(closed.host.get())) == std::string(stoa_public_key(closed.host.get())));
}

TEST_CASE("wasm api: the encoder module follows the room's mode: CBR with silence sent when closed, VBR with DTX when open") {
    for (const int kind : {0, 1}) {
        CAPTURE(kind);
        hosted_room hosted(kind);
        stoa_handle* host = hosted.host.get();
        // A host alone has no one to send to (no sending key yet): a listener joins first.
        const std::string admission = kind == 1 ? hosted.created.at("admission").get<std::string>() : "";
        const handle_ptr ear = hosted.join("Ear", admission, stoa_public_key(host));
        REQUIRE(stoa_act(host, act_set_self_muted, nullptr, 0) == 0);  // a host starts muted
        hosted.advance(200);
        REQUIRE(stoa_can_send(host, hosted.now) == 0);
        CHECK(stoa_constant_rate(host) == kind);
        CHECK(stoa_send_bitrate(host) > 0);
        CHECK(stoa_max_opus_packet(host) >= 400);
        audio::sine_generator tone(440.0, 0.3);
        std::array<std::int16_t, audio::frame_samples> frame{};
        for (int i = 0; i < 100; ++i) {
            if (i < 25) {
                tone.fill(frame);
            } else {
                frame.fill(0);
            }
            REQUIRE(send_audio(host, frame.data(), hosted.now) == 0);
            hosted.advance(20);
        }
        const auto& sizes = encoders[host].packet_sizes;
        const auto sent = state_of(host, hosted.now).at("stats").at("framesSent").get<std::size_t>();
        if (kind == 1) {
            // Constant bitrate: every coded packet one size (the core pads DTX ones to it too), and
            // silence is sent like speech.
            const std::size_t coded = sizes[sizes.size() - 100];
            CHECK(std::all_of(sizes.end() - 100, sizes.end(),
                              [&](std::size_t size) { return size == coded || size <= audio::max_dtx_packet_bytes; }));
            CHECK(sent == 100);
        } else {
            CHECK(std::any_of(sizes.end() - 100, sizes.end(), [](std::size_t size) { return size <= audio::max_dtx_packet_bytes; }));
            CHECK(sent < 100);  // DTX silence is numbered but not sent
        }
        encoders.erase(host);
    }
}

TEST_CASE("wasm api: a closed room's link secret admits a listener; a join without it gets no keys and alarms the host") {
    hosted_room closed(1);
    const std::string admission = closed.created.at("admission");
    const std::string host_key = stoa_public_key(closed.host.get());
    (void)events_of(closed.host.get());

    const handle_ptr guest = closed.join("Guest", admission, host_key);
    const json guest_state = state_of(guest.get(), closed.now);
    CHECK(guest_state.at("inRoom") == true);
    CHECK(guest_state.at("keys") == true);
    CHECK(guest_state.at("hostKey") == host_key);
    CHECK(guest_state.at("admission") == admission);  // what the guest's own invite links carry
    CHECK(events_named(events_of(guest.get()), "security_alarm").empty());
    CHECK(events_named(events_of(closed.host.get()), "security_alarm").empty());

    // The relay lets this one in (it holds the relay's invite token), but not the link's secret.
    const handle_ptr intruder = closed.join("Intruder", "", host_key);
    const json intruder_state = state_of(intruder.get(), closed.now);
    CHECK(intruder_state.at("inRoom") == true);
    CHECK(intruder_state.at("keys") == false);
    const auto alarms = events_named(events_of(closed.host.get()), "security_alarm");
    REQUIRE(alarms.size() == 1);
    CHECK(alarms[0].at("kind") == "unadmitted_member");
    CHECK(alarms[0].at("member") == std::string(stoa_member_id(intruder.get())));
    CHECK(alarms[0].at("index") == intruder_state.at("index"));
    CHECK(state_of(closed.host.get(), closed.now).at("stats").at("securityAlarms") == 1);
}

TEST_CASE("wasm api: a link naming another host key raises host_key_changed; the right key raises nothing") {
    hosted_room open(0);
    const std::string host_key = stoa_public_key(open.host.get());
    const handle_ptr stranger(stoa_create(nullptr, "stoa relay", 0));
    const std::string wrong_key = stoa_public_key(stranger.get());
    REQUIRE(wrong_key != host_key);

    const handle_ptr trusting = open.join("Trusting", "", host_key);
    CHECK(events_named(events_of(trusting.get()), "security_alarm").empty());
    CHECK(std::string(stoa_trusted_host(trusting.get())) == host_key);

    const handle_ptr misled = open.join("Misled", "", wrong_key);
    const auto alarms = events_named(events_of(misled.get()), "security_alarm");
    REQUIRE(alarms.size() == 1);
    CHECK(alarms[0].at("kind") == "host_key_changed");
    CHECK(alarms[0].at("member") == std::string(stoa_member_id(open.host.get())));
    CHECK(alarms[0].at("index") == state_of(open.host.get(), open.now).at("index"));
    CHECK(state_of(misled.get(), open.now).at("stats").at("securityAlarms") == 1);
}

TEST_CASE("wasm api: kicking from a closed room rotates the admission secret and says so") {
    hosted_room closed(1);
    const std::string first = closed.created.at("admission");
    const std::string host_key = stoa_public_key(closed.host.get());
    const handle_ptr stays = closed.join("Stays", first, host_key);
    const handle_ptr goes = closed.join("Goes", first, host_key);
    REQUIRE(state_of(goes.get(), closed.now).at("keys") == true);
    (void)events_of(closed.host.get());
    (void)events_of(stays.get());

    const std::string target = stoa_member_id(goes.get());
    REQUIRE(stoa_act(closed.host.get(), act_kick, target.c_str(), 0) == 0);
    closed.advance(1000);

    CHECK(find_event(events_of(closed.host.get()), "admission_changed"));
    const std::string second = stoa_admission_secret(closed.host.get());
    CHECK(second.size() == 64);
    CHECK(second != first);
    CHECK(state_of(closed.host.get(), closed.now).at("admission") == second);
    // The member who stays learns the new secret with the new keys, so its links keep working.
    CHECK(find_event(events_of(stays.get()), "admission_changed"));
    CHECK(std::string(stoa_admission_secret(stays.get())) == second);

    // A link made before the kick no longer gets anyone keys; one made after does.
    const handle_ptr old_link = closed.join("Old link", first, host_key);
    CHECK(state_of(old_link.get(), closed.now).at("keys") == false);
    const auto alarms = events_named(events_of(closed.host.get()), "security_alarm");
    REQUIRE(alarms.size() == 1);
    CHECK(alarms[0].at("kind") == "unadmitted_member");
    CHECK(alarms[0].at("member") == std::string(stoa_member_id(old_link.get())));
    const handle_ptr new_link = closed.join("New link", second, host_key);
    CHECK(state_of(new_link.get(), closed.now).at("keys") == true);
}


TEST_CASE("wasm api: after a relay restart the host re-creates the room under its id and the listener rejoins it") {
    joined_pair pair;
    // The relay dies: both lose their transport and say which room they are out of.
    stoa_disconnected(pair.host.get(), pair.now);
    stoa_disconnected(pair.listener.get(), pair.now);
    for (stoa_handle* h : {pair.host.get(), pair.listener.get()}) {
        const auto lost = find_event(events_of(h), "connection_lost");
        REQUIRE(lost);
        CHECK(lost->at("room") == pair.room_hex);
        const json state = state_of(h, pair.now);
        CHECK(state.at("inRoom") == false);
        CHECK(state.at("rejoining") == pair.room_hex);
    }

    // A new, empty relay: the listener comes back first and finds no room until the host makes it again.
    api_room restarted;
    restarted.attach(pair.listener.get(), pair.now);
    restarted.attach(pair.host.get(), pair.now);
    json host_events = json::array();
    json listener_events = json::array();
    for (double end = pair.now + 10'000; pair.now < end; pair.now += 20) {
        restarted.tick(pair.now);
        for (auto& e : events_of(pair.host.get())) host_events.push_back(e);
        for (auto& e : events_of(pair.listener.get())) listener_events.push_back(e);
    }
    const auto host_back = find_event(host_events, "rejoined");
    REQUIRE(host_back);
    CHECK(host_back->at("room") == pair.room_hex);
    CHECK(host_back->at("recreated") == true);
    CHECK(host_back->at("role") == "host");
    const auto listener_back = find_event(listener_events, "rejoined");
    REQUIRE(listener_back);
    CHECK(listener_back->at("room") == pair.room_hex);
    CHECK(listener_back->at("recreated") == false);
    CHECK_FALSE(find_event(listener_events, "rejoin_failed"));
    CHECK_FALSE(find_event(listener_events, "error"));  // room_not_found while waiting is the core's to retry
    for (stoa_handle* h : {pair.host.get(), pair.listener.get()}) {
        const json state = state_of(h, pair.now);
        CHECK(state.at("inRoom") == true);
        CHECK(state.at("room") == pair.room_hex);
        CHECK(state.at("rejoining").is_null());
        CHECK(state.at("keys") == true);
    }
}

TEST_CASE("wasm api: a member whose room never comes back is told the rejoin failed") {
    joined_pair pair;
    stoa_disconnected(pair.listener.get(), pair.now);
    (void)events_of(pair.listener.get());
    api_room empty;  // a relay without the room, and no host to make it again
    empty.attach(pair.listener.get(), pair.now);
    json events = json::array();
    for (double end = pair.now + 65'000; pair.now < end; pair.now += 100) {
        empty.tick(pair.now);
        for (auto& e : events_of(pair.listener.get())) events.push_back(e);
    }
    const auto failed = find_event(events, "rejoin_failed");
    REQUIRE(failed);
    CHECK(failed->at("room") == pair.room_hex);
    CHECK(failed->at("code") == 609);  // client_error::rejoin_timed_out
    const auto removed = find_event(events, "removed");
    REQUIRE(removed);
    CHECK(removed->at("reason") == "disconnected");
    CHECK(state_of(pair.listener.get(), pair.now).at("rejoining").is_null());
}

TEST_CASE("wasm api: a listener's reaction reaches the host as a reaction event; unknown kinds are refused") {
    joined_pair pair;
    (void)events_of(pair.host.get());
    CHECK(stoa_send_reaction(pair.listener.get(), 0, pair.now) == -610);
    CHECK(stoa_send_reaction(pair.listener.get(), 7, pair.now) == -610);
    CHECK(stoa_send_reaction(nullptr, 1, pair.now) == -1);
    REQUIRE(stoa_send_reaction(pair.listener.get(), 4, pair.now) == 0);
    pair.advance(40);
    const auto reaction = find_event(events_of(pair.host.get()), "reaction");
    REQUIRE(reaction);
    CHECK(reaction->at("member") == std::string(stoa_member_id(pair.listener.get())));
    CHECK(reaction->at("kind") == 4);
    CHECK(reaction->at("name") == "clap");
    // Three at once, then the sender's own limit.
    CHECK(stoa_send_reaction(pair.listener.get(), 1, pair.now) == 0);
    CHECK(stoa_send_reaction(pair.listener.get(), 1, pair.now) == 0);
    CHECK(stoa_send_reaction(pair.listener.get(), 1, pair.now) == -611);
}
