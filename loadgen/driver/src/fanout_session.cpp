#include "stoa/loadgen/driver/fanout_session.hpp"

#include <algorithm>
#include <iterator>

#include "stoa/loadgen/driver/fanout_control.hpp"
#include "stoa/loadgen/driver/fanout_frame.hpp"
#include "stoa/loadgen/driver/fanout_room.hpp"

namespace stoa::loadgen {

fanout_session::fanout_session(const member_profile& profile, media_sink& sink) : profile_(profile), sink_(sink) {}

void fanout_session::transport_ready() {
    if (ready_) return;
    ready_ = true;
    if (room_ && !in_room_) announce_join();
}

void fanout_session::transport_closed() {
    ready_ = false;
    in_room_ = false;
    invited_ = false;
    on_stage_ = false;
    room_.reset();      // the driver joins again on its next connection
    outbound_.clear();  // written for a socket that is gone
    // present_ stays: members still in the room do not announce themselves again to a host that
    // comes back.
}

void fanout_session::on_control(std::string_view text) {
    auto message = read_control(text);
    if (!message) return report(message.error());
    if (!in_room_ || message->room != *room_) return;  // the servers relay every room's announcements
    switch (message->kind) {
        case control_kind::join:
            if (profile_.host) present_.insert(message->seed);
            break;
        case control_kind::leave:
            if (profile_.host) present_.erase(message->seed);
            break;
        case control_kind::invite:
            if (message->seed == profile_.identity_seed && !on_stage_ && !invited_) {
                invited_ = true;
                notes_.emplace_back(note::invited{});
            }
            break;
    }
}

void fanout_session::on_frame(byte_view payload, time_point now) {
    const auto frame = read_fanout_frame(payload);
    if (!frame) return report(frame.error());
    if (!in_room_) return;
    if (frame->room) {
        if (*frame->room != *room_) return;                  // another room's, relayed to all
        if (frame->speaker == profile_.index.value) return;  // a server that echoes
    }
    sink_.on_frame(frame->speaker, frame->seq, frame->sent_at, now);
}

void fanout_session::report(fanout_error error) {
    notes_.emplace_back(note::error{code_of(error), std::string(to_string(error))});
}

void fanout_session::removed_by_server() {
    const bool was_in = in_room_ || room_.has_value();
    in_room_ = false;
    invited_ = false;
    on_stage_ = false;
    room_.reset();
    if (was_in) notes_.emplace_back(note::removed{false});
}

void fanout_session::relay_shutdown() {
    notes_.emplace_back(note::relay_shutdown{});
}

void fanout_session::open_room(std::string_view title) {
    // Nothing to ask a server that keeps no rooms: the title names the room.
    notes_.emplace_back(note::room_opened{fanout_room_ref(title)});
}

void fanout_session::look_up_room(std::string_view title) {
    notes_.emplace_back(note::room_lookup{fanout_room_ref(title)});
}

void fanout_session::join(const room_ref& room, std::string_view display_name) {
    const auto key = key_from_hex(room.id);
    if (!key) return report(fanout_error::bad_room_ref);
    if (in_room_ && *room_ == *key) return;
    room_ = *key;
    in_room_ = false;
    display_name_ = std::string(display_name);
    if (ready_) announce_join();
}

void fanout_session::announce_join() {
    queue_control(
        write_control({control_kind::join, *room_, profile_.identity_seed, profile_.index.value, display_name_}));
    // No server acknowledges a join: the member is in once its announcement is on its way.
    in_room_ = true;
    notes_.emplace_back(note::joined{});
    if (profile_.host) {
        // The room's host speaks from the start, as Stoa's does.
        on_stage_ = true;
        notes_.emplace_back(note::on_stage{});
    }
}

void fanout_session::leave() {
    if (in_room_ && ready_) queue_control(write_control({control_kind::leave, *room_, profile_.identity_seed, 0, {}}));
    in_room_ = false;
    invited_ = false;
    on_stage_ = false;
    room_.reset();
    notes_.emplace_back(note::removed{true});  // nothing to wait for: the announcement is the leave
}

bool fanout_session::invite(std::uint64_t identity_seed) {
    if (!in_room_ || !ready_ || !present_.contains(identity_seed)) return false;
    queue_control(write_control({control_kind::invite, *room_, identity_seed, 0, {}}));
    return true;
}

void fanout_session::accept_invite() {
    if (!in_room_ || on_stage_ || !invited_) return;
    invited_ = false;
    on_stage_ = true;  // the stage is the member's own word: no server keeps roles
    notes_.emplace_back(note::on_stage{});
}

void fanout_session::step_down() {
    if (!on_stage_) return;
    on_stage_ = false;
    notes_.emplace_back(note::off_stage{});
}

bool fanout_session::send_frame(byte_view opus, time_point at) {
    if (!ready_ || !in_room_ || !on_stage_) return false;
    wire_message message{true, {}};
    write_fanout_frame(message.data, profile_.index.value, next_seq_++, *room_, at, opus);
    outbound_.push_back(std::move(message));
    return true;
}

void fanout_session::take_outbound(std::vector<wire_message>& out) {
    std::move(outbound_.begin(), outbound_.end(), std::back_inserter(out));
    outbound_.clear();
}

void fanout_session::take_notes(std::vector<member_note>& out) {
    std::move(notes_.begin(), notes_.end(), std::back_inserter(out));
    notes_.clear();
}

std::size_t fanout_session::approximate_bytes() const {
    std::size_t total = sizeof(*this) + display_name_.capacity();
    total += outbound_.capacity() * sizeof(wire_message);
    for (const auto& message : outbound_) total += message.data.capacity();
    total += notes_.capacity() * sizeof(member_note);
    // A node per seed (the seed, its next pointer, its cached hash) and a pointer per bucket.
    total += present_.size() * (sizeof(std::uint64_t) + 2 * sizeof(void*)) + present_.bucket_count() * sizeof(void*);
    return total;
}

void fanout_session::queue_control(std::string text) {
    outbound_.push_back(wire_message{false, std::move(text)});
}

}  // namespace stoa::loadgen
