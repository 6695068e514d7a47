// One simulated member of a fan-out room, the part the plain and socketio adapters share. Their
// servers only relay, so what a room server would do is done by the members: a member is in the
// room once it has announced itself (no server acknowledges it), the host learns who is in from
// the announcements and invites by announcement, and the stage is each member's own word. Frames
// are fanout_frame payloads. Sans-I/O: the adapters frame what this queues for their transport.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "stoa/common/bytes.hpp"
#include "stoa/common/time.hpp"
#include "stoa/loadgen/driver/fanout_error.hpp"
#include "stoa/loadgen/driver/protocol_adapter.hpp"

namespace stoa::loadgen {

class fanout_session {
public:
    fanout_session(const member_profile& profile, media_sink& sink);

    // ---- From the transport ----
    // The transport can carry announcements (plain: the socket is open; Socket.IO: the namespace
    // accepted us). A join asked for before then is announced now.
    void transport_ready();
    // The connection is gone: out of the room until the driver joins again.
    void transport_closed();
    // An announcement (fanout_control.hpp) and a frame (fanout_frame.hpp), as the transport unwrapped them.
    void on_control(std::string_view text);
    void on_frame(byte_view payload, time_point now);
    void report(fanout_error error);
    // What the adapters learn from their own framing.
    void removed_by_server();
    void relay_shutdown();

    // ---- Plan (as member_protocol's) ----
    void open_room(std::string_view title);
    void look_up_room(std::string_view title);
    void join(const room_ref& room, std::string_view display_name);
    void leave();
    [[nodiscard]] bool invite(std::uint64_t identity_seed);
    void accept_invite();
    void step_down();
    [[nodiscard]] bool send_frame(byte_view opus, time_point at);

    // ---- Out ----
    // Announcements as text (JSON) and frames as binary, in order, for the adapter to frame.
    void take_outbound(std::vector<wire_message>& out);
    void take_notes(std::vector<member_note>& out);

    [[nodiscard]] bool in_room() const noexcept { return in_room_; }
    [[nodiscard]] bool on_stage() const noexcept { return on_stage_; }
    [[nodiscard]] std::size_t approximate_bytes() const;

private:
    void announce_join();
    void queue_control(std::string text);

    member_profile profile_;
    media_sink& sink_;
    bool ready_ = false;
    bool in_room_ = false;
    bool invited_ = false;
    bool on_stage_ = false;
    std::optional<std::uint64_t> room_;  // the room joined (or asked for) on this connection
    std::string display_name_;
    // Runs on across stage visits and reconnects: no gap for the tracker to count as loss.
    std::uint32_t next_seq_ = 0;
    std::unordered_set<std::uint64_t> present_;  // the host's: identity seeds announced in its room
    std::vector<wire_message> outbound_;
    std::vector<member_note> notes_;
};

}  // namespace stoa::loadgen
