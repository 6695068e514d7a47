// Room vocabulary <-> JSON. Field order written here is the canonical order in docs/protocol.md.
#include "stoa/proto/room_json.hpp"

#include "room_fields.hpp"

namespace stoa::proto {
namespace detail {

room::member_entry read_member_entry(object_reader& r) {
    room::member_entry e;
    e.id = r.hex_id<member_id>("id");
    e.index = sender_index(r.u32("index"));
    e.key = r.hex_id<public_key>("key");
    e.member_role = r.enumeration("role", role_names);
    e.hand_raised = r.boolean("hand_raised");
    e.invited_to_stage = r.boolean("invited_to_stage");
    e.self_muted = r.boolean("self_muted");
    e.moderator_muted = r.boolean("moderator_muted");
    e.joined_order = r.safe_u64("joined_order");
    e.profile = r.base64("profile", 0, max_profile_bytes);
    // Absent when empty, so entries of clients without one keep their canonical bytes.
    if (r.has("admission")) e.admission = r.base64("admission", 1, max_admission_bytes);
    r.finish();
    return e;
}

void write_member_entry(json_writer& out, const room::member_entry& e) {
    out.begin_object();
    out.field("id", hex(e.id));
    out.field("index", e.index.value);
    out.field("key", hex(e.key));
    out.field("role", name_of(e.member_role, role_names));
    out.field("hand_raised", e.hand_raised);
    out.field("invited_to_stage", e.invited_to_stage);
    out.field("self_muted", e.self_muted);
    out.field("moderator_muted", e.moderator_muted);
    out.field("joined_order", e.joined_order);
    out.field("profile", encode_base64(e.profile));
    if (!e.admission.empty()) out.field("admission", encode_base64(e.admission));
    out.end_object();
}

std::vector<room::member_entry> read_members(object_reader& r, std::string_view key, std::size_t max_items) {
    std::vector<room::member_entry> out;
    const auto list = r.array(key, max_items);
    if (!list) return out;
    out.reserve(list->size());
    std::size_t i = 0;
    for (const json_value item : *list) {
        object_reader entry(r.context(), item, &r, key, i++);
        out.push_back(read_member_entry(entry));
        if (r.failed()) return {};
    }
    return out;
}

void write_members(json_writer& out, const std::vector<room::member_entry>& members) {
    out.begin_array();
    for (const auto& m : members) write_member_entry(out, m);
    out.end_array();
}

namespace {

template <typename T>
struct delta_name;
#define STOA_DELTA_NAME(T) \
    template <>            \
    struct delta_name<room::delta::T> { static constexpr std::string_view value = #T; };
STOA_DELTA_NAME(member_joined)
STOA_DELTA_NAME(member_left)
STOA_DELTA_NAME(role_changed)
STOA_DELTA_NAME(hand_changed)
STOA_DELTA_NAME(invitation_changed)
STOA_DELTA_NAME(mute_changed)
STOA_DELTA_NAME(host_changed)
STOA_DELTA_NAME(profile_changed)
STOA_DELTA_NAME(audience_count)
STOA_DELTA_NAME(room_ended)
#undef STOA_DELTA_NAME

room::member_entry read_nested_entry(object_reader& r, std::string_view key) {
    const auto v = r.find(key, true);
    if (!v) return {};
    object_reader nested(r.context(), *v, &r, key);
    return read_member_entry(nested);
}

}  // namespace

room::any_delta read_delta(object_reader& r) {
    const auto kind = r.find("delta", true);
    if (!kind) return room::delta::room_ended{};
    if (!kind->is_string()) {
        r.fail(proto_error::wrong_type, "delta");
        return room::delta::room_ended{};
    }
    const std::string_view name = kind->as_string();
    room::any_delta out = room::delta::room_ended{};
    if (name == "member_joined") {
        out = room::delta::member_joined{read_nested_entry(r, "member")};
    } else if (name == "member_left") {
        room::delta::member_left d;
        d.id = r.hex_id<member_id>("id");
        d.reason = r.enumeration("reason", reason_names);
        out = d;
    } else if (name == "role_changed") {
        room::delta::role_changed d;
        d.id = r.hex_id<member_id>("id");
        d.new_role = r.enumeration("role", role_names);
        if (r.has("entry")) {
            d.entry = read_nested_entry(r, "entry");
            if (!r.failed() && (d.entry->id != d.id || d.entry->member_role != d.new_role))
                r.fail(proto_error::invalid_combination, "entry");
        }
        out = std::move(d);
    } else if (name == "hand_changed") {
        room::delta::hand_changed d;
        d.id = r.hex_id<member_id>("id");
        d.raised = r.boolean("raised");
        out = d;
    } else if (name == "invitation_changed") {
        room::delta::invitation_changed d;
        d.id = r.hex_id<member_id>("id");
        d.pending = r.boolean("pending");
        out = d;
    } else if (name == "mute_changed") {
        room::delta::mute_changed d;
        d.id = r.hex_id<member_id>("id");
        d.self_muted = r.boolean("self_muted");
        d.moderator_muted = r.boolean("moderator_muted");
        out = d;
    } else if (name == "host_changed") {
        out = room::delta::host_changed{r.hex_id<member_id>("id")};
    } else if (name == "profile_changed") {
        room::delta::profile_changed d;
        d.id = r.hex_id<member_id>("id");
        d.profile = r.base64("profile", 0, max_profile_bytes);
        out = std::move(d);
    } else if (name == "audience_count") {
        out = room::delta::audience_count{r.u32("listeners")};
    } else if (name == "room_ended") {
        out = room::delta::room_ended{};
    } else {
        r.fail(proto_error::unknown_value, "delta");
    }
    r.finish();
    return out;
}

void write_delta(json_writer& out, const room::any_delta& change) {
    out.begin_object();
    std::visit(
        [&out](const auto& d) {
            using T = std::decay_t<decltype(d)>;
            out.field("delta", delta_name<T>::value);
            if constexpr (std::is_same_v<T, room::delta::member_joined>) {
                out.key("member");
                write_member_entry(out, d.member);
            } else if constexpr (std::is_same_v<T, room::delta::member_left>) {
                out.field("id", hex(d.id));
                out.field("reason", name_of(d.reason, reason_names));
            } else if constexpr (std::is_same_v<T, room::delta::role_changed>) {
                out.field("id", hex(d.id));
                out.field("role", name_of(d.new_role, role_names));
                if (d.entry) {
                    out.key("entry");
                    write_member_entry(out, *d.entry);
                }
            } else if constexpr (std::is_same_v<T, room::delta::hand_changed>) {
                out.field("id", hex(d.id));
                out.field("raised", d.raised);
            } else if constexpr (std::is_same_v<T, room::delta::invitation_changed>) {
                out.field("id", hex(d.id));
                out.field("pending", d.pending);
            } else if constexpr (std::is_same_v<T, room::delta::mute_changed>) {
                out.field("id", hex(d.id));
                out.field("self_muted", d.self_muted);
                out.field("moderator_muted", d.moderator_muted);
            } else if constexpr (std::is_same_v<T, room::delta::host_changed>) {
                out.field("id", hex(d.id));
            } else if constexpr (std::is_same_v<T, room::delta::profile_changed>) {
                out.field("id", hex(d.id));
                out.field("profile", encode_base64(d.profile));
            } else if constexpr (std::is_same_v<T, room::delta::audience_count>) {
                out.field("listeners", d.listeners);
            }
        },
        change);
    out.end_object();
}

}  // namespace detail

using detail::name_of;

std::string_view to_string(room::role r) noexcept { return name_of(r, detail::role_names); }
std::string_view to_string(room::room_kind k) noexcept { return name_of(k, detail::kind_names); }
std::string_view to_string(room::leave_reason r) noexcept { return name_of(r, detail::reason_names); }
std::string_view to_string(room::stream s) noexcept { return name_of(s, detail::stream_names); }

namespace {
template <typename E, std::size_t N>
std::optional<E> parse_name(std::string_view text, const detail::enum_name<E> (&names)[N]) noexcept {
    for (const auto& n : names)
        if (n.name == text) return n.value;
    return std::nullopt;
}
}  // namespace

std::optional<room::role> parse_role(std::string_view text) noexcept { return parse_name(text, detail::role_names); }
std::optional<room::room_kind> parse_room_kind(std::string_view text) noexcept {
    return parse_name(text, detail::kind_names);
}
std::optional<room::leave_reason> parse_leave_reason(std::string_view text) noexcept {
    return parse_name(text, detail::reason_names);
}
std::optional<room::stream> parse_stream(std::string_view text) noexcept {
    return parse_name(text, detail::stream_names);
}

std::string to_json(const room::member_entry& entry) {
    json_writer out;
    detail::write_member_entry(out, entry);
    return out.take();
}

std::string to_json(const room::any_delta& change) {
    json_writer out;
    detail::write_delta(out, change);
    return out.take();
}

result<room::member_entry, decode_error> member_entry_from_json(json_value j) {
    detail::decode_context ctx;
    detail::object_reader r(ctx, j);
    auto entry = detail::read_member_entry(r);
    if (ctx.failed()) return fail(ctx.take_error());
    return entry;
}

result<room::any_delta, decode_error> delta_from_json(json_value j) {
    detail::decode_context ctx;
    detail::object_reader r(ctx, j);
    auto change = detail::read_delta(r);
    if (ctx.failed()) return fail(ctx.take_error());
    return change;
}

std::string_view action_type_name(const room::any_action& action) noexcept {
    static constexpr std::string_view names[] = {
        "",              "leave",          "raise_hand",       "lower_hand",        "invite_to_stage",
        "accept_invite", "decline_invite", "move_to_audience", "set_self_muted",    "moderator_mute",
        "promote_moderator", "demote_moderator", "kick",       "ban",               "end_room",
        "set_profile",   ""};
    static_assert(std::size(names) == std::variant_size_v<room::any_action>);
    return names[action.index()];
}

}  // namespace stoa::proto
