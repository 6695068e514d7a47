#include "member_slot.hpp"

#include <algorithm>
#include <array>
#include <cstdio>

#include <boost/asio/post.hpp>

#include "worker.hpp"

namespace stoa::loadgen::detail {

namespace net = boost::asio;

namespace {

constexpr std::chrono::milliseconds leave_linger{2'000};  // a leaving member's last chance to be told
constexpr std::uint32_t max_catch_up_frames = 50;         // a speaker more than 1 s behind skips ahead
// A frame this late is past any listener's jitter buffer (at most 400 ms deep): it counts late.
constexpr std::int64_t late_after_micros = 400'000;
constexpr std::chrono::milliseconds lookup_retry{250};  // a room not yet in the directory
constexpr std::chrono::seconds invite_patience{10};     // a planned invitee still joining
// Joins answered "no such room" are asked again with backoff and jitter (as the client session
// does for its own rejoins) for this long: the room's host re-creates it after a relay restart.
constexpr std::chrono::seconds join_patience{60};
const reconnect_backoff join_retry{std::chrono::milliseconds(250), std::chrono::seconds(4), 2.0, share{0.5}};
// A listener back in its room this long at the end of the run without a frame since never heard
// its room again (shorter stays are not judged: the speakers may be pausing).
constexpr std::chrono::seconds audio_resume_patience{10};

}  // namespace

member_slot::~member_slot() {
    if (connection_) connection_->abort();
}

std::string member_slot::display_name() const { return "load " + std::to_string(profile_.index.value); }

bool member_slot::reads_immediately() const noexcept {
    // Speakers and hosts answer the room at once; probes time every frame; bulk listeners batch.
    return profile_.probe || profile_.host || owner_.layout().is_speaker(profile_.index);
}

void member_slot::plan(const member_event& event, time_point now) {
    if (debug_enabled()) {
        std::fprintf(stderr, "stoa-load: member %u (state %d): planned %s\n", profile_.index.value,
                     static_cast<int>(state_), to_string(event.kind));
    }
    switch (event.kind) {
        case member_event_kind::open_room:
            opener_ = true;
            [[fallthrough]];
        case member_event_kind::join:
            if (state_ != member_state::absent) return;
            wants_room_ = true;
            reconnecting_ = false;
            key_seen_ = false;
            audio_seen_ = false;
            if (awaiting_join_since_ == time_point::max()) awaiting_join_since_ = event.at;
            connect(event.at);
            return;
        case member_event_kind::leave:
            wants_room_ = false;
            give_up_join(now);
            if (state_ == member_state::in_room && protocol_) {
                protocol_->leave();
                state_ = member_state::leaving;
                leave_deadline_ = now + leave_linger;
                pump(now);
            } else {
                close_connection();
                if (state_ == member_state::in_room) owner_.connected_changed(-1);
                state_ = member_state::absent;
                drop_session();
                speaker_.reset();
            }
            settle_frames();
            owner_.add(owner_.ids().leaves);
            return;
        case member_event_kind::raise_hand:
            if (state_ == member_state::in_room) protocol_->raise_hand();
            break;
        case member_event_kind::invite_to_stage:
            break;  // the host sends it (worker::dispatch); the member accepts when it arrives
        case member_event_kind::move_to_audience:
            if (state_ == member_state::in_room) protocol_->step_down();
            break;
        case member_event_kind::disconnect:
            // As when the relay restarts: the connection is gone, the member means to come back.
            if (state_ == member_state::absent) return;
            close_connection();
            if (protocol_) protocol_->on_closed(now);
            if (state_ == member_state::in_room || state_ == member_state::joining) {
                owner_.connected_changed(state_ == member_state::in_room ? -1 : 0);
            }
            state_ = member_state::backoff;
            on_stage_ = false;
            join_retry_at_ = time_point::max();
            lost_at_ = event.at;
            attempt_ = 0;
            retry_at_ = time_point::max();  // the plan's reconnect event sets the first attempt
            reconnecting_ = true;
            owner_.add(owner_.ids().disconnects);
            return;
        case member_event_kind::reconnect:
            if (state_ != member_state::backoff) return;
            connect(event.at);
            return;
    }
    pump(now);
}

void member_slot::give_up_join(time_point now) {
    if (awaiting_join_since_ == time_point::max()) return;
    // A join that had its full connect timeout and still failed counts against the run; a leave
    // planned sooner than that is the plan's own doing.
    if (now - awaiting_join_since_ > connect_timeout) owner_.add(owner_.ids().members_never_joined);
    awaiting_join_since_ = time_point::max();
}

void member_slot::judge_join(time_point end) {
    const metric_ids& ids = owner_.ids();
    if (awaiting_join_since_ != time_point::max()) {
        owner_.add(end - awaiting_join_since_ > connect_timeout ? ids.members_never_joined : ids.members_join_pending);
        awaiting_join_since_ = time_point::max();
        return;
    }
    if (reconnecting_ && wanted_room_at_end_) {
        // Its whole backoff and a connect timeout: time enough to be back, whatever the draw.
        const duration patience = owner_.run_info().plan->reconnect.max + connect_timeout;
        owner_.add(end - lost_at_ > patience ? ids.members_never_back : ids.members_back_pending);
        reconnecting_ = false;
        return;
    }
    if (in_room_at_end_ && awaiting_audio_since_ != time_point::max() && end - back_in_room_at_ > audio_resume_patience) {
        owner_.add(ids.members_audio_not_resumed);
    }
}

void member_slot::invite(std::uint64_t identity_seed, time_point now) {
    // The plan may invite a member whose join is still under way: keep asking until it is in
    // the room (the host ticks every 20 ms), for a while.
    pending_invites_.push_back({identity_seed, now + invite_patience});
    try_invites(now);
}

void member_slot::try_invites(time_point now) {
    if (pending_invites_.empty()) return;
    if (state_ != member_state::in_room || !protocol_) {
        std::erase_if(pending_invites_, [&](const auto& p) { return now > p.second; });
        return;
    }
    std::erase_if(pending_invites_, [&](const auto& p) { return protocol_->invite(p.first) || now > p.second; });
    pump(now);
}

void member_slot::connect(time_point planned) {
    const shared_run& run = owner_.run_info();
    if (!protocol_) protocol_ = run.adapter->make_member(profile_, *this);
    if (!tracker_) {
        tracker_ = std::make_unique<stream_tracker>();
        tracker_->keep_send_times(profile_.decodes);
    }
    planned_join_ = planned;
    state_ = member_state::connecting;
    if (reconnecting_) owner_.add(owner_.ids().reconnect_attempts);
    const std::size_t relay = (profile_.index.value + relay_moves_) % run.servers.size();
    connection_target target{run.servers[relay], run.host_headers[relay], run.path, std::nullopt, run.tls,
                             run.server_name};
    if (!run.sources.empty()) target.source = run.sources[profile_.index.value % run.sources.size()];
    connection_ = std::make_shared<ws_connection>(owner_.context(), *this, owner_.reads(),
                                                  reads_immediately() ? read_mode::immediate : read_mode::batched,
                                                  owner_.next_connection_seed());
    connection_->start(target, connect_timeout);
}

void member_slot::on_ws_open() {
    const time_point now = clock_now();
    owner_.metrics().record_from_schedule(owner_.ids().connect, planned_join_, now);
    owner_.add(owner_.ids().connects);
    state_ = member_state::joining;
    protocol_->on_open(now);
    if (reconnecting_ && protocol_->rejoins_by_itself()) {
        // Back after a loss: the session goes back into its room after the handshake, under the
        // room's same id (its host making the room again if the relay forgot it, members waiting
        // for that with backoff). A join or a new room from here would replace that.
        pump(now);
        return;
    }
    if (opener_ && !owner_.run_info().rooms->find(profile_.room)) {
        const auto& plan = *owner_.run_info().plan;
        protocol_->open_room(room_title(plan, profile_.room), plan.rooms.access == room_access::closed);
    } else {
        // A room hosted on another generator host: one member here finds it in the directory.
        if (!owner_.run_info().rooms->find(profile_.room) && !owner_.hosts_room_here(profile_.room) &&
            owner_.run_info().rooms->claim_lookup(profile_.room)) {
            looking_up_ = true;
            protocol_->look_up_room(room_title(*owner_.run_info().plan, profile_.room));
        }
        // Joins once the room's host has opened it (at once when it already has).
        auto* ctx = &owner_.context();
        auto* self = this;
        owner_.run_info().rooms->when_ready(profile_.room, [ctx, self](const room_ref& ref) {
            net::post(*ctx, [self, ref] { self->room_ready(ref); });
        });
    }
    pump(now);
}

void member_slot::on_tls_ready(bool resumed, std::uint64_t micros) {
    owner_.metrics().record(owner_.ids().tls_handshake, std::max<std::uint64_t>(micros, 1));
    owner_.add(owner_.ids().tls_handshakes);
    if (resumed) owner_.add(owner_.ids().tls_resumed);
}

void member_slot::room_ready(const room_ref& ref) {
    if (state_ != member_state::joining || !protocol_) return;
    protocol_->join(ref, display_name());
    pump(clock_now());
}

void member_slot::on_ws_text(std::string_view text) {
    const time_point now = clock_now();
    protocol_->on_text(text, now);
    pump(now);
}

void member_slot::on_ws_binary(byte_view message) {
    const time_point now = clock_now();
    protocol_->on_binary(message, now);
    pump(now);
}

void member_slot::on_ws_closed(bool opened, std::string_view reason, unsigned http_status) {
    const time_point now = clock_now();
    if (debug_enabled()) {
        std::fprintf(stderr, "stoa-load: member %u (state %d): connection %s: %.*s\n", profile_.index.value,
                     static_cast<int>(state_), opened ? "lost" : "failed", static_cast<int>(reason.size()),
                     reason.data());
    }
    connection_.reset();
    if (!opened) owner_.add(owner_.ids().connect_failures);
    if (http_status != 0) {
        // The server answered the upgrade with a status: a refusal, counted by that status.
        owner_.add(owner_.ids().connect_refused);
        owner_.error("http_" + std::to_string(http_status), now);
    }
    if (state_ == member_state::leaving || !wants_room_) {
        if (state_ == member_state::in_room || state_ == member_state::leaving) owner_.connected_changed(-1);
        state_ = member_state::absent;
        if (protocol_) protocol_->on_closed(now);
        drop_session();  // its memory goes back; a later join starts a fresh session
        speaker_.reset();
        return;
    }
    lost(now);
}

// An unplanned loss: back off and come back, like a browser would.
void member_slot::lost(time_point now) {
    if (state_ == member_state::in_room) owner_.connected_changed(-1);
    if (protocol_) protocol_->on_closed(now);
    if (!reconnecting_) {
        reconnecting_ = true;
        lost_at_ = now;
        attempt_ = 0;
        owner_.add(owner_.ids().disconnects);
    } else {
        ++attempt_;
    }
    state_ = member_state::backoff;
    on_stage_ = false;  // the protocol tells again once back in the room (a restarted relay forgot the stage)
    join_retry_at_ = time_point::max();  // the next connection joins afresh
    ++relay_moves_;  // the next attempt goes to the next relay of the list (the same one if alone)
    schedule_reconnect(now);
}

void member_slot::schedule_reconnect(time_point now) {
    retry_at_ = now + owner_.run_info().plan->reconnect.delay(attempt_, owner_.random());
}

void member_slot::send_outbound() {
    if (!protocol_) return;
    protocol_->take_outbound(outbound_);
    for (const auto& message : outbound_) {
        if (!connection_) break;
        connection_->send(message);
    }
    outbound_.clear();
}

void member_slot::pump(time_point now) {
    if (!protocol_) return;
    send_outbound();
    std::vector<member_note> notes;
    protocol_->take_notes(notes);
    for (auto& any : notes) {
        if (!protocol_) break;  // a note ended the session (handled notes may drop it)
        handle(any, now);
    }
    if (!notes.empty() && protocol_) send_outbound();  // reacting to notes may have queued more
}

void member_slot::handle(member_note& any, time_point now) {
    const metric_ids& ids = owner_.ids();
    if (auto* opened = std::get_if<note::room_opened>(&any)) {
        // Members are told of the room once its host is in it: the relay admits them only then.
        opened_room_ = std::make_unique<room_ref>(opened->room);
        protocol_->join(opened->room, display_name());
    } else if (std::holds_alternative<note::joined>(any)) {
        if (state_ != member_state::joining) return;
        if (opened_room_) owner_.run_info().rooms->publish(profile_.room, *std::exchange(opened_room_, nullptr));
        state_ = member_state::in_room;
        awaiting_join_since_ = time_point::max();
        owner_.connected_changed(+1);
        owner_.add(ids.joins);
        tracker_->reset();
        if (reconnecting_) {
            owner_.metrics().record_from_schedule(ids.reconnect, lost_at_, now);
            owner_.add(ids.reconnects);
            reconnecting_ = false;
            if (!owner_.layout().is_speaker(profile_.index)) {
                // Audio resumed is timed from the first loss not yet followed by a frame.
                if (awaiting_audio_since_ == time_point::max()) awaiting_audio_since_ = lost_at_;
                back_in_room_at_ = now;
            }
        } else {
            owner_.metrics().record_from_schedule(ids.join, planned_join_, now);
        }
        attempt_ = 0;
        join_refused_since_ = time_point::max();
        join_retry_at_ = time_point::max();
        join_retries_ = 0;
    } else if (auto* back = std::get_if<note::rejoined>(&any)) {
        owner_.add(ids.rejoins);
        if (back->recreated) owner_.add(ids.rooms_recreated);
        // A room made again has an empty stage: the host invites back the speakers the plan has
        // on it (each accepts once it is back in the room; an invitation is repeated until then).
        if (profile_.host) {
            const duration patience = owner_.run_info().plan->reconnect.max + connect_timeout + invite_patience;
            for (const member_index speaker : owner_.planned_stage(profile_.room)) {
                pending_invites_.push_back({owner_.identity_seed(speaker), now + patience});
            }
        }
    } else if (std::holds_alternative<note::rejoin_failed>(any)) {
        stop_rejoining();
    } else if (auto* keys = std::get_if<note::keys>(&any)) {
        if (profile_.host) owner_.run_info().rooms->epoch_started(profile_.room, keys->epoch, now);
        if (!key_seen_) {
            key_seen_ = true;
            first_epoch_ = keys->epoch;
            owner_.metrics().record_from_schedule(ids.first_key, planned_join_, now);
        } else if (!profile_.host && keys->epoch > first_epoch_) {
            if (const auto started = owner_.run_info().rooms->epoch_start(profile_.room, keys->epoch)) {
                owner_.metrics().record_from_schedule(ids.rekey, *started, now);
            }
        }
    } else if (std::holds_alternative<note::invited>(any)) {
        if (state_ == member_state::in_room && !on_stage_) protocol_->accept_invite();
    } else if (std::holds_alternative<note::on_stage>(any)) {
        on_stage_ = true;
        start_speaking(now);
    } else if (std::holds_alternative<note::off_stage>(any)) {
        on_stage_ = false;
        speaker_.reset();
    } else if (auto* removed = std::get_if<note::removed>(&any)) {
        if (!removed->planned) owner_.add(ids.removals);
        wants_room_ = false;
        if (state_ == member_state::in_room || state_ == member_state::leaving) owner_.connected_changed(-1);
        state_ = member_state::absent;
        if (connection_) {
            connection_->detach();
            connection_->close_gracefully();
        }
        connection_.reset();
        speaker_.reset();
        // The session is dropped once this pump returns (its notes are being read).
        net::post(owner_.context(), [this] {
            if (state_ == member_state::absent && !connection_) drop_session();
        });
    } else if (auto* error = std::get_if<note::error>(&any)) {
        if (debug_enabled()) {
            std::fprintf(stderr, "stoa-load: member %u (state %d): error %u %s\n", profile_.index.value,
                         static_cast<int>(state_), error->code, error->name.c_str());
        }
        if (error->room_missing && state_ == member_state::joining && retry_join_later(now)) return;
        owner_.error(error->name, now);
        if (state_ == member_state::joining) owner_.add(ids.joins_refused);
    } else if (auto* lookup = std::get_if<note::room_lookup>(&any)) {
        if (lookup->room) {
            looking_up_ = false;
            owner_.run_info().rooms->publish(profile_.room, *lookup->room);
        } else {
            lookup_at_ = now + lookup_retry;  // its host has not opened it yet
        }
    } else if (std::holds_alternative<note::relay_shutdown>(any)) {
        // The relay closes the connection itself; the loss path reconnects with backoff.
    } else if (auto* alarm = std::get_if<note::alarm>(&any)) {
        (void)alarm;  // counted from the session's own counters at the end
    }
}

void member_slot::start_speaking(time_point now) {
    if (speaker_) return;
    const auto& plan = *owner_.run_info().plan;
    const auto& layout = owner_.layout();
    speaker_ = std::make_unique<speaker_state>(
        speaker_state{talk_generator(plan.talk, layout.talk_seed(profile_.index)), now, false, now, 0, std::nullopt});
    const auto& speech = *owner_.run_info().speech;
    speaker_->cursor = static_cast<std::size_t>(profile_.index.value * 37U) %
                       std::max<std::size_t>(1, speech.packets.size());
    if (layout.encodes_live(profile_.index)) {
        auto encoder = audio::opus_encoder::create();
        if (encoder.ok()) speaker_->live.emplace(std::move(encoder).value());
    }
    // Frames start on the worker's 20 ms grid.
    const auto& run = owner_.run_info();
    const std::int64_t step = frame_micros;
    const std::int64_t since = std::max<std::int64_t>(0, to_micros(now) - to_micros(run.start));
    speaker_->next_frame = run.start + frame_length * ((since + step - 1) / step);
    speaker_->spell_end = speaker_->next_frame;
}
void member_slot::speak(time_point nominal) {
    speaker_state& s = *speaker_;
    const auto& speech = *owner_.run_info().speech;
    std::uint32_t sent = 0;
    if (nominal - s.next_frame > frame_length * max_catch_up_frames) {
        s.next_frame = nominal;  // the generator stalled for over a second: skip ahead
    }
    while (s.next_frame <= nominal && sent < max_catch_up_frames) {
        while (s.next_frame >= s.spell_end) {
            const auto spell = s.talk.next();
            s.talking = spell.talking;
            // Rounded to whole frames, at least one.
            const std::int64_t frames =
                std::max<std::int64_t>(1, (to_micros(from_micros(0) + spell.length) + 10'000) / 20'000);
            s.spell_end = s.spell_end + frame_length * frames;
        }
        if (s.talking) {
            bool ok = false;
            if (s.live) {
                std::array<std::uint8_t, 1'500> packet{};
                const std::size_t frames = speech.frame_count();
                const std::size_t frame = s.cursor % frames;
                s.cursor = (s.cursor + 1) % frames;
                auto encoded = s.live->encode(
                    std::span<const std::int16_t>(speech.pcm.data() + frame * audio::frame_samples, audio::frame_samples),
                    packet);
                if (encoded.ok() && *encoded > audio::max_dtx_packet_bytes) {
                    ok = protocol_->send_frame(byte_view(packet.data(), *encoded), s.next_frame);
                }
            } else {
                const bytes& packet = speech.packets[s.cursor];
                s.cursor = (s.cursor + 1) % speech.packets.size();
                ok = protocol_->send_frame(packet, s.next_frame);
            }
            if (ok) owner_.add(owner_.ids().frames_sent);
            ++sent;
        }
        s.next_frame = s.next_frame + frame_length;
    }
}

void member_slot::tick(time_point nominal, time_point now, bool session_tick, bool drain) {
    if (drain && connection_ && connection_->mode() == read_mode::batched) {
        connection_->drain();  // may end the connection, the session or the member's stay
    }
    if (state_ == member_state::backoff) {
        if (now >= retry_at_ && !owner_.stopping()) connect(now);
        return;
    }
    if (!protocol_) return;
    if (state_ == member_state::leaving && now >= leave_deadline_) {
        close_connection();
        owner_.connected_changed(-1);
        state_ = member_state::absent;
        drop_session();
        speaker_.reset();
        return;
    }
    if (state_ == member_state::joining && now >= join_retry_at_) {
        join_retry_at_ = time_point::max();
        if (const auto ref = owner_.run_info().rooms->find(profile_.room)) protocol_->join(*ref, display_name());
    }
    if (looking_up_ && state_ == member_state::joining && now >= lookup_at_) {
        lookup_at_ = time_point::max();
        protocol_->look_up_room(room_title(*owner_.run_info().plan, profile_.room));
    }
    if (state_ == member_state::in_room) {
        if (speaker_ && on_stage_) speak(nominal);
        if (profile_.decodes) {
            protocol_->playout(nominal);
            owner_.add(owner_.ids().playout_frames);
        }
    }
    if (session_tick) protocol_->tick(now);
    if (!pending_invites_.empty()) try_invites(now);
    pump(now);
}

void member_slot::on_frame(std::uint32_t sender, std::uint32_t seq, time_point sent_at, time_point now) {
    const metric_ids& ids = owner_.ids();
    const auto outcome = tracker_->on_frame(sender, seq, sent_at);
    if (outcome.duplicate) return;
    if (awaiting_audio_since_ != time_point::max()) audio_resumed(now);
    const std::uint64_t expected = (outcome.counted ? 1U : 0U) + outcome.lost;
    owner_.add(ids.frames_received);
    owner_.add(ids.frames_expected, expected);
    owner_.add(ids.frames_lost, outcome.lost);
    if (!profile_.probe) {
        // A bulk listener read this frame up to one drain interval after it arrived: it counts
        // the frame and its loss, never its timing.
        owner_.frame_received(now, std::nullopt);
        return;
    }
    owner_.add(ids.frames_received_probe);
    owner_.add(ids.frames_expected_probe, expected);
    owner_.add(ids.frames_lost_probe, outcome.lost);
    if (!audio_seen_) {
        audio_seen_ = true;
        owner_.metrics().record_from_schedule(ids.first_audio, planned_join_, now);
    }
    if (sent_at == no_send_time) {
        owner_.frame_received(now, std::nullopt);
        return;
    }
    // The send time is the sender's scheduled slot on the same steady clock (one host), so the
    // latency includes any lag of the generator itself; implausible stamps are not recorded.
    const std::int64_t latency = to_micros(now) - to_micros(sent_at);
    const bool plausible = latency >= 0 && latency < 60'000'000;
    if (plausible) owner_.metrics().record(ids.frame_latency, static_cast<std::uint64_t>(latency));
    if (outcome.too_late || latency > late_after_micros) owner_.add(ids.frames_late);
    owner_.frame_received(now, plausible ? std::optional<std::uint64_t>(latency) : std::nullopt);
}

void member_slot::on_opaque_frame(time_point now) {
    if (awaiting_audio_since_ != time_point::max()) audio_resumed(now);
    owner_.add(owner_.ids().frames_opaque);
    owner_.frame_received(now, std::nullopt);
}

void member_slot::on_playout(std::uint32_t sender, std::uint32_t seq, bool audio, time_point now) {
    if (const auto gap = tracker_->on_playout(sender, seq, audio, now)) {
        owner_.metrics().record(owner_.ids().playout_gap, static_cast<std::uint64_t>(gap->count()));
    }
}

void member_slot::settle_frames() {
    if (!tracker_) return;
    const std::uint32_t lost = tracker_->flush();
    owner_.add(owner_.ids().frames_expected, lost);
    owner_.add(owner_.ids().frames_lost, lost);
    if (profile_.probe) {
        owner_.add(owner_.ids().frames_expected_probe, lost);
        owner_.add(owner_.ids().frames_lost_probe, lost);
    }
}

void member_slot::drop_session() {
    collect_counters();
    protocol_.reset();
    counted_ = {};
}

void member_slot::close_connection() {
    if (!connection_) return;
    connection_->abort();
    connection_.reset();
}

void member_slot::audio_resumed(time_point now) {
    owner_.metrics().record_from_schedule(owner_.ids().audio_resumed, awaiting_audio_since_, now);
    awaiting_audio_since_ = time_point::max();
}

bool member_slot::retry_join_later(time_point now) {
    if (!owner_.run_info().rooms->find(profile_.room)) return false;
    if (join_refused_since_ == time_point::max()) join_refused_since_ = now;
    if (now - join_refused_since_ >= join_patience) return false;
    join_retry_at_ = now + join_retry.delay(join_retries_, owner_.random());
    ++join_retries_;
    owner_.add(owner_.ids().joins_retried);
    return true;
}

void member_slot::stop_rejoining() {
    // The error that ended the rejoin was counted with the others; the member is judged here.
    owner_.add(owner_.ids().members_never_back);
    reconnecting_ = false;
    awaiting_join_since_ = time_point::max();
    wants_room_ = false;
    if (state_ == member_state::in_room) owner_.connected_changed(-1);
    state_ = member_state::absent;
    close_connection();
    speaker_.reset();
    // The session is dropped once this pump returns (its notes are being read).
    net::post(owner_.context(), [this] {
        if (state_ == member_state::absent && !connection_) drop_session();
    });
}

void member_slot::stop() {
    wanted_room_at_end_ = wants_room_;
    in_room_at_end_ = state_ == member_state::in_room;
    wants_room_ = false;
    close_connection();
    if (state_ == member_state::in_room || state_ == member_state::leaving) owner_.connected_changed(-1);
    state_ = member_state::absent;
}

void member_slot::collect_counters() {
    settle_frames();
    if (!protocol_) return;
    const member_counters now = protocol_->counters();
    const metric_ids& ids = owner_.ids();
    owner_.add(ids.decrypt_failures, now.decrypt_failures - counted_.decrypt_failures);
    owner_.add(ids.decrypt_no_key, now.no_key_failures - counted_.no_key_failures);
    owner_.add(ids.auth_forged, now.forged - counted_.forged);
    owner_.add(ids.auth_unverified, now.unverified - counted_.unverified);
    owner_.add(ids.rekeys, now.rekeys - counted_.rekeys);
    counted_ = now;
}

}  // namespace stoa::loadgen::detail
