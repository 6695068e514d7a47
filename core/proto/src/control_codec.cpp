// JSON control messages: envelope ("v", "type", "request_id"), then one body per type.
#include "stoa/proto/control_codec.hpp"

#include <stdexcept>

#include "room_fields.hpp"
#include "stoa/proto/bounded_json.hpp"
#include "stoa/proto/room_json.hpp"

namespace stoa::proto {
namespace {

using detail::decode_context;
using detail::enum_name;
using detail::hex;
using detail::name_of;
using detail::object_reader;

// ---- Shared pieces ----

// A control message being written: the envelope's order is v, type, request_id, then the body,
// and the body writer names the type.
class message_writer : public json_writer {
public:
    explicit message_writer(std::optional<std::uint32_t> request_id) : json_writer(256), request_id_(request_id) {
        begin_object();
        field("v", protocol_version);
    }
    void type(std::string_view name) {
        field("type", name);
        if (request_id_) field("request_id", *request_id_);
    }
    [[nodiscard]] std::string finish() {
        end_object();
        return take();
    }

private:
    std::optional<std::uint32_t> request_id_;
};

template <std::size_t N>
std::array<std::uint8_t, N> fixed_base64(object_reader& r, std::string_view key) {
    std::array<std::uint8_t, N> out{};
    const bytes raw = r.base64(key, N, N);
    if (!r.failed()) std::copy(raw.begin(), raw.end(), out.begin());
    return out;
}

// Snapshot objects appear in `welcome` and `snapshot`.
snapshot_message read_snapshot(object_reader& r) {
    snapshot_message out;
    const auto on = r.enumeration("stream", detail::stream_names);
    if (on == room::stream::stage) {
        room::stage_snapshot s;
        s.room = r.hex_id<room_id>("room");
        s.kind = r.enumeration("kind", detail::kind_names);
        s.stage_only = r.boolean("stage_only");
        s.seq = delta_seq(r.safe_u64("seq"));
        s.ended = r.boolean("ended");
        s.audience_count = r.u32("audience_count");
        s.stage = detail::read_members(r, "members", max_members_per_snapshot_part);
        out.snapshot = std::move(s);
    } else {
        room::full_snapshot s;
        s.room = r.hex_id<room_id>("room");
        s.kind = r.enumeration("kind", detail::kind_names);
        s.stage_only = r.boolean("stage_only");
        s.seq = delta_seq(r.safe_u64("seq"));
        s.ended = r.boolean("ended");
        out.part = r.u32("part");
        out.parts = r.u32("parts", 1, max_snapshot_parts);
        if (!r.failed() && out.part >= out.parts) r.fail(proto_error::invalid_combination, "part");
        s.members = detail::read_members(r, "members", max_members_per_snapshot_part);
        out.snapshot = std::move(s);
    }
    r.finish();
    return out;
}

void write_snapshot(json_writer& out, const snapshot_message& m) {
    out.begin_object();
    std::visit(
        [&](const auto& s) {
            using T = std::decay_t<decltype(s)>;
            constexpr bool stage = std::is_same_v<T, room::stage_snapshot>;
            out.field("stream", stage ? "stage" : "full");
            out.field("room", hex(s.room));
            out.field("kind", name_of(s.kind, detail::kind_names));
            out.field("stage_only", s.stage_only);
            out.field("seq", s.seq.value);
            out.field("ended", s.ended);
            if constexpr (stage) {
                out.field("audience_count", s.audience_count);
                out.key("members");
                detail::write_members(out, s.stage);
            } else {
                out.field("part", m.part);
                out.field("parts", m.parts);
                out.key("members");
                detail::write_members(out, s.members);
            }
        },
        m.snapshot);
    out.end_object();
}

snapshot_message read_nested_snapshot(object_reader& r, std::string_view key) {
    const auto v = r.find(key, true);
    if (!v) return {};
    object_reader nested(r.context(), *v, &r, key);
    return read_snapshot(nested);
}

// ---- Client -> relay bodies ----

template <typename Action>
room::any_action read_target_action(object_reader& r) {
    Action a;
    a.target = r.hex_id<member_id>("target");
    return a;
}

// Returns false when `type` names no client message.
bool read_client_body(object_reader& r, std::string_view type, client_body& body) {
    if (type == "hello") {
        hello h;
        h.key = r.hex_id<public_key>("key");
        h.client_name = r.string("client", 1, max_client_name_length);
        h.client_version = r.string("client_version", 1, max_client_version_length);
        body = std::move(h);
    } else if (type == "auth") {
        body = auth{fixed_base64<auth_signature_size>(r, "signature")};
    } else if (type == "create_room") {
        create_room c;
        c.kind = r.enumeration("kind", detail::kind_names);
        c.stage_only = r.boolean("stage_only");
        c.title = r.optional_string("title", 1, max_title_length);
        c.claim = r.optional_hex_id<room_claim>("claim");
        c.invite = r.optional_hex_id<invite_token>("invite");
        if (!r.failed() && (c.kind == room::room_kind::open) != c.title.has_value())
            r.fail(proto_error::invalid_combination, "title");
        // An open room has no invite to keep.
        if (!r.failed() && c.kind == room::room_kind::open && c.invite.has_value())
            r.fail(proto_error::invalid_combination, "invite");
        body = std::move(c);
    } else if (type == "join") {
        join_room j;
        j.room = r.hex_id<room_id>("room");
        j.invite = r.optional_hex_id<invite_token>("invite");
        j.profile = r.base64("profile", 0, max_profile_bytes);
        if (r.has("admission")) j.admission = r.base64("admission", 1, max_admission_bytes);
        body = std::move(j);
    } else if (type == "leave") {
        body = room_action{room::action::leave{r.boolean("quietly")}};
    } else if (type == "raise_hand") {
        body = room_action{room::action::raise_hand{}};
    } else if (type == "lower_hand") {
        body = room_action{room::action::lower_hand{}};
    } else if (type == "invite_to_stage") {
        body = room_action{read_target_action<room::action::invite_to_stage>(r)};
    } else if (type == "accept_invite") {
        body = room_action{room::action::accept_invite{}};
    } else if (type == "decline_invite") {
        body = room_action{room::action::decline_invite{}};
    } else if (type == "move_to_audience") {
        body = room_action{read_target_action<room::action::move_to_audience>(r)};
    } else if (type == "set_self_muted") {
        body = room_action{room::action::set_self_muted{r.boolean("muted")}};
    } else if (type == "moderator_mute") {
        body = room_action{read_target_action<room::action::moderator_mute>(r)};
    } else if (type == "promote_moderator") {
        body = room_action{read_target_action<room::action::promote_moderator>(r)};
    } else if (type == "demote_moderator") {
        body = room_action{read_target_action<room::action::demote_moderator>(r)};
    } else if (type == "kick") {
        body = room_action{read_target_action<room::action::kick>(r)};
    } else if (type == "ban") {
        body = room_action{read_target_action<room::action::ban>(r)};
    } else if (type == "end_room") {
        body = room_action{room::action::end_room{}};
    } else if (type == "set_profile") {
        body = room_action{room::action::set_profile{r.base64("profile", 0, max_profile_bytes)}};
    } else if (type == "audience_page") {
        audience_page_query q;
        q.page.offset = r.u32("offset");
        q.page.limit = r.u32("limit", 1, static_cast<std::uint32_t>(max_audience_page_members));
        body = q;
    } else if (type == "resync") {
        body = resync{r.enumeration("stream", detail::stream_names)};
    } else if (type == "directory") {
        directory_query q;
        q.offset = r.u32("offset");
        q.limit = r.u32("limit", 1, static_cast<std::uint32_t>(max_directory_rooms));
        body = q;
    } else if (type == "ping") {
        body = ping{r.u32("nonce")};
    } else if (type == "pong") {
        body = pong{r.u32("nonce")};
    } else {
        return false;
    }
    return true;
}

void write_room_action(message_writer& out, const room::any_action& action) {
    const std::string_view type = action_type_name(action);
    if (type.empty()) throw std::invalid_argument("join and disconnect have no room_action wire form");
    out.type(type);
    std::visit(
        [&out](const auto& a) {
            using T = std::decay_t<decltype(a)>;
            if constexpr (requires { a.target; }) {
                out.field("target", hex(a.target));
            } else if constexpr (std::is_same_v<T, room::action::leave>) {
                out.field("quietly", a.quietly);
            } else if constexpr (std::is_same_v<T, room::action::set_self_muted>) {
                out.field("muted", a.muted);
            } else if constexpr (std::is_same_v<T, room::action::set_profile>) {
                out.field("profile", encode_base64(a.profile));
            }
        },
        action);
}

void write_client_body(message_writer& out, const client_body& body) {
    std::visit(
        [&out](const auto& m) {
            using T = std::decay_t<decltype(m)>;
            if constexpr (std::is_same_v<T, hello>) {
                out.type("hello");
                out.field("key", hex(m.key));
                out.field("client", m.client_name);
                out.field("client_version", m.client_version);
            } else if constexpr (std::is_same_v<T, auth>) {
                out.type("auth");
                out.field("signature", encode_base64(m.signature));
            } else if constexpr (std::is_same_v<T, create_room>) {
                out.type("create_room");
                out.field("kind", name_of(m.kind, detail::kind_names));
                out.field("stage_only", m.stage_only);
                if (m.title) out.field("title", *m.title);
                if (m.claim) out.field("claim", hex(*m.claim));
                if (m.invite) out.field("invite", hex(*m.invite));
            } else if constexpr (std::is_same_v<T, join_room>) {
                out.type("join");
                out.field("room", hex(m.room));
                if (m.invite) out.field("invite", hex(*m.invite));
                out.field("profile", encode_base64(m.profile));
                if (!m.admission.empty()) out.field("admission", encode_base64(m.admission));
            } else if constexpr (std::is_same_v<T, room_action>) {
                write_room_action(out, m.action);
            } else if constexpr (std::is_same_v<T, audience_page_query>) {
                out.type("audience_page");
                out.field("offset", m.page.offset);
                out.field("limit", m.page.limit);
            } else if constexpr (std::is_same_v<T, resync>) {
                out.type("resync");
                out.field("stream", name_of(m.on, detail::stream_names));
            } else if constexpr (std::is_same_v<T, directory_query>) {
                out.type("directory");
                out.field("offset", m.offset);
                out.field("limit", m.limit);
            } else if constexpr (std::is_same_v<T, ping>) {
                out.type("ping");
                out.field("nonce", m.nonce);
            } else if constexpr (std::is_same_v<T, pong>) {
                out.type("pong");
                out.field("nonce", m.nonce);
            }
        },
        body);
}

// ---- Relay -> client bodies ----

room::member_entry read_nested_entry(object_reader& r, std::string_view key) {
    const auto v = r.find(key, true);
    if (!v) return {};
    object_reader nested(r.context(), *v, &r, key);
    return detail::read_member_entry(nested);
}

// welcome and follow_stream: own entry, followed stream, and a snapshot of that stream.
template <typename Message>
void read_follow(object_reader& r, Message& m) {
    m.self = read_nested_entry(r, "self");
    m.follow = r.enumeration("follow", detail::stream_names);
    m.snapshot = read_nested_snapshot(r, "snapshot");
    if (r.failed()) return;
    const bool full = std::holds_alternative<room::full_snapshot>(m.snapshot.snapshot);
    if (full != (m.follow == room::stream::full)) r.fail(proto_error::invalid_combination, "snapshot.stream");
}

bool read_server_body(object_reader& r, std::string_view type, server_body& body) {
    if (type == "challenge") {
        body = challenge{fixed_base64<auth_challenge_size>(r, "challenge")};
    } else if (type == "welcome") {
        welcome w;
        read_follow(r, w);
        body = std::move(w);
    } else if (type == "follow_stream") {
        follow_stream f;
        read_follow(r, f);
        body = std::move(f);
    } else if (type == "own_entry") {
        own_entry o;
        o.entry = read_nested_entry(r, "entry");
        body = std::move(o);
    } else if (type == "room_created") {
        room_created c;
        c.room = r.hex_id<room_id>("room");
        c.kind = r.enumeration("kind", detail::kind_names);
        c.invite = r.optional_hex_id<invite_token>("invite");
        c.claim = r.hex_id<room_claim>("claim");
        if (!r.failed() && (c.kind == room::room_kind::closed) != c.invite.has_value())
            r.fail(proto_error::invalid_combination, "invite");
        body = c;
    } else if (type == "delta") {
        delta_message d;
        d.delta.on = r.enumeration("stream", detail::stream_names);
        d.delta.seq = delta_seq(r.safe_u64("seq"));
        if (const auto change = r.find("change", true)) {
            object_reader nested(r.context(), *change, &r, "change");
            d.delta.change = detail::read_delta(nested);
        }
        body = std::move(d);
    } else if (type == "snapshot") {
        body = read_nested_snapshot(r, "snapshot");
    } else if (type == "audience_page") {
        audience_page_message p;
        p.page.offset = r.u32("offset");
        p.page.total = r.u32("total");
        p.page.members = detail::read_members(r, "members", max_audience_page_members);
        body = std::move(p);
    } else if (type == "directory") {
        directory_listing d;
        d.offset = r.u32("offset");
        d.total = r.u32("total");
        if (const auto rooms = r.array("rooms", max_directory_rooms)) {
            std::size_t i = 0;
            for (const json_value item : *rooms) {
                object_reader entry(r.context(), item, &r, "rooms", i++);
                directory_entry e;
                e.room = entry.hex_id<room_id>("room");
                e.title = entry.string("title", 1, max_title_length);
                e.listeners = entry.u32("listeners");
                entry.finish();
                if (r.failed()) break;
                d.rooms.push_back(std::move(e));
            }
        }
        body = std::move(d);
    } else if (type == "invited") {
        body = invited{r.hex_id<member_id>("by")};
    } else if (type == "kicked") {
        kicked k;
        k.room = r.hex_id<room_id>("room");
        k.by = r.hex_id<member_id>("by");
        body = k;
    } else if (type == "banned") {
        banned b;
        b.room = r.hex_id<room_id>("room");
        b.by = r.hex_id<member_id>("by");
        body = b;
    } else if (type == "room_ended") {
        body = room_ended{r.hex_id<room_id>("room")};
    } else if (type == "error") {
        error_message e;
        e.code = static_cast<std::uint16_t>(r.uint("code", 100, 599));
        e.name = r.string("name", 1, max_error_name_length);
        e.message = r.string("message", 0, max_error_message_length);
        if (!r.failed()) {
            for (char c : e.name)
                if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) {
                    r.fail(proto_error::bad_encoding, "name");
                    break;
                }
        }
        body = std::move(e);
    } else if (type == "ping") {
        body = ping{r.u32("nonce")};
    } else if (type == "pong") {
        body = pong{r.u32("nonce")};
    } else if (type == "shutdown") {
        body = shutdown{r.u32("reconnect_after_ms", 0, max_reconnect_after_ms)};
    } else {
        return false;
    }
    return true;
}

void write_server_body(message_writer& out, const server_body& body) {
    std::visit(
        [&out](const auto& m) {
            using T = std::decay_t<decltype(m)>;
            if constexpr (std::is_same_v<T, challenge>) {
                out.type("challenge");
                out.field("challenge", encode_base64(m.nonce));
            } else if constexpr (std::is_same_v<T, welcome> || std::is_same_v<T, follow_stream>) {
                out.type(std::is_same_v<T, welcome> ? "welcome" : "follow_stream");
                out.key("self");
                detail::write_member_entry(out, m.self);
                out.field("follow", name_of(m.follow, detail::stream_names));
                out.key("snapshot");
                write_snapshot(out, m.snapshot);
            } else if constexpr (std::is_same_v<T, own_entry>) {
                out.type("own_entry");
                out.key("entry");
                detail::write_member_entry(out, m.entry);
            } else if constexpr (std::is_same_v<T, room_created>) {
                out.type("room_created");
                out.field("room", hex(m.room));
                out.field("kind", name_of(m.kind, detail::kind_names));
                if (m.invite) out.field("invite", hex(*m.invite));
                out.field("claim", hex(m.claim));
            } else if constexpr (std::is_same_v<T, delta_message>) {
                out.type("delta");
                out.field("stream", name_of(m.delta.on, detail::stream_names));
                out.field("seq", m.delta.seq.value);
                out.key("change");
                detail::write_delta(out, m.delta.change);
            } else if constexpr (std::is_same_v<T, snapshot_message>) {
                out.type("snapshot");
                out.key("snapshot");
                write_snapshot(out, m);
            } else if constexpr (std::is_same_v<T, audience_page_message>) {
                out.type("audience_page");
                out.field("offset", m.page.offset);
                out.field("total", m.page.total);
                out.key("members");
                detail::write_members(out, m.page.members);
            } else if constexpr (std::is_same_v<T, directory_listing>) {
                out.type("directory");
                out.field("offset", m.offset);
                out.field("total", m.total);
                out.key("rooms");
                out.begin_array();
                for (const auto& e : m.rooms) {
                    out.begin_object();
                    out.field("room", hex(e.room));
                    out.field("title", e.title);
                    out.field("listeners", e.listeners);
                    out.end_object();
                }
                out.end_array();
            } else if constexpr (std::is_same_v<T, invited>) {
                out.type("invited");
                out.field("by", hex(m.by));
            } else if constexpr (std::is_same_v<T, kicked>) {
                out.type("kicked");
                out.field("room", hex(m.room));
                out.field("by", hex(m.by));
            } else if constexpr (std::is_same_v<T, banned>) {
                out.type("banned");
                out.field("room", hex(m.room));
                out.field("by", hex(m.by));
            } else if constexpr (std::is_same_v<T, room_ended>) {
                out.type("room_ended");
                out.field("room", hex(m.room));
            } else if constexpr (std::is_same_v<T, error_message>) {
                out.type("error");
                out.field("code", m.code);
                out.field("name", m.name);
                out.field("message", m.message);
            } else if constexpr (std::is_same_v<T, ping>) {
                out.type("ping");
                out.field("nonce", m.nonce);
            } else if constexpr (std::is_same_v<T, pong>) {
                out.type("pong");
                out.field("nonce", m.nonce);
            } else if constexpr (std::is_same_v<T, shutdown>) {
                out.type("shutdown");
                out.field("reconnect_after_ms", m.reconnect_after_ms);
            }
        },
        body);
}

// Names of the other direction's types, so a misdirected message gets wrong_direction.
constexpr std::string_view server_only_types[] = {"challenge", "welcome", "follow_stream", "own_entry",    "room_created", "delta",
                                                  "snapshot",  "invited",    "kicked",       "banned",
                                                  "room_ended", "error",     "shutdown"};
constexpr std::string_view client_only_types[] = {
    "hello",          "auth",           "create_room",      "join",           "leave",
    "raise_hand",     "lower_hand",     "invite_to_stage",  "accept_invite",  "decline_invite",
    "move_to_audience", "set_self_muted", "moderator_mute", "promote_moderator", "demote_moderator",
    "kick",           "ban",            "end_room",         "set_profile",    "resync"};

template <std::size_t N>
bool listed(std::string_view type, const std::string_view (&names)[N]) {
    for (auto n : names)
        if (n == type) return true;
    return false;
}

// Parses the envelope and hands the body to `read_body`; shared by both directions.
template <typename Message, typename ReadBody, std::size_t N>
result<Message, decode_error> decode_message(std::string_view text, const json_limits& limits, ReadBody read_body,
                                             const std::string_view (&other_side)[N]) {
    auto parsed = parse_bounded_json(text, limits);
    if (!parsed) return fail(std::move(parsed).error());
    const json_value j = parsed->root();
    if (!j.is_object()) return fail(decode_error{proto_error::invalid_json, "message is not an object"});

    decode_context ctx;
    object_reader r(ctx, j);
    // The version is checked before anything else: a future version may change every other field.
    const auto v = r.find("v", true);
    if (ctx.failed()) return fail(ctx.take_error());
    if (!v->is_number_integer()) return fail(decode_error{proto_error::wrong_type, "v"});
    if (!v->is_number_unsigned() || v->as_uint() != protocol_version)
        return fail(decode_error{proto_error::unsupported_version, "v"});

    const auto type = r.find("type", true);
    if (ctx.failed()) return fail(ctx.take_error());
    if (!type->is_string()) return fail(decode_error{proto_error::wrong_type, "type"});
    const std::string_view type_name = type->as_string();

    Message message;
    if (auto id = r.optional_uint("request_id", 0, UINT32_MAX)) message.request_id = static_cast<std::uint32_t>(*id);
    if (ctx.failed()) return fail(ctx.take_error());
    if (!read_body(r, type_name, message.body)) {
        if (listed(type_name, other_side)) return fail(decode_error{proto_error::wrong_direction, "type"});
        return fail(decode_error{proto_error::unknown_type, "type"});
    }
    r.finish();
    if (ctx.failed()) return fail(ctx.take_error());
    return message;
}

}  // namespace

result<client_message, decode_error> decode_client_message(std::string_view text) {
    return decode_message<client_message>(text, client_json_limits, read_client_body, server_only_types);
}

result<server_message, decode_error> decode_server_message(std::string_view text) {
    return decode_message<server_message>(text, server_json_limits, read_server_body, client_only_types);
}

std::string encode(const client_message& message) {
    message_writer out(message.request_id);
    write_client_body(out, message.body);
    return out.finish();
}

std::string encode(const server_message& message) {
    message_writer out(message.request_id);
    write_server_body(out, message.body);
    return out.finish();
}

namespace {
// Cuts at a character boundary so the message stays UTF-8.
void clip(std::string& message) {
    if (message.size() <= max_error_message_length) return;
    std::size_t size = max_error_message_length;
    while (size > 0 && (static_cast<unsigned char>(message[size]) & 0xc0) == 0x80) --size;
    message.resize(size);
}
}  // namespace

error_message make_error(proto_error code, std::string message) {
    clip(message);
    return {static_cast<std::uint16_t>(code), std::string(to_string(code)), std::move(message)};
}

error_message make_error(relay_error code, std::string message) {
    clip(message);
    return {static_cast<std::uint16_t>(code), std::string(to_string(code)), std::move(message)};
}

error_message make_error(const decode_error& error) { return make_error(error.code, error.detail); }

}  // namespace stoa::proto
