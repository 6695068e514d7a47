// One simulated member of a stoa-load run (internal to the driver): its plan (join, leave, stage,
// disconnect), its connection, its protocol session and its talk, and what it measures. Lives on
// its worker's thread.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "run_parts.hpp"
#include "stoa/audio/opus_encoder.hpp"
#include "stoa/loadgen/driver/protocol_adapter.hpp"
#include "stoa/loadgen/driver/stream_tracker.hpp"
#include "stoa/loadgen/driver/ws_connection.hpp"
#include "stoa/loadgen/scenario/scenario_schedule.hpp"
#include "stoa/loadgen/scenario/talk_model.hpp"

namespace stoa::loadgen::detail {

class worker;

// A speaker's talk: its own alternation of talkspurts and pauses, and where it is in the sample.
struct speaker_state {
    talk_generator talk;
    time_point spell_end;
    bool talking = false;
    time_point next_frame;
    std::size_t cursor = 0;
    std::optional<audio::opus_encoder> live;  // members that encode live
};

enum class member_state : std::uint8_t {
    absent,      // not connected, not planned to be
    connecting,  // the WebSocket is being opened
    joining,     // open; join (or room creation) sent
    in_room,
    leaving,     // leave sent; the connection closes once the relay confirms or the linger passes
    backoff,     // the connection was lost; a reconnect is scheduled
};

class member_slot final : public connection_owner, public media_sink {
public:
    member_slot(worker& owner, member_profile profile) : owner_(owner), profile_(profile) {}
    ~member_slot() override;
    member_slot(const member_slot&) = delete;
    member_slot& operator=(const member_slot&) = delete;

    void plan(const member_event& event, time_point now);
    // Every 20 ms tick. `session_tick`: the protocol's own timers are due; `drain`: a bulk
    // listener's turn to read what waits in its socket.
    void tick(time_point nominal, time_point now, bool session_tick, bool drain);
    void room_ready(const room_ref& ref);
    void stop();
    [[nodiscard]] bool is_speaking_member() const noexcept { return speaker_ != nullptr || profile_.host; }
    [[nodiscard]] const member_profile& profile() const noexcept { return profile_; }
    void invite(std::uint64_t identity_seed, time_point now);
    void try_invites(time_point now);
    void collect_counters();
    // At the end of the run (after stop()): a member planned into its room that never got in, or
    // that lost its connection and never got back, or got back but never heard audio again, is
    // counted.
    void judge_join(time_point end);

private:
    // connection_owner
    void on_ws_open() override;
    void on_ws_text(std::string_view text) override;
    void on_ws_binary(byte_view message) override;
    void on_ws_closed(bool opened, std::string_view reason, unsigned http_status) override;
    void on_tls_ready(bool resumed, std::uint64_t micros) override;
    // media_sink
    void on_frame(std::uint32_t sender, std::uint32_t seq, time_point sent_at, time_point now) override;
    void on_opaque_frame(time_point now) override;
    void on_playout(std::uint32_t sender, std::uint32_t seq, bool audio, time_point now) override;

    void connect(time_point planned);
    void pump(time_point now);
    void send_outbound();
    void handle(member_note& any, time_point now);
    void lost(time_point now);
    void schedule_reconnect(time_point now);
    void start_speaking(time_point now);
    void speak(time_point nominal);
    void close_connection();
    // Frames still missing in the loss window count as lost (leaving, end of run).
    void settle_frames();
    // Counts what the session measured, then frees it.
    void drop_session();
    // The plan took the member out of its room before it ever got in.
    void give_up_join(time_point now);
    // A join answered "no such room": ask again after a backoff, for a while (true), since after a
    // relay restart the room comes back once its host has re-created it.
    [[nodiscard]] bool retry_join_later(time_point now);
    // Its protocol stopped trying to get back into the room: the member stays out.
    void stop_rejoining();
    // The first frame a listener hears back in its room after a loss.
    void audio_resumed(time_point now);
    [[nodiscard]] std::string display_name() const;
    [[nodiscard]] bool reads_immediately() const noexcept;

    worker& owner_;
    member_profile profile_;
    std::unique_ptr<member_protocol> protocol_;
    std::shared_ptr<ws_connection> connection_;
    std::unique_ptr<speaker_state> speaker_;
    std::unique_ptr<stream_tracker> tracker_;
    std::unique_ptr<room_ref> opened_room_;  // a host's new room, published once the host is in it
    std::vector<std::pair<std::uint64_t, time_point>> pending_invites_;  // a host's: seed, give up after
    std::vector<wire_message> outbound_;  // reused: drained into the connection at every pump
    member_state state_ = member_state::absent;
    time_point planned_join_{};       // the scheduled time latencies are measured from
    time_point lost_at_{};            // when an unplanned loss happened (reconnect latency)
    time_point retry_at_{};           // backoff: when to connect again
    time_point leave_deadline_{};
    time_point awaiting_join_since_ = time_point::max();  // planned into the room, not yet in it
    // A listener back in its room after a loss that has not heard a frame since: the loss (the
    // first, if it was lost again before hearing one) and when it got back.
    time_point awaiting_audio_since_ = time_point::max();
    time_point back_in_room_at_{};
    // Joins answered "no such room": since when, the next attempt, attempts so far.
    time_point join_refused_since_ = time_point::max();
    time_point join_retry_at_ = time_point::max();
    std::uint32_t join_retries_ = 0;
    // What stop() found, for judge_join: planned into the room, and in it.
    bool wanted_room_at_end_ = false;
    bool in_room_at_end_ = false;
    std::uint32_t attempt_ = 0;
    bool reconnecting_ = false;
    std::uint32_t relay_moves_ = 0;  // lost connections so far: which relay of the list it uses next
    bool key_seen_ = false;
    bool audio_seen_ = false;
    bool on_stage_ = false;
    bool wants_room_ = false;  // planned to be in the room (reconnects after a loss)
    bool opener_ = false;      // the host opening its room (not joining it)
    bool looking_up_ = false;  // finding a room hosted on another generator host
    time_point lookup_at_ = time_point::max();
    std::uint64_t first_epoch_ = 0;
    member_counters counted_{};
};

}  // namespace stoa::loadgen::detail
