// The authoritative room: permission checks from the table, then state changes with their deltas.
#include "stoa/room/authority.hpp"

#include <algorithm>
#include <stdexcept>
#include <utility>

#include "stoa/room/permissions.hpp"
#include "stoa/room/role_change.hpp"

namespace stoa::room {
namespace {

[[nodiscard]] std::optional<member_id> target_of(const any_action& action) noexcept {
    return std::visit(
        [](const auto& a) -> std::optional<member_id> {
            if constexpr (requires { a.target; }) {
                return a.target;
            } else {
                return std::nullopt;
            }
        },
        action);
}

// Constant time, so how long a refusal takes says nothing about how close a guessed token was.
[[nodiscard]] bool same_token(const invite_token& a, const invite_token& b) noexcept {
    std::uint8_t difference = 0;
    for (std::size_t i = 0; i < invite_token::size; ++i) {
        difference = static_cast<std::uint8_t>(difference | (a.value[i] ^ b.value[i]));
    }
    return difference == 0;
}

}  // namespace

room_authority::room_authority(room_config config, authority_options options)
    : config_(std::move(config)), options_(options) {
    if (config_.limits.max_members == 0 || config_.limits.max_stage == 0) {
        throw std::invalid_argument("room_config: max_members and max_stage must be at least 1");
    }
    if (options_.audience_count_interval.count() < 0) {
        throw std::invalid_argument("authority_options: audience_count_interval must not be negative");
    }
    stage_.reserve(std::min<std::uint32_t>(config_.limits.max_stage, 128));
}

std::uint32_t room_authority::slot_of(member_id id) const noexcept {
    const auto found = index_.find(id);
    return found == index_.end() ? no_slot : found->second;
}

const member_entry* room_authority::find(member_id id) const noexcept {
    const std::uint32_t s = slot_of(id);
    return s == no_slot ? nullptr : &entry(s);
}

std::optional<member_id> room_authority::host() const noexcept {
    if (host_slot_ == no_slot) return std::nullopt;
    return entry(host_slot_).id;
}

result<outcome, room_error> room_authority::apply(member_id actor, const any_action& action, time_point now) {
    if (ended_) return fail(room_error::room_ended);
    const action_kind kind = kind_of(action);
    const std::uint32_t actor_slot = slot_of(actor);
    const standing actor_standing =
        actor_slot == no_slot ? standing::outsider : standing_of(entry(actor_slot).member_role);

    // Outsiders may only join, and members may not join again, whatever the action's target.
    if (actor_standing == standing::outsider || kind == action_kind::join) {
        if (const auto refused = to_error(decide(kind, actor_standing))) return fail(*refused);
    }
    if (config_.stage_only && needs_audience(kind)) return fail(room_error::unavailable_in_stage_only_room);

    std::uint32_t target_slot = no_slot;
    if (const auto target = target_of(action); target && *target != actor) {
        const role actor_role = entry(actor_slot).member_role;
        if (!may_target_others(kind, actor_role)) return fail(room_error::not_permitted);
        target_slot = slot_of(*target);
        if (target_slot == no_slot) return fail(room_error::target_not_found);
        if (const auto refused = to_error(decide(kind, actor_role, entry(target_slot).member_role))) {
            return fail(*refused);
        }
    } else if (actor_standing != standing::outsider) {
        if (const auto refused = to_error(decide(kind, actor_standing))) return fail(*refused);
        target_slot = actor_slot;
    }

    context ctx{actor, now, {}, {}};
    const status<room_error> handled =
        std::visit([&](const auto& a) { return handle(ctx, actor_slot, target_slot, a); }, action);
    if (!handled) return fail(handled.error());
    announce_audience(ctx.out, now);
    build_pending_notices(ctx);
    return std::move(ctx.out);
}

result<outcome, room_error> room_authority::reattach(member_id member, bytes admission, time_point now) {
    if (ended_) return fail(room_error::room_ended);
    const std::uint32_t s = slot_of(member);
    if (s == no_slot) return fail(room_error::not_member);
    if (admission.size() > config_.limits.max_admission_bytes) return fail(room_error::admission_too_large);
    if (joins_ > UINT32_MAX) return fail(room_error::sender_indexes_exhausted);

    context ctx{member, now, {}, {}};
    const bool on_stage = is_on_stage(entry(s).member_role);
    if (on_stage) emit(ctx.out, stream::stage, delta::member_left{member, leave_reason::disconnected});
    emit(ctx.out, stream::full, delta::member_left{member, leave_reason::disconnected});
    unplace(s);
    member_entry& returning = entry(s);
    returning.index = sender_index{static_cast<std::uint32_t>(joins_)};
    returning.joined_order = joins_;
    returning.self_muted = true;  // a microphone never goes live again without the member's say
    // A returning client is a new session: its proof (session nonce) is the one it joined with now.
    returning.admission = std::move(admission);
    ++joins_;
    place(s);
    if (on_stage) emit(ctx.out, stream::stage, delta::member_joined{returning});
    emit(ctx.out, stream::full, delta::member_joined{returning});
    ctx.pending.push_back({member, snapshot_notice::welcome});
    announce_audience(ctx.out, now);
    build_pending_notices(ctx);
    return std::move(ctx.out);
}

outcome room_authority::tick(time_point now) {
    outcome out;
    announce_audience(out, now);
    return out;
}

// ---- Handlers ----

status<room_error> room_authority::handle(context& ctx, std::uint32_t, std::uint32_t, const action::join& join) {
    if (banned_.contains(ctx.actor)) return fail(room_error::banned);
    if (config_.kind == room_kind::closed) {
        if (!join.invite) return fail(room_error::invite_required);
        bool admitted = false;
        for (const invite_token& invite : config_.invites) admitted = same_token(invite, *join.invite) || admitted;
        if (!admitted) return fail(room_error::invalid_invite);
    }
    if (join.profile.size() > config_.limits.max_profile_bytes) return fail(room_error::profile_too_large);
    if (join.admission.size() > config_.limits.max_admission_bytes) return fail(room_error::admission_too_large);
    if (index_.size() >= config_.limits.max_members) return fail(room_error::room_full);
    const bool first = index_.empty();
    const role joined_role = first ? role::host : (config_.stage_only ? role::speaker : role::listener);
    if (is_on_stage(joined_role) && stage_.size() >= config_.limits.max_stage) return fail(room_error::stage_full);
    if (joins_ > UINT32_MAX) return fail(room_error::sender_indexes_exhausted);

    member_entry member;
    member.id = ctx.actor;
    member.index = sender_index{static_cast<std::uint32_t>(joins_)};
    member.key = join.key;
    member.member_role = joined_role;
    member.joined_order = joins_;
    member.profile = join.profile;
    member.admission = join.admission;
    ++joins_;

    std::uint32_t s = no_slot;
    if (free_slots_.empty()) {
        s = static_cast<std::uint32_t>(slots_.size());
        slots_.push_back(slot{member, no_slot, no_slot});
    } else {
        s = free_slots_.back();
        free_slots_.pop_back();
        slots_[s] = slot{member, no_slot, no_slot};
    }
    index_.emplace(member.id, s);
    place(s);
    if (joined_role == role::host) host_slot_ = s;

    if (is_on_stage(joined_role)) emit(ctx.out, stream::stage, delta::member_joined{member});
    emit(ctx.out, stream::full, delta::member_joined{std::move(member)});
    ctx.pending.push_back({ctx.actor, snapshot_notice::welcome});
    return {};
}

status<room_error> room_authority::handle(context& ctx, std::uint32_t actor, std::uint32_t, const action::leave& leave) {
    remove_member(ctx, actor, leave.quietly ? leave_reason::left_quietly : leave_reason::left);
    return {};
}

status<room_error> room_authority::handle(context& ctx, std::uint32_t actor, std::uint32_t, const action::raise_hand&) {
    member_entry& member = entry(actor);
    if (member.hand_raised) return fail(room_error::hand_already_in_state);
    member.hand_raised = true;
    emit(ctx.out, stream::full, delta::hand_changed{member.id, true});
    tell_own_entry(ctx, actor);
    return {};
}

status<room_error> room_authority::handle(context& ctx, std::uint32_t actor, std::uint32_t, const action::lower_hand&) {
    member_entry& member = entry(actor);
    if (!member.hand_raised) return fail(room_error::hand_already_in_state);
    member.hand_raised = false;
    emit(ctx.out, stream::full, delta::hand_changed{member.id, false});
    tell_own_entry(ctx, actor);
    return {};
}

status<room_error> room_authority::handle(context& ctx, std::uint32_t, std::uint32_t target,
                                          const action::invite_to_stage&) {
    member_entry& member = entry(target);
    if (member.invited_to_stage) return fail(room_error::invitation_already_pending);
    member.invited_to_stage = true;
    emit(ctx.out, stream::full, delta::invitation_changed{member.id, true});
    tell_own_entry(ctx, target);
    return {};
}

status<room_error> room_authority::handle(context& ctx, std::uint32_t actor, std::uint32_t,
                                          const action::accept_invite&) {
    if (!entry(actor).invited_to_stage) return fail(room_error::no_pending_invite);
    if (stage_.size() >= config_.limits.max_stage) return fail(room_error::stage_full);
    change_member_role(ctx, actor, role::speaker);
    return {};
}

status<room_error> room_authority::handle(context& ctx, std::uint32_t actor, std::uint32_t,
                                          const action::decline_invite&) {
    member_entry& member = entry(actor);
    if (!member.invited_to_stage) return fail(room_error::no_pending_invite);
    member.invited_to_stage = false;
    emit(ctx.out, stream::full, delta::invitation_changed{member.id, false});
    tell_own_entry(ctx, actor);
    return {};
}

status<room_error> room_authority::handle(context& ctx, std::uint32_t, std::uint32_t target,
                                          const action::move_to_audience&) {
    change_member_role(ctx, target, role::listener);
    return {};
}

status<room_error> room_authority::handle(context& ctx, std::uint32_t actor, std::uint32_t,
                                          const action::set_self_muted& mute) {
    member_entry& member = entry(actor);
    if (mute.muted) {
        if (member.self_muted) return fail(room_error::mute_already_in_state);
        member.self_muted = true;
    } else {
        if (!member.self_muted && !member.moderator_muted) return fail(room_error::mute_already_in_state);
        // Only the member can lift a moderator's mute, by unmuting themselves.
        member.self_muted = false;
        member.moderator_muted = false;
    }
    const delta::mute_changed change{member.id, member.self_muted, member.moderator_muted};
    emit(ctx.out, stream::stage, change);
    emit(ctx.out, stream::full, change);
    return {};
}

status<room_error> room_authority::handle(context& ctx, std::uint32_t, std::uint32_t target,
                                          const action::moderator_mute&) {
    member_entry& member = entry(target);
    if (member.moderator_muted) return fail(room_error::mute_already_in_state);
    member.moderator_muted = true;
    const delta::mute_changed change{member.id, member.self_muted, member.moderator_muted};
    emit(ctx.out, stream::stage, change);
    emit(ctx.out, stream::full, change);
    return {};
}

status<room_error> room_authority::handle(context& ctx, std::uint32_t, std::uint32_t target,
                                          const action::promote_moderator&) {
    change_member_role(ctx, target, role::moderator);
    return {};
}

status<room_error> room_authority::handle(context& ctx, std::uint32_t, std::uint32_t target,
                                          const action::demote_moderator&) {
    change_member_role(ctx, target, role::speaker);
    return {};
}

status<room_error> room_authority::handle(context& ctx, std::uint32_t, std::uint32_t target, const action::kick&) {
    ctx.out.notices.push_back({entry(target).id, notice::removed{leave_reason::kicked, ctx.actor}});
    remove_member(ctx, target, leave_reason::kicked);
    return {};
}

status<room_error> room_authority::handle(context& ctx, std::uint32_t, std::uint32_t target, const action::ban&) {
    const member_id banned_id = entry(target).id;
    ctx.out.notices.push_back({banned_id, notice::removed{leave_reason::banned, ctx.actor}});
    banned_.insert(banned_id);
    remove_member(ctx, target, leave_reason::banned);
    return {};
}

status<room_error> room_authority::handle(context& ctx, std::uint32_t, std::uint32_t, const action::end_room&) {
    end(ctx);
    return {};
}

status<room_error> room_authority::handle(context& ctx, std::uint32_t actor, std::uint32_t,
                                          const action::set_profile& profile) {
    if (profile.profile.size() > config_.limits.max_profile_bytes) return fail(room_error::profile_too_large);
    member_entry& member = entry(actor);
    member.profile = profile.profile;
    if (is_on_stage(member.member_role)) {
        emit(ctx.out, stream::stage, delta::profile_changed{member.id, member.profile});
    }
    emit(ctx.out, stream::full, delta::profile_changed{member.id, member.profile});
    tell_own_entry(ctx, actor);
    return {};
}

status<room_error> room_authority::handle(context& ctx, std::uint32_t actor, std::uint32_t,
                                          const action::disconnect&) {
    remove_member(ctx, actor, leave_reason::disconnected);
    return {};
}

// ---- State changes shared by the handlers ----

void room_authority::emit(outcome& out, stream on, any_delta change) {
    delta_seq& seq = on == stream::stage ? stage_seq_ : full_seq_;
    seq = seq.next();
    out.deltas.push_back(sequenced_delta{on, seq, std::move(change)});
}

// A listener's replica holds no audience entries, so its own entry travels by unicast.
void room_authority::tell_own_entry(context& ctx, std::uint32_t s) {
    const member_entry& member = entry(s);
    if (member.member_role == role::listener) ctx.out.notices.push_back({member.id, notice::own_entry{member}});
}

void room_authority::change_member_role(context& ctx, std::uint32_t s, role new_role) {
    member_entry& member = entry(s);
    const role old_role = member.member_role;
    unplace(s);
    change_role(member, new_role);
    place(s);
    if (new_role == role::host) host_slot_ = s;

    if (is_on_stage(old_role) || is_on_stage(new_role)) {
        delta::role_changed change{member.id, new_role, std::nullopt};
        // A stage replica has never seen an audience member: give it the whole entry.
        if (!is_on_stage(old_role)) change.entry = member;
        emit(ctx.out, stream::stage, std::move(change));
    }
    emit(ctx.out, stream::full, delta::role_changed{member.id, new_role, std::nullopt});
    if (is_privileged(old_role) != is_privileged(new_role)) {
        ctx.pending.push_back({member.id, snapshot_notice::follow_stream});
    }
}

void room_authority::remove_member(context& ctx, std::uint32_t s, leave_reason reason) {
    const member_id id = entry(s).id;
    const bool was_on_stage = is_on_stage(entry(s).member_role);
    unplace(s);
    index_.erase(id);
    slots_[s] = slot{};  // frees the profile now rather than at reuse
    free_slots_.push_back(s);

    if (was_on_stage) emit(ctx.out, stream::stage, delta::member_left{id, reason});
    emit(ctx.out, stream::full, delta::member_left{id, reason});

    if (index_.empty()) {
        host_slot_ = no_slot;
        end(ctx);
    } else if (s == host_slot_) {
        host_slot_ = no_slot;
        hand_over(ctx);
    }
}

// Earliest-joined moderator, else earliest-joined speaker, else the earliest-joined listener
// (who is brought onto the stage). stage_ and the audience list are both in joined_order.
void room_authority::hand_over(context& ctx) {
    std::uint32_t successor = no_slot;
    for (const role wanted : {role::moderator, role::speaker}) {
        const auto found =
            std::find_if(stage_.begin(), stage_.end(), [&](std::uint32_t s) { return entry(s).member_role == wanted; });
        if (found != stage_.end()) {
            successor = *found;
            break;
        }
    }
    if (successor == no_slot) successor = audience_head_;
    // The stage held only the old host, so a listener always fits.
    change_member_role(ctx, successor, role::host);
}

void room_authority::end(context& ctx) {
    emit(ctx.out, stream::stage, delta::room_ended{});
    emit(ctx.out, stream::full, delta::room_ended{});
    ended_ = true;
    ctx.pending.clear();
    slots_ = {};
    free_slots_ = {};
    index_ = {};
    stage_ = {};
    banned_ = {};
    audience_head_ = audience_tail_ = host_slot_ = no_slot;
    listeners_ = 0;
    announced_listeners_ = 0;  // as a stage replica does on room_ended
}

void room_authority::announce_audience(outcome& out, time_point now) {
    if (ended_ || listeners_ == announced_listeners_) return;
    if (announced_at_ && now - *announced_at_ < options_.audience_count_interval) return;
    emit(out, stream::stage, delta::audience_count{listeners_});
    announced_listeners_ = listeners_;
    announced_at_ = now;
}

void room_authority::build_pending_notices(context& ctx) const {
    for (const pending_notice& pending : ctx.pending) {
        const std::uint32_t s = slot_of(pending.to);
        if (s == no_slot) continue;
        const member_entry& member = entry(s);
        const stream follow = followed_stream(member.member_role);
        std::variant<room::stage_snapshot, room::full_snapshot> snapshot;
        if (follow == stream::stage) {
            snapshot = stage_snapshot();
        } else {
            snapshot = full_snapshot();
        }
        if (pending.kind == snapshot_notice::welcome) {
            ctx.out.notices.push_back({member.id, notice::welcome{member, follow, std::move(snapshot)}});
        } else {
            ctx.out.notices.push_back({member.id, notice::follow_stream{member, follow, std::move(snapshot)}});
        }
    }
}

// ---- Indexes: the stage list and the audience list ----

void room_authority::place(std::uint32_t s) {
    if (is_on_stage(entry(s).member_role)) {
        const std::uint64_t order = entry(s).joined_order;
        const auto at = std::upper_bound(stage_.begin(), stage_.end(), order, [&](std::uint64_t o, std::uint32_t other) {
            return o < entry(other).joined_order;
        });
        stage_.insert(at, s);
    } else {
        audience_insert(s);
    }
}

void room_authority::unplace(std::uint32_t s) {
    if (is_on_stage(entry(s).member_role)) {
        stage_.erase(std::find(stage_.begin(), stage_.end(), s));
    } else {
        audience_remove(s);
    }
}

// New joiners append in O(1). A member stepping down from the stage walks back from the tail
// to its joined_order position: rare, and paid by a human-rate action.
void room_authority::audience_insert(std::uint32_t s) {
    const std::uint64_t order = entry(s).joined_order;
    std::uint32_t before = audience_tail_;
    while (before != no_slot && entry(before).joined_order > order) before = slots_[before].prev;
    const std::uint32_t after = before == no_slot ? audience_head_ : slots_[before].next;
    slots_[s].prev = before;
    slots_[s].next = after;
    (before == no_slot ? audience_head_ : slots_[before].next) = s;
    (after == no_slot ? audience_tail_ : slots_[after].prev) = s;
    ++listeners_;
}

void room_authority::audience_remove(std::uint32_t s) {
    const std::uint32_t before = slots_[s].prev;
    const std::uint32_t after = slots_[s].next;
    (before == no_slot ? audience_head_ : slots_[before].next) = after;
    (after == no_slot ? audience_tail_ : slots_[after].prev) = before;
    slots_[s].prev = slots_[s].next = no_slot;
    --listeners_;
}

// ---- Snapshots ----

room::stage_snapshot room_authority::stage_snapshot() const {
    room::stage_snapshot snapshot;
    snapshot.room = config_.id;
    snapshot.kind = config_.kind;
    snapshot.stage_only = config_.stage_only;
    snapshot.seq = stage_seq_;
    snapshot.stage.reserve(stage_.size());
    for (const std::uint32_t s : stage_) snapshot.stage.push_back(entry(s));
    snapshot.audience_count = announced_listeners_;
    snapshot.ended = ended_;
    return snapshot;
}

room::full_snapshot room_authority::full_snapshot() const {
    room::full_snapshot snapshot;
    snapshot.room = config_.id;
    snapshot.kind = config_.kind;
    snapshot.stage_only = config_.stage_only;
    snapshot.seq = full_seq_;
    snapshot.ended = ended_;
    snapshot.members.reserve(index_.size());
    // Both lists are in joined_order: merge them.
    auto on_stage = stage_.begin();
    std::uint32_t listener = audience_head_;
    while (on_stage != stage_.end() || listener != no_slot) {
        const bool take_stage = listener == no_slot ||
                                (on_stage != stage_.end() && entry(*on_stage).joined_order < entry(listener).joined_order);
        if (take_stage) {
            snapshot.members.push_back(entry(*on_stage++));
        } else {
            snapshot.members.push_back(entry(listener));
            listener = slots_[listener].next;
        }
    }
    return snapshot;
}

room::audience_page room_authority::audience_page(const audience_page_request& request) const {
    room::audience_page page;
    page.total = listeners_;
    page.offset = std::min(request.offset, listeners_);
    const std::uint32_t count = std::min({request.limit, options_.max_audience_page, listeners_ - page.offset});
    if (count == 0) return page;
    std::uint32_t at = no_slot;
    if (page.offset <= listeners_ / 2) {
        at = audience_head_;
        for (std::uint32_t i = 0; i < page.offset; ++i) at = slots_[at].next;
    } else {
        at = audience_tail_;
        for (std::uint32_t i = listeners_ - 1; i > page.offset; --i) at = slots_[at].prev;
    }
    page.members.reserve(count);
    for (std::uint32_t i = 0; i < count; ++i, at = slots_[at].next) page.members.push_back(entry(at));
    return page;
}

// ---- Self-check ----

std::optional<std::string_view> room_authority::audit() const {
    if (ended_) {
        if (!index_.empty() || !stage_.empty() || listeners_ != 0) return "ended room still has members";
        return std::nullopt;
    }
    if (index_.size() > config_.limits.max_members) return "more members than max_members";
    if (stage_.size() > config_.limits.max_stage) return "more stage members than max_stage";
    if (index_.size() != stage_.size() + listeners_) return "stage and audience do not add up to the members";
    std::size_t hosts = 0;
    for (std::size_t i = 0; i < stage_.size(); ++i) {
        const member_entry& member = entry(stage_[i]);
        if (!is_on_stage(member.member_role)) return "a listener is on the stage";
        if (i > 0 && entry(stage_[i - 1]).joined_order >= member.joined_order) return "stage not in joined_order";
        if (member.member_role == role::host) {
            ++hosts;
            if (stage_[i] != host_slot_) return "host slot out of date";
        }
        if (member.hand_raised || member.invited_to_stage) return "a stage member has audience flags";
        if (slot_of(member.id) != stage_[i]) return "stage member missing from the index";
    }
    if (!index_.empty() && hosts != 1) return "not exactly one host";
    std::uint32_t walked = 0;
    std::uint32_t previous = no_slot;
    for (std::uint32_t at = audience_head_; at != no_slot; previous = at, at = slots_[at].next) {
        if (++walked > listeners_) return "audience list longer than the listener count";
        const member_entry& member = entry(at);
        if (member.member_role != role::listener) return "a stage member is in the audience list";
        if (slots_[at].prev != previous) return "audience list back link broken";
        if (previous != no_slot && entry(previous).joined_order >= member.joined_order) {
            return "audience not in joined_order";
        }
        if (!member.self_muted || member.moderator_muted) return "a listener has stage mute flags";
        if (slot_of(member.id) != at) return "listener missing from the index";
    }
    if (walked != listeners_ || previous != audience_tail_) return "audience list does not match its count";
    for (const member_id& id : banned_) {
        if (index_.contains(id)) return "a banned member is in the room";
    }
    return std::nullopt;
}

}  // namespace stoa::room
