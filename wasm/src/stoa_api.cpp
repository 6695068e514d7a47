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

#include "stoa/client/client_session.hpp"
#include "stoa/client/media_observer.hpp"
#include "stoa/common/bytes.hpp"
#include "stoa/e2ee/admission.hpp"
#include "stoa/e2ee/identity.hpp"
#include "stoa/e2ee/secret.hpp"
#include "stoa/e2ee/system_random.hpp"
#include "stoa/proto/json_value.hpp"
#include "stoa/proto/room_json.hpp"

namespace {

using namespace stoa;

// Never renumber: wasm/js/stoa-session.js mirrors these.
enum stoa_status : int {
    stoa_ok = 0,
    stoa_bad_argument = -1,  // null handle, wrong length, malformed hex
    stoa_unknown_action = -2,
    // Negative client_error codes (-600 ...) come from stoa_can_send and stoa_send_opus.
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

// JSON for JavaScript comes from proto::json_writer, which writes U+FFFD for bytes that are not
// UTF-8: display names are another member's bytes.

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
std::optional<std::string> admission_hex(const std::optional<e2ee::admission_secret>& secret) {
    if (!secret || !e2ee::is_set(*secret)) return std::nullopt;
    return to_hex(byte_view(secret->data(), secret->size));
}

template <typename Strong>
std::optional<std::string> hex_or_null(const std::optional<Strong>& id) {
    if (!id) return std::nullopt;
    return hex_of(*id);
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

// What the speakers' players did on each 20 ms pull, summed over speakers: the page's stats show
// how often audio was concealed or recovered by FEC (a jittery link's gaps) next to what decoded.
struct playout_counts final : client::media_observer {
    std::uint64_t decoded = 0;
    std::uint64_t recovered = 0;  // decode_fec: a lost frame rebuilt from the next one's FEC data
    std::uint64_t concealed = 0;  // a lost or late frame, or an underrun, filled by Opus PLC

    void on_frame(sender_index, audio::frame_seq, time_point, time_point) override {}
    void on_playout(sender_index, const audio::player_output& played, time_point) override {
        switch (played.action) {
            case audio::playout_action::decode: ++decoded; break;
            case audio::playout_action::decode_fec: ++recovered; break;
            case audio::playout_action::conceal: ++concealed; break;
            case audio::playout_action::none: break;
        }
    }
};

client::client_config observed_by(client::client_config config, client::media_observer* observer) {
    config.observer = observer;
    return config;
}

struct stoa_handle {
    stoa_handle(e2ee::secret_bytes<e2ee::seed_size> seed_bytes, client::client_config config)
        : seed(std::move(seed_bytes)),
          session(e2ee::identity::from_seed(seed), observed_by(std::move(config), &playout), random) {}

    e2ee::system_random random;
    e2ee::secret_bytes<e2ee::seed_size> seed;
    playout_counts playout;  // before the session, which holds a pointer to it
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

    // The member's fields, into an object the caller has opened.
    void member_fields(proto::json_writer& out, const room::member_entry& member) {
        out.field("id", hex_of(member.id));
        out.field("index", member.index.value);
        out.field("role", proto::to_string(member.member_role));
        out.field("name", name_of(member));
        out.field("hand", member.hand_raised);
        out.field("invited", member.invited_to_stage);
        out.field("selfMuted", member.self_muted);
        out.field("moderatorMuted", member.moderator_muted);
    }

    void write_event(proto::json_writer& out, const client::client_event& event) {
        namespace ev = client::event;
        out.begin_object();
        std::visit(
            [&](const auto& e) {
                using T = std::decay_t<decltype(e)>;
                if constexpr (std::is_same_v<T, ev::room_created>) {
                    out.field("type", "room_created");
                    out.field("room", hex_of(e.room));
                    out.field("invite", hex_or_null(e.invite));
                    out.field("admission", admission_hex(e.admission));
                } else if constexpr (std::is_same_v<T, ev::joined>) {
                    out.field("type", "joined");
                    out.field("room", hex_of(e.room));
                    out.field("index", e.index.value);
                    out.field("role", proto::to_string(e.member_role));
                } else if constexpr (std::is_same_v<T, ev::roster_changed>) {
                    out.field("type", "roster_changed");
                } else if constexpr (std::is_same_v<T, ev::invited_to_stage>) {
                    out.field("type", "invited_to_stage");
                } else if constexpr (std::is_same_v<T, ev::role_changed>) {
                    out.field("type", "role_changed");
                    out.field("role", proto::to_string(e.member_role));
                } else if constexpr (std::is_same_v<T, ev::removed>) {
                    out.field("type", "removed");
                    out.field("reason", proto::to_string(e.reason));
                } else if constexpr (std::is_same_v<T, ev::keys_changed>) {
                    out.field("type", "keys_changed");
                    out.field("epoch", e.epoch.value);
                } else if constexpr (std::is_same_v<T, ev::error>) {
                    out.field("type", "error");
                    out.field("code", e.code);
                    out.field("name", e.name);
                    out.field("message", e.message);
                } else if constexpr (std::is_same_v<T, ev::speaker_alarm>) {
                    out.field("type", "speaker_alarm");
                    out.field("sender", e.sender.value);
                    out.field("forged", e.forged);
                } else if constexpr (std::is_same_v<T, ev::security_alarm>) {
                    out.field("type", "security_alarm");
                    out.field("kind", client::event::to_string(e.kind));
                    out.field("member", hex_of(e.member));
                    out.field("index", e.index.value);
                } else if constexpr (std::is_same_v<T, ev::admission_changed>) {
                    out.field("type", "admission_changed");
                } else if constexpr (std::is_same_v<T, ev::audience_page>) {
                    out.field("type", "audience_page");
                    out.field("offset", e.page.offset);
                    out.field("total", e.page.total);
                    out.key("members");
                    out.begin_array();
                    for (const auto& member : e.page.members) {
                        out.begin_object();
                        member_fields(out, member);
                        out.end_object();
                    }
                    out.end_array();
                } else if constexpr (std::is_same_v<T, ev::directory>) {
                    out.field("type", "directory");
                    out.field("total", e.total);
                    out.key("rooms");
                    out.begin_array();
                    for (std::size_t i = 0; i < e.rooms.size(); ++i) {
                        out.begin_object();
                        out.field("room", hex_of(e.rooms[i].first));
                        out.field("title", e.rooms[i].second);
                        out.field("listeners", i < e.listeners.size() ? e.listeners[i] : 0);
                        out.end_object();
                    }
                    out.end_array();
                } else if constexpr (std::is_same_v<T, ev::relay_shutdown>) {
                    out.field("type", "relay_shutdown");
                    out.field("reconnectAfterMs",
                              std::chrono::duration_cast<std::chrono::milliseconds>(e.reconnect_after).count());
                } else if constexpr (std::is_same_v<T, ev::connection_lost>) {
                    out.field("type", "connection_lost");
                    out.field("room", hex_of(e.room));
                } else if constexpr (std::is_same_v<T, ev::rejoined>) {
                    out.field("type", "rejoined");
                    out.field("room", hex_of(e.room));
                    out.field("index", e.index.value);
                    out.field("role", proto::to_string(e.member_role));
                    out.field("recreated", e.recreated);
                } else if constexpr (std::is_same_v<T, ev::rejoin_failed>) {
                    out.field("type", "rejoin_failed");
                    out.field("room", hex_of(e.room));
                    out.field("code", e.code);
                } else if constexpr (std::is_same_v<T, ev::reaction>) {
                    // Decrypted and authenticated by the session; the kind is one of reaction_kinds.
                    out.field("type", "reaction");
                    out.field("member", hex_of(e.member));
                    out.field("index", e.index.value);
                    out.field("kind", e.kind);
                    const auto known = client::reaction_from_byte(e.kind);
                    out.field("name", known ? client::to_string(*known) : std::string_view("unknown"));
                } else {
                    static_assert(sizeof(T) == 0, "every client event needs its JSON form (docs/web-client.md)");
                }
            },
            event);
        out.end_object();
    }

    void write_state(proto::json_writer& out, time_point now) {
        out.begin_object();
        out.field("id", hex_of(session.id()));
        out.field("publicKey", hex_of(session.identity().key()));
        const auto room = session.room();
        out.field("room", hex_or_null(room));
        out.field("inRoom", session.in_room());
        // The room lost with the relay that the session is getting back into by itself.
        const auto rejoining = session.rejoining();
        out.field("rejoining", hex_or_null(rejoining));
        out.field("role", proto::to_string(session.role()));
        out.field("index", session.in_room() ? std::optional(session.index().value) : std::nullopt);
        const auto epoch = session.current_epoch();
        out.field("keys", epoch.has_value());
        out.field("epoch", epoch ? std::optional(epoch->value) : std::nullopt);
        const auto code = session.in_room() ? session.security_code(now) : std::nullopt;
        out.field("securityCode", code ? std::optional<std::string>(code->digits) : std::nullopt);
        // The same code's emoji and their names (core/e2ee/security_code.hpp), space-separated.
        std::optional<std::string> emoji;
        if (code) {
            emoji.emplace();
            for (const auto symbol : code->emoji) {
                if (!emoji->empty()) emoji->push_back(' ');
                emoji->append(symbol);
            }
        }
        out.field("securityEmoji", emoji);
        out.field("securityWords", code ? std::optional<std::string>(code->words) : std::nullopt);
        // What an invite link carries besides the room: the host key this member trusts, and a
        // closed room's current admission secret (it rotates after a kick or ban).
        const auto host = session.room() ? session.trusted_host() : std::nullopt;
        out.field("hostKey", hex_or_null(host));
        out.field("admission", session.room() ? admission_hex(session.admission_secret()) : std::nullopt);
        if (const auto* self = session.own_entry(); self != nullptr && session.in_room()) {
            out.key("me");
            out.begin_object();
            out.field("hand", self->hand_raised);
            out.field("invited", self->invited_to_stage);
            out.field("selfMuted", self->self_muted);
            out.field("moderatorMuted", self->moderator_muted);
            out.end_object();
        } else {
            out.field("me", nullptr);
        }
        out.key("stage");
        out.begin_array();
        if (session.in_room()) {
            for (const auto& view : session.stage(false)) {
                out.begin_object();
                member_fields(out, view.entry);
                out.field("speaking", view.speaking);
                out.end_object();
            }
        }
        out.end_array();
        out.field("audienceCount", session.in_room() ? session.audience_count() : 0);
        const auto& stats = session.stats();
        out.key("stats");
        out.begin_object();
        out.field("framesSent", stats.frames_sent);
        out.field("framesDecrypted", stats.frames_received);
        out.field("decryptFailures", stats.decrypt_failures);
        out.field("noKeyFailures", stats.no_key_failures);
        out.field("forgedFrames", stats.forged_frames);
        out.field("rekeys", stats.rekeys);
        out.field("securityAlarms", stats.security_alarms);
        out.field("outboxMediaDropped", stats.outbox_media_dropped);
        out.field("playoutDecoded", playout.decoded);
        out.field("playoutRecovered", playout.recovered);
        out.field("playoutConcealed", playout.concealed);
        out.end_object();
        out.end_object();
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
        // Win the delay back four times sooner than native clients once the network calms down
        // (a load spike or a rough start): measured on a jittery link in docs/performance.md.
        config.jitter.target_decay_packets = 32;
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
    auto secret = admission_hex(handle->session.room() ? handle->session.admission_secret() : std::nullopt);
    return handle->keep(secret ? std::move(*secret) : std::string());
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
    proto::json_writer out;
    out.begin_array();
    for (const auto& event : handle->session.take_events()) handle->write_event(out, event);
    out.end_array();
    return handle->keep(out.take());
}

// What the UI shows, as JSON (docs/web-client.md, without the `connection` field the worker adds).
EMSCRIPTEN_KEEPALIVE const char* stoa_state(stoa_handle* handle, double now_ms) {
    if (handle == nullptr) return "{}";
    proto::json_writer out(1024);
    handle->write_state(out, from_ms(now_ms));
    return handle->keep(out.take());
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

// An emoji reaction (a client::reaction_kind value) for the room: 0, or the negated client_error
// (unknown_reaction, rate_limited, not_in_room, no_sending_key).
EMSCRIPTEN_KEEPALIVE int stoa_send_reaction(stoa_handle* handle, int kind, double now_ms) {
    if (handle == nullptr) return stoa_bad_argument;
    const auto known = kind >= 0 && kind <= 255 ? client::reaction_from_byte(static_cast<std::uint8_t>(kind))
                                                : std::nullopt;
    if (!known) return -static_cast<int>(client::client_error::unknown_reaction);
    const auto sent = handle->session.send_reaction(*known, from_ms(now_ms));
    return sent.ok() ? stoa_ok : -static_cast<int>(sent.error());
}

// Sending is split: the Opus encoder is a module of its own (wasm/src/encoder_api.cpp), loaded
// only when a member unmutes, so a listener's bundle carries no encoder. Per 20 ms frame the
// worker asks stoa_can_send (nothing is encoded when the answer is no), encodes as
// stoa_constant_rate / stoa_send_bitrate / stoa_max_opus_packet say (the encoder is made again
// when the room's mode flips), and hands the packet to stoa_send_opus.

// 0 when a frame sent now would go out, or the negated client_error (not on stage, muted, no key
// yet): the caller decides whether that is worth showing.
EMSCRIPTEN_KEEPALIVE int stoa_can_send(stoa_handle* handle, double now_ms) {
    if (handle == nullptr) return stoa_bad_argument;
    const auto can = handle->session.can_send(from_ms(now_ms));
    return can.ok() ? stoa_ok : -static_cast<int>(can.error());
}

// 1 when the room wants constant rate (CBR, every packet padded to one size, silence sent), else 0.
EMSCRIPTEN_KEEPALIVE int stoa_constant_rate(stoa_handle* handle) {
    return handle != nullptr && handle->session.sends_constant_rate() ? 1 : 0;
}

EMSCRIPTEN_KEEPALIVE int stoa_send_bitrate(stoa_handle* handle) {
    return handle != nullptr ? static_cast<int>(handle->session.send_bitrate()) : stoa_bad_argument;
}

// The largest packet the current mode carries (smaller when padded).
EMSCRIPTEN_KEEPALIVE int stoa_max_opus_packet(stoa_handle* handle) {
    return handle != nullptr ? static_cast<int>(handle->session.max_opus_packet()) : stoa_bad_argument;
}

// One encoded 20 ms frame: 0 (sent, or skipped as silence in VBR mode), or the negated
// client_error (refused, too large for the mode).
EMSCRIPTEN_KEEPALIVE int stoa_send_opus(stoa_handle* handle, const std::uint8_t* packet, std::size_t size,
                                        double now_ms) {
    if (handle == nullptr || (packet == nullptr && size != 0)) return stoa_bad_argument;
    const auto sent = handle->session.send_opus(byte_view(packet, size), from_ms(now_ms));
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
