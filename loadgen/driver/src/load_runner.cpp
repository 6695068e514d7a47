#include "stoa/loadgen/driver/load_runner.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <memory>
#include <thread>
#include <utility>  // before Boost 1.74's asio, whose awaitable.hpp uses std::exchange unincluded
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "stoa/audio/opus_encoder.hpp"
#include "stoa/loadgen/driver/room_registry.hpp"
#include "stoa/loadgen/driver/stream_tracker.hpp"
#include "stoa/loadgen/driver/ws_connection.hpp"
#include "stoa/loadgen/metrics/log_histogram.hpp"
#include "stoa/loadgen/metrics/metric_set.hpp"
#include "stoa/loadgen/report/run_metrics.hpp"
#include "stoa/loadgen/scenario/deterministic_random.hpp"
#include "stoa/loadgen/scenario/member_layout.hpp"
#include "stoa/loadgen/scenario/scenario_schedule.hpp"
#include "stoa/loadgen/scenario/talk_model.hpp"

namespace stoa::loadgen {
namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;
namespace names = run_metrics;

constexpr std::chrono::milliseconds connect_timeout{10'000};
constexpr std::chrono::milliseconds leave_linger{2'000};  // a leaving member's last chance to be told
constexpr int listener_tick_every = 5;                   // listeners' session timers: every 100 ms
constexpr std::uint32_t max_catch_up_frames = 50;        // a speaker more than 1 s behind skips ahead
constexpr std::uint32_t ports_per_source = 28'000;
// A frame this late is past any listener's jitter buffer (at most 400 ms deep): it counts late.
constexpr std::int64_t late_after_micros = 400'000;
constexpr std::int64_t frame_micros = 20'000;
constexpr std::chrono::milliseconds lookup_retry{250};  // a room not yet in the directory
constexpr std::chrono::seconds invite_patience{10};        // a planned invitee still joining

// STOA_LOAD_DEBUG=1: every member's errors on stderr, as they happen.
bool debug_enabled() {
    static const bool enabled = std::getenv("STOA_LOAD_DEBUG") != nullptr;
    return enabled;
}

time_point clock_now() {
    return from_micros(std::chrono::duration_cast<std::chrono::microseconds>(
                           std::chrono::steady_clock::now().time_since_epoch())
                           .count());
}

std::chrono::steady_clock::time_point to_steady(time_point t) {
    return std::chrono::steady_clock::time_point(std::chrono::microseconds(to_micros(t)));
}


// Ids of every metric, looked up once.
struct metric_ids {
    metrics::histogram_id connect, join, first_key, first_audio, frame_latency, rekey, playout_gap, reconnect;
    metrics::counter_id connects, connect_failures, joins, joins_refused, leaves, disconnects, reconnects,
        reconnect_attempts, removals, frames_sent, frames_expected, frames_received, frames_lost, frames_late,
        frames_opaque, decrypt_failures, decrypt_no_key, auth_forged, auth_unverified, rekeys, playout_frames,
        errors, errors_other, generator_cpu_us, generator_max_rss, generator_members;

    static metric_ids from(const metrics::metric_catalog& catalog) {
        const auto h = [&](std::string_view name) { return *catalog.find_histogram(name); };
        const auto c = [&](std::string_view name) { return *catalog.find_counter(name); };
        return {h(names::connect),          h(names::join),
                h(names::first_key),        h(names::first_audio),
                h(names::frame_latency),    h(names::rekey),
                h(names::playout_gap),      h(names::reconnect),
                c(names::connects),         c(names::connect_failures),
                c(names::joins),            c(names::joins_refused),
                c(names::leaves),           c(names::disconnects),
                c(names::reconnects),       c(names::reconnect_attempts),
                c(names::removals),         c(names::frames_sent),
                c(names::frames_expected),  c(names::frames_received),
                c(names::frames_lost),      c(names::frames_late),
                c(names::frames_opaque),    c(names::decrypt_failures),
                c(names::decrypt_no_key),   c(names::auth_forged),
                c(names::auth_unverified),  c(names::rekeys),
                c(names::playout_frames),   c(names::errors),
                c(names::errors_other),     c(names::generator_cpu_us),
                c(names::generator_max_rss), c(names::generator_members)};
    }
};

// What every worker reads and nothing writes during the run.
struct shared_run {
    const scenario* plan = nullptr;
    shard part;
    std::uint32_t workers = 1;
    protocol_adapter* adapter = nullptr;
    const speech_sample* speech = nullptr;
    room_registry* rooms = nullptr;
    tcp::endpoint server;
    std::string host_header;
    std::string path;
    std::vector<net::ip::address> sources;  // empty: let the kernel choose
    time_point start;
    time_point end;
    const metrics::metric_catalog* catalog = nullptr;
    metric_ids ids;
};

class worker;
std::string room_title(const scenario& plan, room_index room);

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
    ~member_slot() override {
        if (connection_) connection_->abort();
    }
    member_slot(const member_slot&) = delete;
    member_slot& operator=(const member_slot&) = delete;

    void plan(const member_event& event, time_point now);
    void tick(time_point nominal, time_point now, bool session_tick);
    void room_ready(const room_ref& ref);
    void stop();
    [[nodiscard]] bool connected() const noexcept {
        return state_ == member_state::in_room || state_ == member_state::leaving;
    }
    [[nodiscard]] bool is_speaking_member() const noexcept { return speaker_ != nullptr || profile_.host; }
    [[nodiscard]] const member_profile& profile() const noexcept { return profile_; }
    void invite(std::uint64_t identity_seed, time_point now);
    void try_invites(time_point now);
    void collect_counters();

private:
    // connection_owner
    void on_ws_open() override;
    void on_ws_text(std::string_view text) override;
    void on_ws_binary(byte_view message) override;
    void on_ws_closed(bool opened, std::string_view reason) override;
    // media_sink
    void on_frame(std::uint32_t sender, std::uint32_t seq, time_point sent_at, time_point now) override;
    void on_opaque_frame(time_point now) override;
    void on_playout(std::uint32_t sender, std::uint32_t seq, bool audio, time_point now) override;

    void connect(time_point planned);
    void pump(time_point now);
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
    [[nodiscard]] std::string display_name() const;

    worker& owner_;
    member_profile profile_;
    std::unique_ptr<member_protocol> protocol_;
    std::shared_ptr<ws_connection> connection_;
    std::unique_ptr<speaker_state> speaker_;
    std::unique_ptr<stream_tracker> tracker_;
    std::unique_ptr<room_ref> opened_room_;  // a host's new room, published once the host is in it
    std::vector<std::pair<std::uint64_t, time_point>> pending_invites_;  // a host's: seed, give up after
    member_state state_ = member_state::absent;
    time_point planned_join_{};       // the scheduled time latencies are measured from
    time_point lost_at_{};            // when an unplanned loss happened (reconnect latency)
    time_point retry_at_{};           // backoff: when to connect again
    time_point leave_deadline_{};
    std::uint32_t attempt_ = 0;
    bool reconnecting_ = false;
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

class worker {
public:
    worker(const shared_run& run, std::uint32_t number)
        : run_(run),
          number_(number),
          context_(1),
          plan_timer_(context_),
          frame_timer_(context_),
          metrics_(std::move(metrics::metric_set::make(*run.catalog, run.start)).value()),
          live_(std::move(metrics::log_histogram::make({1, 60'000'000, 2})).value()),
          schedule_(*run.plan, shard{1, 1}, run.start),
          layout_(*run.plan) {}

    // Members this worker simulates: index % (shards * workers) == its slice.
    [[nodiscard]] std::uint32_t slices() const noexcept { return run_.part.count * run_.workers; }
    [[nodiscard]] std::uint32_t slice() const noexcept { return (run_.part.index - 1) + run_.part.count * number_; }
    [[nodiscard]] bool owns(member_index m) const noexcept { return m.value % slices() == slice(); }

    void build_members() {
        const std::uint32_t total = layout_.member_count();
        for (std::uint32_t i = slice(); i < total; i += slices()) {
            const member_index m(i);
            member_profile profile;
            profile.index = m;
            profile.room = layout_.room_of(m);
            profile.host = layout_.is_host(m);
            profile.decrypts = layout_.is_speaker(m) || layout_.decrypts(m);
            profile.decodes = !layout_.is_speaker(m) && layout_.decodes(m);
            profile.identity_seed = identity_seed(m);
            members_.push_back(std::make_unique<member_slot>(*this, profile));
        }
    }

    [[nodiscard]] std::uint64_t identity_seed(member_index m) const noexcept {
        return run_.plan->seed * 0x9E3779B97F4A7C15ULL + m.value + 1;
    }

    void run() {
        arm_plan_timer();
        frame_index_ = 0;
        arm_frame_timer();
        context_.run();
    }
    void stop() {
        net::post(context_, [this] {
            stopping_ = true;
            plan_timer_.cancel();
            frame_timer_.cancel();
            for (auto& member : members_) member->stop();
            context_.stop();  // what is still pending (aborted sockets' handlers) is dropped
        });
    }
    void finish(time_point end) {
        for (auto& member : members_) member->collect_counters();
        metrics_.series().advance_to(end);
        metrics_.series().flush();
    }

    [[nodiscard]] net::io_context& context() noexcept { return context_; }
    [[nodiscard]] const shared_run& run_info() const noexcept { return run_; }
    [[nodiscard]] metrics::metric_set& metrics() noexcept { return metrics_; }
    [[nodiscard]] const metric_ids& ids() const noexcept { return run_.ids; }
    [[nodiscard]] deterministic_random& random() noexcept { return random_; }
    [[nodiscard]] const member_layout& layout() const noexcept { return layout_; }
    [[nodiscard]] bool stopping() const noexcept { return stopping_; }

    void add(metrics::counter_id id, std::uint64_t amount = 1) { metrics_.add(id, amount); }
    void error(std::string_view name, time_point now) {
        metrics_.add(run_.ids.errors);
        metrics_.series().add_errors(now);
        const std::string full = std::string(names::error_prefix) + std::string(name);
        if (const auto id = run_.catalog->find_counter(full)) {
            metrics_.add(*id);
        } else {
            metrics_.add(run_.ids.errors_other);
        }
        errors_.fetch_add(1, std::memory_order_relaxed);
    }
    void frame_received(time_point now, std::optional<std::uint64_t> latency_micros) {
        metrics_.series().add_frames(now);
        frames_.fetch_add(1, std::memory_order_relaxed);
        if (latency_micros) {
            metrics_.series().record_latency(now, *latency_micros);
            live_.record(*latency_micros);
        }
    }
    void connected_changed(int delta) { connected_ += delta; }

    // Whether this process (any of its workers) simulates the host of `room`.
    [[nodiscard]] bool hosts_room_here(room_index room) const noexcept {
        return layout_.host_of(room).value % run_.part.count == run_.part.index - 1;
    }
    // The host of `room`, if this worker simulates it.
    [[nodiscard]] member_slot* host_of(room_index room) {
        const member_index host = layout_.host_of(room);
        if (!owns(host)) return nullptr;
        return members_[host.value / slices()].get();
    }

    // Progress, read by the main thread.
    std::atomic<std::uint64_t> connected_now{0};
    std::atomic<std::uint64_t> planned_present{0};
    std::atomic<std::uint64_t> frames_{0};
    std::atomic<std::uint64_t> errors_{0};
    std::atomic<std::uint64_t> live_p50_us{0};
    std::atomic<std::uint64_t> live_p99_us{0};

private:
    void arm_plan_timer() {
        if (stopping_) return;
        const auto next = schedule_.next_time();
        if (!next || *next >= run_.end) return;
        plan_timer_.expires_at(to_steady(*next));
        plan_timer_.async_wait([this](const boost::system::error_code& ec) {
            if (ec || stopping_) return;
            const time_point now = clock_now();
            while (auto event = schedule_.next_event(now)) dispatch(*event, now);
            planned_present.store(schedule_.planned().present_count(), std::memory_order_relaxed);
            arm_plan_timer();
        });
    }

    void dispatch(const member_event& event, time_point now) {
        if (event.kind == member_event_kind::invite_to_stage) {
            // The room's host asks; the member accepts when the invitation reaches it.
            if (member_slot* host = host_of(layout_.room_of(event.member))) {
                host->invite(identity_seed(event.member), now);
            }
        }
        if (!owns(event.member)) return;
        members_[event.member.value / slices()]->plan(event, now);
    }

    void arm_frame_timer() {
        if (stopping_) return;
        const time_point nominal = run_.start + frame_length * static_cast<std::int64_t>(frame_index_);
        frame_timer_.expires_at(to_steady(nominal));
        frame_timer_.async_wait([this, nominal](const boost::system::error_code& ec) {
            if (ec || stopping_) return;
            const time_point now = clock_now();
            const std::uint64_t phase = frame_index_ % listener_tick_every;
            std::size_t i = 0;
            for (auto& member : members_) {
                const bool session_tick = member->is_speaking_member() || (i++ % listener_tick_every) == phase;
                member->tick(nominal, now, session_tick);
            }
            metrics_.series().set_connected(now, static_cast<std::uint64_t>(std::max<std::int64_t>(connected_, 0)));
            connected_now.store(static_cast<std::uint64_t>(std::max<std::int64_t>(connected_, 0)),
                                std::memory_order_relaxed);
            if (frame_index_ % 50 == 0) publish_live();
            // Skip slots the worker slept through, rather than firing them back to back.
            const std::int64_t behind = (to_micros(now) - to_micros(nominal)) / frame_micros;
            frame_index_ += 1 + static_cast<std::uint64_t>(std::max<std::int64_t>(behind, 0));
            arm_frame_timer();
        });
    }

    void publish_live() {
        live_p50_us.store(live_.value_at_quantile(0.5).value_or(0), std::memory_order_relaxed);
        live_p99_us.store(live_.value_at_quantile(0.99).value_or(0), std::memory_order_relaxed);
        live_.reset();
    }

    const shared_run& run_;
    std::uint32_t number_;
    net::io_context context_;
    net::steady_timer plan_timer_;
    net::steady_timer frame_timer_;
    metrics::metric_set metrics_;
    metrics::log_histogram live_;
    scenario_schedule schedule_;
    member_layout layout_;
    deterministic_random random_{0x6c6f6164ULL};
    std::vector<std::unique_ptr<member_slot>> members_;
    std::uint64_t frame_index_ = 0;
    std::int64_t connected_ = 0;
    bool stopping_ = false;
};

// ---------------------------------------------------------------- member_slot

std::string room_title(const scenario& plan, room_index room) {
    return "stoa-load " + std::to_string(plan.seed) + "/" + std::to_string(room.value);
}

std::string member_slot::display_name() const { return "load " + std::to_string(profile_.index.value); }

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
            connect(event.at);
            return;
        case member_event_kind::leave:
            wants_room_ = false;
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
    connection_target target{run.server, run.host_header, run.path, std::nullopt};
    if (!run.sources.empty()) target.source = run.sources[profile_.index.value % run.sources.size()];
    connection_ = std::make_shared<ws_connection>(owner_.context(), *this);
    connection_->start(target, connect_timeout);
}

void member_slot::on_ws_open() {
    const time_point now = clock_now();
    owner_.metrics().record_from_schedule(owner_.ids().connect, planned_join_, now);
    owner_.add(owner_.ids().connects);
    state_ = member_state::joining;
    protocol_->on_open(now);
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

void member_slot::on_ws_closed(bool opened, std::string_view reason) {
    const time_point now = clock_now();
    if (debug_enabled()) {
        std::fprintf(stderr, "stoa-load: member %u (state %d): connection %s: %.*s\n", profile_.index.value,
                     static_cast<int>(state_), opened ? "lost" : "failed", static_cast<int>(reason.size()),
                     reason.data());
    }
    connection_.reset();
    if (!opened) owner_.add(owner_.ids().connect_failures);
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
    schedule_reconnect(now);
}

void member_slot::schedule_reconnect(time_point now) {
    retry_at_ = now + owner_.run_info().plan->reconnect.delay(attempt_, owner_.random());
}

void member_slot::pump(time_point now) {
    if (!protocol_) return;
    std::vector<wire_message> out;
    protocol_->take_outbound(out);
    for (auto& message : out) {
        if (!connection_) break;
        connection_->send(std::move(message));
    }
    std::vector<member_note> notes;
    protocol_->take_notes(notes);
    for (auto& any : notes) {
        if (!protocol_) break;  // a note ended the session (handled notes may drop it)
        handle(any, now);
    }
    if (!notes.empty() && protocol_) {  // reacting to notes may have queued more
        out.clear();
        protocol_->take_outbound(out);
        for (auto& message : out) {
            if (!connection_) break;
            connection_->send(std::move(message));
        }
    }
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
        owner_.connected_changed(+1);
        owner_.add(ids.joins);
        tracker_->reset();
        if (reconnecting_) {
            owner_.metrics().record_from_schedule(ids.reconnect, lost_at_, now);
            owner_.add(ids.reconnects);
            reconnecting_ = false;
        } else {
            owner_.metrics().record_from_schedule(ids.join, planned_join_, now);
        }
        attempt_ = 0;
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

void member_slot::tick(time_point nominal, time_point now, bool session_tick) {
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
    if (!audio_seen_) {
        audio_seen_ = true;
        owner_.metrics().record_from_schedule(ids.first_audio, planned_join_, now);
    }
    const auto outcome = tracker_->on_frame(sender, seq, sent_at);
    if (outcome.duplicate) return;
    owner_.add(ids.frames_received);
    owner_.add(ids.frames_expected, (outcome.counted ? 1U : 0U) + outcome.lost);
    owner_.add(ids.frames_lost, outcome.lost);
    // The send time is the sender's scheduled slot on the same steady clock (one host), so the
    // latency includes any lag of the generator itself; implausible stamps are not recorded.
    const std::int64_t latency = to_micros(now) - to_micros(sent_at);
    const bool plausible = latency >= 0 && latency < 60'000'000;
    if (plausible) owner_.metrics().record(ids.frame_latency, static_cast<std::uint64_t>(latency));
    if (outcome.too_late || latency > late_after_micros) owner_.add(ids.frames_late);
    owner_.frame_received(now, plausible ? std::optional<std::uint64_t>(latency) : std::nullopt);
}

void member_slot::on_opaque_frame(time_point now) {
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

void member_slot::stop() {
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

std::string utc_now_iso() {
    const std::time_t t = std::time(nullptr);
    std::tm parts{};
    gmtime_r(&t, &parts);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &parts);
    return text;
}

}  // namespace

result<std::uint64_t, std::string> raise_fd_limit(std::uint64_t needed) {
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return fail(std::string("getrlimit(RLIMIT_NOFILE) failed"));
    if (limit.rlim_cur >= needed) return static_cast<std::uint64_t>(limit.rlim_cur);
    if (limit.rlim_max != RLIM_INFINITY && limit.rlim_max < needed) {
        return fail("needs " + std::to_string(needed) + " file descriptors but the hard limit is " +
                    std::to_string(limit.rlim_max) + " (raise it with ulimit -Hn or limits.conf)");
    }
    limit.rlim_cur = needed;
    if (::setrlimit(RLIMIT_NOFILE, &limit) != 0) {
        return fail("cannot raise the file-descriptor limit to " + std::to_string(needed));
    }
    return needed;
}

std::uint32_t source_addresses_for(std::uint64_t connections) noexcept {
    return static_cast<std::uint32_t>(std::max<std::uint64_t>(1, (connections + ports_per_source - 1) / ports_per_source));
}

result<load_report, std::string> run_load(const load_options& options, protocol_adapter& adapter,
                                          const speech_sample& speech, const run_settings& settings) {
    const scenario& plan = options.plan;
    if (plan.server.url.scheme == url_scheme::wss) {
        return fail(std::string("wss:// is not supported by this build of stoa-load; run it next to the relay over ws://"));
    }
    if (speech.packets.empty()) return fail(std::string("no speech sample"));
    if (options.part.count > 1 && plan.rooms.access == room_access::closed) {
        return fail(std::string("closed rooms cannot be sharded: members on other hosts could not learn the invite "
                                "(the directory lists open rooms only); run closed rooms from one host"));
    }

    // The relay's address.
    net::io_context resolver_context;
    tcp::resolver resolver(resolver_context);
    boost::system::error_code ec;
    const auto resolved =
        resolver.resolve(plan.server.url.host, std::to_string(plan.server.url.port), ec);
    if (ec || resolved.empty()) {
        return fail("cannot resolve " + plan.server.url.host + ": " + (ec ? ec.message() : "no address"));
    }
    const tcp::endpoint server = resolved.begin()->endpoint();

    const member_layout layout(plan);
    const std::uint32_t members = options.part.members_of(layout.member_count());
    // Every member holds one socket; a margin for the runtime's own descriptors.
    auto limit = raise_fd_limit(static_cast<std::uint64_t>(members) + 256);
    if (!limit.ok()) return fail(std::move(limit).error());

    std::vector<net::ip::address> sources;
    const std::uint32_t source_count = source_addresses_for(members);
    if (source_count > 1) {
        if (!server.address().is_loopback() || !server.address().is_v4()) {
            return fail("more than " + std::to_string(ports_per_source) +
                        " connections to one non-loopback address need several source addresses; use --shard "
                        "across hosts");
        }
        // 127.0.0.0/8 is all loopback on Linux: 127.0.1.k are usable without configuration.
        for (std::uint32_t k = 0; k < source_count; ++k) {
            sources.push_back(net::ip::make_address_v4(0x7F000100U + 1 + k));
        }
    }

    std::vector<std::string_view> error_names = adapter.error_names();
    auto catalog = run_metrics::make_catalog(error_names);
    if (!catalog.ok()) return fail("metrics catalog: " + catalog.error().detail);

    room_registry rooms(layout.room_count());
    shared_run run;
    run.plan = &plan;
    run.part = options.part;
    run.workers = std::max<std::uint32_t>(1, settings.threads);
    run.adapter = &adapter;
    run.speech = &speech;
    run.rooms = &rooms;
    run.server = server;
    run.host_header = plan.server.url.host + ":" + std::to_string(plan.server.url.port);
    run.path = plan.server.url.path;
    run.sources = std::move(sources);
    run.catalog = &catalog.value();
    run.ids = metric_ids::from(catalog.value());
    // A moment to build members and start threads before the plan's time zero.
    run.start = clock_now() + std::chrono::milliseconds(500);
    run.end = run.start + plan.length;

    const std::string started = utc_now_iso();
    std::vector<std::unique_ptr<worker>> workers;
    for (std::uint32_t w = 0; w < run.workers; ++w) {
        workers.push_back(std::make_unique<worker>(run, w));
        workers.back()->build_members();
    }
    std::vector<std::thread> threads;
    for (auto& w : workers) threads.emplace_back([&w] { w->run(); });

    // The calling thread shows progress until the scenario's length has passed.
    time_point last = clock_now();
    std::uint64_t last_frames = 0;
    while (true) {
        const time_point now = clock_now();
        if (now >= run.end) break;
        if (settings.stop != nullptr && settings.stop->load()) break;
        std::this_thread::sleep_until(to_steady(std::min(run.end, now + std::chrono::milliseconds(1'000))));
        if (!settings.on_progress) continue;
        const time_point at = clock_now();
        live_progress progress;
        progress.elapsed_seconds = std::max(0.0, static_cast<double>(to_micros(at) - to_micros(run.start)) / 1e6);
        progress.length_seconds = static_cast<double>(to_micros(from_micros(0) + plan.length)) / 1e6;
        std::uint64_t frames = 0;
        std::uint64_t p50_sum = 0;
        std::uint64_t p50_count = 0;
        std::uint64_t p99_max = 0;
        for (auto& w : workers) {
            progress.connected += w->connected_now.load(std::memory_order_relaxed);
            frames += w->frames_.load(std::memory_order_relaxed);
            progress.errors += w->errors_.load(std::memory_order_relaxed);
            if (const auto p50 = w->live_p50_us.load(std::memory_order_relaxed); p50 > 0) {
                p50_sum += p50;
                ++p50_count;
            }
            p99_max = std::max(p99_max, w->live_p99_us.load(std::memory_order_relaxed));
        }
        progress.target = workers.front()->planned_present.load(std::memory_order_relaxed) / options.part.count;
        const double seconds = std::max(1e-3, static_cast<double>(to_micros(at) - to_micros(last)) / 1e6);
        progress.frames_per_second = static_cast<double>(frames - last_frames) / seconds;
        last_frames = frames;
        last = at;
        if (p50_count > 0) progress.latency_p50_ms = static_cast<double>(p50_sum) / static_cast<double>(p50_count) / 1e3;
        if (p99_max > 0) progress.latency_p99_ms = static_cast<double>(p99_max) / 1e3;
        settings.on_progress(progress);
    }
    const time_point finished = clock_now();
    for (auto& w : workers) w->stop();
    for (auto& t : threads) t.join();

    std::vector<metrics::metric_set> sets;
    for (auto& w : workers) {
        w->finish(finished);
        sets.push_back(std::move(w->metrics()));
    }
    // The generator's own cost, whole process: what a user of stoa-load pays per member.
    rusage usage{};
    ::getrusage(RUSAGE_SELF, &usage);
    const std::uint64_t cpu_us = static_cast<std::uint64_t>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1'000'000 +
                                 static_cast<std::uint64_t>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec);
    sets.front().add(run.ids.generator_cpu_us, cpu_us);
    sets.front().add(run.ids.generator_max_rss, static_cast<std::uint64_t>(usage.ru_maxrss) * 1024);
    sets.front().add(run.ids.generator_members, members);
    workers.clear();

    auto merged = metrics::metric_set::merge_all(sets);
    if (!merged.ok()) return fail("merging the workers' metrics: " + merged.error().detail);

    run_info info;
    info.scenario_name = plan.name;
    info.server = to_string(plan.server.url);
    info.seed = plan.seed;
    info.shards = {options.part.index};
    info.shard_count = options.part.count;
    info.members_planned = members;
    info.threads = run.workers;
    info.started_utc = started;
    info.duration_seconds = static_cast<double>(to_micros(finished) - to_micros(run.start)) / 1e6;
    info.thresholds = plan.thresholds;
    return load_report{std::move(info), std::move(merged).value()};
}

}  // namespace stoa::loadgen
