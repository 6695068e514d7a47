// The C API the browser's JavaScript calls: one client_session per handle, bytes and JSON across
// the boundary, integer status codes back. Nothing here throws into JavaScript: untrusted bytes go
// to the session, which reports problems as events; bad arguments from JavaScript return
// stoa_status codes. Strings and byte results live in the handle's buffer until its next call.
#ifdef __EMSCRIPTEN__
#include <emscripten/emscripten.h>
#else
#define EMSCRIPTEN_KEEPALIVE  // native builds of this file: the boundary's own tests under ASan
#endif

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <memory>
#include <new>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "stoa/client/client_session.hpp"
#include "stoa/common/bytes.hpp"
#include "stoa/e2ee/admission.hpp"
#include "stoa/e2ee/identity.hpp"
#include "stoa/e2ee/secret.hpp"
#include "stoa/e2ee/system_random.hpp"
#include "stoa/proto/room_json.hpp"

namespace {

using namespace stoa;
using json = nlohmann::json;

// Never renumber: wasm/js/stoa-session.js mirrors these.
enum stoa_status : int {
    stoa_ok = 0,
    stoa_bad_argument = -1,  // null handle, wrong length, malformed hex
    stoa_unknown_action = -2,
    // Negative client_error codes (-600 ...) come from send_audio.
};

// What stoa_next_outbound returns: the payload kind in the low bits, and a flag for media, the
// only class a congested socket may drop (key bundles, announcements, signatures and JSON are
// control and must arrive, in order). Mirrored in wasm/js/stoa-session.js.
enum stoa_outbound : int {
    stoa_outbound_none = 0,
    stoa_outbound_text = 1,
    stoa_outbound_binary = 2,
    stoa_outbound_media = 4,  // or-ed with the kind
};

// Action codes for stoa_act; mirrored in wasm/js/stoa-session.js.
enum class action_code : int {
    leave = 1,
    leave_quietly = 2,
    raise_hand = 3,
    lower_hand = 4,
    accept_invite = 5,
    decline_invite = 6,
    set_self_muted = 7,  // flag: 1 muted, 0 unmuted
    end_room = 8,
    invite_to_stage = 20,  // the rest take a target member id
    move_to_audience = 21,
    moderator_mute = 22,
    promote_moderator = 23,
    demote_moderator = 24,
    kick = 25,
    ban = 26,
};

// Display names are another member's bytes: never trust them to be UTF-8 when printing JSON.
std::string dump(const json& value) { return value.dump(-1, ' ', false, json::error_handler_t::replace); }

time_point from_ms(double now_ms) {
    if (!std::isfinite(now_ms)) now_ms = 0;
    return from_micros(static_cast<std::int64_t>(std::llround(now_ms * 1000.0)));
}

template <typename Strong>
std::optional<Strong> parse_hex_id(const char* hex) {
    if (hex == nullptr) return std::nullopt;
    const auto raw = from_hex(hex);
    if (!raw || raw->size() != Strong::size) return std::nullopt;
    Strong value;
    std::memcpy(value.value.data(), raw->data(), Strong::size);
    return value;
}

template <typename Strong>
std::string hex_of(const Strong& id) {
    return to_hex(byte_view(id.value.data(), id.value.size()));
}

// A closed room's admission secret as the link carries it; null for none (an open room).
json admission_json(const std::optional<e2ee::admission_secret>& secret) {
    if (!secret || !e2ee::is_set(*secret)) return nullptr;
    return to_hex(byte_view(secret->data(), secret->size));
}

// Null or "" is absent; anything else must be exactly 64 hex digits.
bool parse_admission_hex(const char* hex, std::optional<e2ee::admission_secret>& out) {
    if (hex == nullptr || hex[0] == '\0') return true;
    auto raw = from_hex(hex);
    if (!raw || raw->size() != e2ee::admission_secret::size) return false;
    e2ee::admission_secret secret;
    std::memcpy(secret.data(), raw->data(), e2ee::admission_secret::size);
    std::fill(raw->begin(), raw->end(), std::uint8_t{0});
    out = std::move(secret);
    return true;
}

}  // namespace

struct stoa_handle {
    stoa_handle(e2ee::secret_bytes<e2ee::seed_size> seed_bytes, client::client_config config)
        : seed(std::move(seed_bytes)),
          session(e2ee::identity::from_seed(seed), std::move(config), random) {}

    e2ee::system_random random;
    e2ee::secret_bytes<e2ee::seed_size> seed;
    client::client_session session;
    std::string buffer;                          // the last string or byte result
    std::vector<client::outbound> pending;       // taken from the session, handed out one by one
    std::size_t next_pending = 0;
    // Opening a profile checks a signature: remember names by their sealed bytes.
    std::unordered_map<std::string, std::optional<std::string>> names;

    std::optional<std::string> name_of(const room::member_entry& member) {
        if (member.profile.empty()) return std::nullopt;
        std::string key(reinterpret_cast<const char*>(member.profile.data()), member.profile.size());
        key.append(reinterpret_cast<const char*>(member.key.value.data()), member.key.value.size());
        if (const auto found = names.find(key); found != names.end() && found->second) return found->second;
        auto opened = session.open_profile(member);
        // A failed open may succeed once the roster key arrives, so only successes are cached.
        if (!opened) return std::nullopt;
        if (names.size() > 4096) names.clear();  // bounded: a busy audience list cycles through
        return names.emplace(std::move(key), std::move(opened->display_name)).first->second;
    }

    json member_json(const room::member_entry& member) {
        json out;
        out["id"] = hex_of(member.id);
        out["index"] = member.index.value;
        out["role"] = std::string(proto::to_string(member.member_role));
        const auto name = name_of(member);
        out["name"] = name ? json(*name) : json(nullptr);
        out["hand"] = member.hand_raised;
        out["invited"] = member.invited_to_stage;
        out["selfMuted"] = member.self_muted;
        out["moderatorMuted"] = member.moderator_muted;
        return out;
    }

    json event_json(const client::client_event& event) {
        namespace ev = client::event;
        json out;
        std::visit(
            [&](const auto& e) {
                using T = std::decay_t<decltype(e)>;
                if constexpr (std::is_same_v<T, ev::room_created>) {
                    out["type"] = "room_created";
                    out["room"] = hex_of(e.room);
                    out["invite"] = e.invite ? json(hex_of(*e.invite)) : json(nullptr);
                    out["admission"] = admission_json(e.admission);
                } else if constexpr (std::is_same_v<T, ev::joined>) {
                    out["type"] = "joined";
                    out["room"] = hex_of(e.room);
                    out["index"] = e.index.value;
                    out["role"] = std::string(proto::to_string(e.member_role));
                } else if constexpr (std::is_same_v<T, ev::roster_changed>) {
                    out["type"] = "roster_changed";
                } else if constexpr (std::is_same_v<T, ev::invited_to_stage>) {
                    out["type"] = "invited_to_stage";
                } else if constexpr (std::is_same_v<T, ev::role_changed>) {
                    out["type"] = "role_changed";
                    out["role"] = std::string(proto::to_string(e.member_role));
                } else if constexpr (std::is_same_v<T, ev::removed>) {
                    out["type"] = "removed";
                    out["reason"] = std::string(proto::to_string(e.reason));
                } else if constexpr (std::is_same_v<T, ev::keys_changed>) {
                    out["type"] = "keys_changed";
                    out["epoch"] = e.epoch.value;
                } else if constexpr (std::is_same_v<T, ev::error>) {
                    out["type"] = "error";
                    out["code"] = e.code;
                    out["name"] = e.name;
                    out["message"] = e.message;
                } else if constexpr (std::is_same_v<T, ev::speaker_alarm>) {
                    out["type"] = "speaker_alarm";
                    out["sender"] = e.sender.value;
                    out["forged"] = e.forged;
                } else if constexpr (std::is_same_v<T, ev::security_alarm>) {
                    out["type"] = "security_alarm";
                    out["kind"] = std::string(client::event::to_string(e.kind));
                    out["member"] = hex_of(e.member);
                    out["index"] = e.index.value;
                } else if constexpr (std::is_same_v<T, ev::admission_changed>) {
                    out["type"] = "admission_changed";
                } else if constexpr (std::is_same_v<T, ev::audience_page>) {
                    out["type"] = "audience_page";
                    out["offset"] = e.page.offset;
                    out["total"] = e.page.total;
                    json members = json::array();
                    for (const auto& member : e.page.members) members.push_back(member_json(member));
                    out["members"] = std::move(members);
                } else if constexpr (std::is_same_v<T, ev::directory>) {
                    out["type"] = "directory";
                    out["total"] = e.total;
                    json rooms = json::array();
                    for (std::size_t i = 0; i < e.rooms.size(); ++i) {
                        rooms.push_back({{"room", hex_of(e.rooms[i].first)},
                                         {"title", e.rooms[i].second},
                                         {"listeners", i < e.listeners.size() ? e.listeners[i] : 0}});
                    }
                    out["rooms"] = std::move(rooms);
                } else if constexpr (std::is_same_v<T, ev::relay_shutdown>) {
                    out["type"] = "relay_shutdown";
                    out["reconnectAfterMs"] =
                        std::chrono::duration_cast<std::chrono::milliseconds>(e.reconnect_after).count();
                } else if constexpr (std::is_same_v<T, ev::connection_lost>) {
                    out["type"] = "connection_lost";
                    out["room"] = hex_of(e.room);
                } else if constexpr (std::is_same_v<T, ev::rejoined>) {
                    out["type"] = "rejoined";
                    out["room"] = hex_of(e.room);
                    out["index"] = e.index.value;
                    out["role"] = std::string(proto::to_string(e.member_role));
                    out["recreated"] = e.recreated;
                } else if constexpr (std::is_same_v<T, ev::rejoin_failed>) {
                    out["type"] = "rejoin_failed";
                    out["room"] = hex_of(e.room);
                    out["code"] = e.code;
                } else {
                    static_assert(sizeof(T) == 0, "every client event needs its JSON form (docs/web-client.md)");
                }
            },
            event);
        return out;
    }

    json state_json(time_point now) {
        json out;
        out["id"] = hex_of(session.id());
        out["publicKey"] = hex_of(session.identity().key());
        const auto room = session.room();
        out["room"] = room ? json(hex_of(*room)) : json(nullptr);
        out["inRoom"] = session.in_room();
        // The room lost with the relay that the session is getting back into by itself.
        const auto rejoining = session.rejoining();
        out["rejoining"] = rejoining ? json(hex_of(*rejoining)) : json(nullptr);
        out["role"] = std::string(proto::to_string(session.role()));
        out["index"] = session.in_room() ? json(session.index().value) : json(nullptr);
        const auto epoch = session.current_epoch();
        out["keys"] = epoch.has_value();
        out["epoch"] = epoch ? json(epoch->value) : json(nullptr);
        const auto code = session.in_room() ? session.security_code(now) : std::nullopt;
        out["securityCode"] = code ? json(code->digits) : json(nullptr);
        // What an invite link carries besides the room: the host key this member trusts, and a
        // closed room's current admission secret (it rotates after a kick or ban).
        const auto host = session.room() ? session.trusted_host() : std::nullopt;
        out["hostKey"] = host ? json(hex_of(*host)) : json(nullptr);
        out["admission"] = session.room() ? admission_json(session.admission_secret()) : json(nullptr);
        if (const auto* self = session.own_entry(); self != nullptr && session.in_room()) {
            out["me"] = {{"hand", self->hand_raised},
                         {"invited", self->invited_to_stage},
                         {"selfMuted", self->self_muted},
                         {"moderatorMuted", self->moderator_muted}};
        } else {
            out["me"] = nullptr;
        }
        json stage = json::array();
        if (session.in_room()) {
            for (const auto& view : session.stage(false)) {
                json member = member_json(view.entry);
                member["speaking"] = view.speaking;
                stage.push_back(std::move(member));
            }
        }
        out["stage"] = std::move(stage);
        out["audienceCount"] = session.in_room() ? session.audience_count() : 0;
        const auto& stats = session.stats();
        out["stats"] = {{"framesSent", stats.frames_sent},
                        {"framesDecrypted", stats.frames_received},
                        {"decryptFailures", stats.decrypt_failures},
                        {"noKeyFailures", stats.no_key_failures},
                        {"forgedFrames", stats.forged_frames},
                        {"rekeys", stats.rekeys},
                        {"securityAlarms", stats.security_alarms},
                        {"outboxMediaDropped", stats.outbox_media_dropped}};
        return out;
    }

    const char* keep(std::string text) {
        buffer = std::move(text);
        return buffer.c_str();
    }
};

extern "C" {

// A new session. `seed` is 32 bytes from storage, or null to draw a new identity. Null when the
// seed cannot be used or the platform has no secure randomness.
EMSCRIPTEN_KEEPALIVE stoa_handle* stoa_create(const std::uint8_t* seed, const char* relay_context, int decode_audio) {
    try {
        e2ee::system_random random;
        e2ee::secret_bytes<e2ee::seed_size> seed_bytes;
        if (seed != nullptr) {
            std::memcpy(seed_bytes.data(), seed, e2ee::seed_size);
        } else {
            random.fill(std::span<std::uint8_t>(seed_bytes.data(), e2ee::seed_size));
        }
        client::client_config config;
        if (relay_context != nullptr) config.relay_context = relay_context;
        config.client_name = "stoa-web";
        config.decode_audio = decode_audio != 0;
        // Conversation wants the smallest safe delay: start a talk spurt 40 ms behind and let the
        // buffer's percentile target grow it on a jittery network (native clients keep 60 / 40).
        config.jitter.initial_delay = std::chrono::milliseconds(40);
        config.jitter.min_delay = std::chrono::milliseconds(20);
        return new stoa_handle(std::move(seed_bytes), std::move(config));
    } catch (...) {  // start-up only: no randomness, or out of memory
        return nullptr;
    }
}

EMSCRIPTEN_KEEPALIVE void stoa_destroy(stoa_handle* handle) { delete handle; }

// Copies the identity's seed (to keep in IndexedDB) into `out` (32 bytes).
EMSCRIPTEN_KEEPALIVE int stoa_seed(stoa_handle* handle, std::uint8_t* out) {
    if (handle == nullptr || out == nullptr) return stoa_bad_argument;
    std::memcpy(out, handle->seed.data(), e2ee::seed_size);
    return stoa_ok;
}

EMSCRIPTEN_KEEPALIVE const char* stoa_member_id(stoa_handle* handle) {
    if (handle == nullptr) return "";
    return handle->keep(hex_of(handle->session.id()));
}

// This member's Ed25519 public key, 64 hex digits: a host puts it in its invite links.
EMSCRIPTEN_KEEPALIVE const char* stoa_public_key(stoa_handle* handle) {
    if (handle == nullptr) return "";
    return handle->keep(hex_of(handle->session.identity().key()));
}

// The closed room's current admission secret (64 hex digits) for invite links, or "" when there
// is none (not in a room, or an open room).
EMSCRIPTEN_KEEPALIVE const char* stoa_admission_secret(stoa_handle* handle) {
    if (handle == nullptr) return "";
    const json secret = admission_json(handle->session.room() ? handle->session.admission_secret() : std::nullopt);
    return handle->keep(secret.is_string() ? secret.get<std::string>() : std::string());
}

// The host key this member trusts for its room (64 hex digits), or "" before there is one.
EMSCRIPTEN_KEEPALIVE const char* stoa_trusted_host(stoa_handle* handle) {
    if (handle == nullptr) return "";
    const auto host = handle->session.room() ? handle->session.trusted_host() : std::nullopt;
    return handle->keep(host ? hex_of(*host) : std::string());
}

EMSCRIPTEN_KEEPALIVE std::size_t stoa_buffer_size(stoa_handle* handle) { return handle ? handle->buffer.size() : 0; }
EMSCRIPTEN_KEEPALIVE const char* stoa_buffer_data(stoa_handle* handle) { return handle ? handle->buffer.data() : nullptr; }

EMSCRIPTEN_KEEPALIVE void stoa_connected(stoa_handle* handle, double now_ms) {
    if (handle != nullptr) handle->session.on_connected(from_ms(now_ms));
}

EMSCRIPTEN_KEEPALIVE void stoa_disconnected(stoa_handle* handle, double now_ms) {
    if (handle == nullptr) return;
    handle->session.on_disconnected(from_ms(now_ms));
    handle->pending.clear();
    handle->next_pending = 0;
}

EMSCRIPTEN_KEEPALIVE int stoa_receive_text(stoa_handle* handle, const char* data, std::size_t size, double now_ms) {
    if (handle == nullptr || (data == nullptr && size != 0)) return stoa_bad_argument;
    handle->session.receive_text(std::string_view(data, size), from_ms(now_ms));
    return stoa_ok;
}

EMSCRIPTEN_KEEPALIVE int stoa_receive_binary(stoa_handle* handle, const std::uint8_t* data, std::size_t size,
                                             double now_ms) {
    if (handle == nullptr || (data == nullptr && size != 0)) return stoa_bad_argument;
    handle->session.receive_binary(byte_view(data, size), from_ms(now_ms));
    return stoa_ok;
}

EMSCRIPTEN_KEEPALIVE void stoa_tick(stoa_handle* handle, double now_ms) {
    if (handle != nullptr) handle->session.tick(from_ms(now_ms));
}

// The next message for the WebSocket, its bytes in the buffer: stoa_outbound_none, or
// stoa_outbound_text / stoa_outbound_binary, or-ed with stoa_outbound_media for audio (the only
// messages a congested socket may drop).
EMSCRIPTEN_KEEPALIVE int stoa_next_outbound(stoa_handle* handle) {
    if (handle == nullptr) return stoa_outbound_none;
    if (handle->next_pending >= handle->pending.size()) {
        handle->pending = handle->session.take_outbound();
        handle->next_pending = 0;
        if (handle->pending.empty()) return stoa_outbound_none;
    }
    client::outbound& message = handle->pending[handle->next_pending++];
    handle->buffer = std::move(message.data);
    const int kind = message.binary ? stoa_outbound_binary : stoa_outbound_text;
    return message.media ? (kind | stoa_outbound_media) : kind;
}

// Every event since the last call, as a JSON array (docs/web-client.md).
EMSCRIPTEN_KEEPALIVE const char* stoa_take_events(stoa_handle* handle) {
    if (handle == nullptr) return "[]";
    json events = json::array();
    for (const auto& event : handle->session.take_events()) events.push_back(handle->event_json(event));
    return handle->keep(dump(events));
}

// What the UI shows, as JSON (docs/web-client.md, without the `connection` field the worker adds).
EMSCRIPTEN_KEEPALIVE const char* stoa_state(stoa_handle* handle, double now_ms) {
    if (handle == nullptr) return "{}";
    return handle->keep(dump(handle->state_json(from_ms(now_ms))));
}

// The speaking flags of the stage alone, cheap enough for every animation frame: "index:0|1,...".
EMSCRIPTEN_KEEPALIVE const char* stoa_speaking(stoa_handle* handle) {
    if (handle == nullptr) return "";
    std::string out;
    if (handle->session.in_room()) {
        for (const auto& view : handle->session.stage(false)) {
            if (!out.empty()) out.push_back(',');
            out += std::to_string(view.entry.index.value);
            out += view.speaking ? ":1" : ":0";
        }
    }
    return handle->keep(std::move(out));
}

// kind: 0 open, 1 closed. `title` may be null.
EMSCRIPTEN_KEEPALIVE int stoa_create_room(stoa_handle* handle, int kind, int stage_only, const char* title) {
    if (handle == nullptr || (kind != 0 && kind != 1)) return stoa_bad_argument;
    std::optional<std::string> room_title;
    if (title != nullptr && title[0] != '\0') room_title = title;
    handle->session.create_room(kind == 0 ? room::room_kind::open : room::room_kind::closed, stage_only != 0,
                                std::move(room_title));
    return stoa_ok;
}

// `room` is 32 hex digits; `invite` (the relay's gate), `admission` (a closed room's secret from
// the link's fragment) and `host_key` (the host's public key from the link) are 64 hex digits, or
// null / "" when the link has none. `name` is sealed before it leaves.
EMSCRIPTEN_KEEPALIVE int stoa_join_room(stoa_handle* handle, const char* room_hex, const char* invite_hex,
                                        const char* name, const char* admission_hex, const char* host_key_hex) {
    if (handle == nullptr) return stoa_bad_argument;
    const auto room = parse_hex_id<room_id>(room_hex);
    if (!room) return stoa_bad_argument;
    std::optional<invite_token> invite;
    if (invite_hex != nullptr && invite_hex[0] != '\0') {
        invite = parse_hex_id<invite_token>(invite_hex);
        if (!invite) return stoa_bad_argument;
    }
    std::optional<e2ee::admission_secret> admission;
    if (!parse_admission_hex(admission_hex, admission)) return stoa_bad_argument;
    std::optional<public_key> expected_host;
    if (host_key_hex != nullptr && host_key_hex[0] != '\0') {
        expected_host = parse_hex_id<public_key>(host_key_hex);
        if (!expected_host) return stoa_bad_argument;
    }
    e2ee::profile profile;
    if (name != nullptr) profile.display_name = name;
    if (profile.display_name.size() > e2ee::max_display_name_size) return stoa_bad_argument;
    handle->session.join_room(*room, invite, std::move(profile), std::move(admission), expected_host);
    return stoa_ok;
}

// A room action by code (see action_code); `target` is a member id in hex for those that need one.
EMSCRIPTEN_KEEPALIVE int stoa_act(stoa_handle* handle, int code, const char* target_hex, int flag) {
    if (handle == nullptr) return stoa_bad_argument;
    namespace act = room::action;
    const auto targeted = [&](auto action) -> int {
        const auto target = parse_hex_id<member_id>(target_hex);
        if (!target) return stoa_bad_argument;
        action.target = *target;
        handle->session.act(action);
        return stoa_ok;
    };
    switch (static_cast<action_code>(code)) {
        case action_code::leave: handle->session.act(act::leave{false}); return stoa_ok;
        case action_code::leave_quietly: handle->session.act(act::leave{true}); return stoa_ok;
        case action_code::raise_hand: handle->session.act(act::raise_hand{}); return stoa_ok;
        case action_code::lower_hand: handle->session.act(act::lower_hand{}); return stoa_ok;
        case action_code::accept_invite: handle->session.act(act::accept_invite{}); return stoa_ok;
        case action_code::decline_invite: handle->session.act(act::decline_invite{}); return stoa_ok;
        case action_code::set_self_muted: handle->session.act(act::set_self_muted{flag != 0}); return stoa_ok;
        case action_code::end_room: handle->session.act(act::end_room{}); return stoa_ok;
        case action_code::invite_to_stage: return targeted(act::invite_to_stage{});
        case action_code::move_to_audience: return targeted(act::move_to_audience{});
        case action_code::moderator_mute: return targeted(act::moderator_mute{});
        case action_code::promote_moderator: return targeted(act::promote_moderator{});
        case action_code::demote_moderator: return targeted(act::demote_moderator{});
        case action_code::kick: return targeted(act::kick{});
        case action_code::ban: return targeted(act::ban{});
    }
    return stoa_unknown_action;
}

EMSCRIPTEN_KEEPALIVE int stoa_request_directory(stoa_handle* handle, std::uint32_t offset, std::uint32_t limit) {
    if (handle == nullptr) return stoa_bad_argument;
    handle->session.request_directory(offset, limit);
    return stoa_ok;
}

EMSCRIPTEN_KEEPALIVE int stoa_request_audience(stoa_handle* handle, std::uint32_t offset, std::uint32_t limit) {
    if (handle == nullptr) return stoa_bad_argument;
    handle->session.request_audience_page(offset, limit);
    return stoa_ok;
}

// One 20 ms microphone frame (960 mono 48 kHz samples). 0, or the negated client_error code
// (not on stage, muted, no key yet): the caller decides whether that is worth showing.
EMSCRIPTEN_KEEPALIVE int stoa_send_audio(stoa_handle* handle, const std::int16_t* pcm, double now_ms) {
    if (handle == nullptr || pcm == nullptr) return stoa_bad_argument;
    const auto sent =
        handle->session.send_audio(std::span<const std::int16_t, audio::frame_samples>(pcm, audio::frame_samples),
                                   from_ms(now_ms));
    if (!sent.ok()) return -static_cast<int>(sent.error());
    return stoa_ok;
}

// The next 20 ms of the room's mixed audio into `out` (960 samples).
EMSCRIPTEN_KEEPALIVE int stoa_pull_audio(stoa_handle* handle, double now_ms, std::int16_t* out) {
    if (handle == nullptr || out == nullptr) return stoa_bad_argument;
    handle->session.pull_audio(from_ms(now_ms), std::span<std::int16_t, audio::frame_samples>(out, audio::frame_samples));
    return stoa_ok;
}

EMSCRIPTEN_KEEPALIVE int stoa_frame_samples() { return static_cast<int>(audio::frame_samples); }

}  // extern "C"
