// stoa_relay_bench: the load generator of the relay benchmark. Opens one room's worth of
// connections to a relay (stoa-server, a `ws` broadcast server or a Socket.IO server), lets the
// speakers talk, and reports deliveries per relay CPU-second, relay-added latency, losses and the
// relay's memory per connection as JSON. Run by tests/bench/relay/run.sh.
//
// Probe listeners (--probes) take the kernel's receive timestamp, so their latency is what the
// relay and loopback add, not the generator's own delay. --target-relay-cpu SHARE first calibrates
// the talkers' frame rate until the relay uses about SHARE of its core, then measures there.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/steady_timer.hpp>

#include "bench_protocol.hpp"
#include "process_stats.hpp"
#include "talk_pattern.hpp"

namespace {

using namespace stoa::bench;
using steady = std::chrono::steady_clock;

struct options {
    std::string protocol = "ws";
    std::string label;
    std::string host = "127.0.0.1";
    std::uint16_t port = 8080;
    std::uint32_t speakers = 10;
    std::uint32_t listeners = 3000;
    bool always_on = false;
    double warmup_s = 3.0;
    double duration_s = 30.0;
    double drain_s = 2.0;
    double join_timeout_s = 180.0;
    double prepare_timeout_s = 60.0;
    double connect_rate = 400.0;  // new connections per second
    std::uint32_t connect_in_flight = 64;
    std::size_t payload_bytes = 100;
    int relay_pid = 0;
    std::uint32_t probes = 8;       // listeners spread over the join order that take kernel timestamps
    double talk_rate = 0.0;         // fraction of the talk pattern's frames the speakers send (0: default)
    double target_relay_cpu = 0.0;  // > 0: calibrate talk_rate until the relay uses this share of a core
    double target_tolerance = 0.10; // the window's share must be this close to the target to count
    double calibrate_step_s = 3.0;
    std::uint32_t calibrate_steps = 6;
    std::string output;
    stoa_options stoa;
};

[[noreturn]] void usage(const char* why) {
    std::fprintf(stderr,
                 "stoa_relay_bench: %s\n"
                 "usage: stoa_relay_bench --protocol stoa|ws|socketio --port P --relay-pid PID [--shape A|B]\n"
                 "  [--speakers N] [--listeners N] [--always-on] [--duration S] [--warmup S] [--drain S]\n"
                 "  [--connect-rate N] [--payload-bytes N] [--decrypt-every N] [--bitrate BPS] [--seed N]\n"
                 "  [--auth-context TEXT] [--join-timeout S] [--label NAME] [--output FILE.json]\n"
                 "  [--probes N] [--talk-rate F] [--target-relay-cpu SHARE] [--target-tolerance T]\n"
                 "  [--calibrate-step S] [--calibrate-steps N]\n",
                 why);
    std::exit(2);
}

options parse(int argc, char** argv) {
    options o;
    for (int i = 1; i < argc; ++i) {
        const std::string_view flag = argv[i];
        if (flag == "--always-on") {
            o.always_on = true;
            continue;
        }
        if (i + 1 >= argc) usage("missing value");
        const std::string value = argv[++i];
        if (flag == "--protocol") o.protocol = value;
        else if (flag == "--label") o.label = value;
        else if (flag == "--host") o.host = value;
        else if (flag == "--port") o.port = static_cast<std::uint16_t>(std::stoul(value));
        else if (flag == "--shape") {
            if (value == "A") {
                o.speakers = 10;
                o.listeners = 3000;
                o.always_on = false;
            } else if (value == "B") {
                o.speakers = 1;
                o.listeners = 5000;
                o.always_on = true;
            } else {
                usage("--shape is A or B");
            }
        } else if (flag == "--speakers") o.speakers = static_cast<std::uint32_t>(std::stoul(value));
        else if (flag == "--listeners") o.listeners = static_cast<std::uint32_t>(std::stoul(value));
        else if (flag == "--duration") o.duration_s = std::stod(value);
        else if (flag == "--warmup") o.warmup_s = std::stod(value);
        else if (flag == "--drain") o.drain_s = std::stod(value);
        else if (flag == "--join-timeout") o.join_timeout_s = std::stod(value);
        else if (flag == "--connect-rate") o.connect_rate = std::stod(value);
        else if (flag == "--payload-bytes") o.payload_bytes = std::stoul(value);
        else if (flag == "--relay-pid") o.relay_pid = std::stoi(value);
        else if (flag == "--output") o.output = value;
        else if (flag == "--probes") o.probes = static_cast<std::uint32_t>(std::stoul(value));
        else if (flag == "--talk-rate") o.talk_rate = std::stod(value);
        else if (flag == "--target-relay-cpu") o.target_relay_cpu = std::stod(value);
        else if (flag == "--target-tolerance") o.target_tolerance = std::stod(value);
        else if (flag == "--calibrate-step") o.calibrate_step_s = std::stod(value);
        else if (flag == "--calibrate-steps") o.calibrate_steps = static_cast<std::uint32_t>(std::stoul(value));
        else if (flag == "--decrypt-every") o.stoa.decrypt_every = std::max(1U, static_cast<std::uint32_t>(std::stoul(value)));
        else if (flag == "--bitrate") o.stoa.bitrate_bps = std::stoi(value);
        else if (flag == "--auth-context") o.stoa.auth_context = value;
        else if (flag == "--seed") o.stoa.seed = std::stoull(value);
        else usage(("unknown flag " + std::string(flag)).c_str());
    }
    if (o.speakers == 0) usage("at least one speaker");
    if (o.relay_pid <= 0) usage("--relay-pid is needed to measure the relay's CPU and memory");
    // Calibration starts low and climbs: starting at the shape's full rate would saturate most
    // relays and leave a backlog that every later step measures.
    if (o.talk_rate == 0.0) o.talk_rate = o.target_relay_cpu > 0.0 ? 0.1 : 1.0;
    if (!(o.talk_rate > 0.0 && o.talk_rate <= 1.0)) usage("--talk-rate is in (0, 1]");
    if (o.target_relay_cpu < 0.0 || o.target_relay_cpu >= 1.0) usage("--target-relay-cpu is in (0, 1)");
    o.probes = std::min(o.probes, o.listeners);
    return o;
}

class bench_runner {
public:
    explicit bench_runner(options o) : options_(std::move(o)), clock_(io_), ticker_(io_) {
        context_.speakers = options_.speakers;
        context_.members = options_.speakers + options_.listeners;
        context_.payload_bytes = options_.payload_bytes;
        if (options_.protocol == "ws") protocol_ = make_ws_protocol(context_);
        else if (options_.protocol == "socketio") protocol_ = make_socketio_protocol(context_);
        else if (options_.protocol == "stoa") protocol_ = make_stoa_protocol(context_, options_.stoa);
        else usage("--protocol is stoa, ws or socketio");
        endpoint_ = {boost::asio::ip::make_address(options_.host), options_.port};
        talk_rate_ = options_.talk_rate;
        // The last listener to join, and others evenly spread before it: a relay that writes in
        // join order shows its first and last recipients' latency alike.
        for (std::uint32_t k = 0; k < options_.probes; ++k) {
            probe_indices_.push_back(options_.speakers + options_.listeners - 1 - k * options_.listeners / options_.probes);
        }
    }

    int run() {
        rss_idle_kb_ = process_rss_kb(options_.relay_pid).value_or(0);
        started_ = steady::now();
        connect_next();  // member 0 (the room's opener) first, alone
        phase_ = phase::opening;
        schedule_step();
        io_.run();
        return finish();
    }

private:
    enum class phase { opening, joining, preparing, talking, draining, done };

    double since(steady::time_point t) const { return std::chrono::duration<double>(steady::now() - t).count(); }

    void connect_next() {
        const auto index = static_cast<std::uint32_t>(connections_.size());
        auto c = std::make_shared<bench_connection>(io_, index, *protocol_);
        if (std::find(probe_indices_.begin(), probe_indices_.end(), index) != probe_indices_.end()) c->enable_receive_timestamps();
        connections_.push_back(c);
        protocol_->add_member(c);
        c->start(endpoint_, protocol_->target());
    }

    void schedule_step() {
        clock_.expires_after(std::chrono::milliseconds(10));
        clock_.async_wait([this](const boost::system::error_code& error) {
            if (!error) step();
        });
    }

    // The setup state machine, every 10 ms until the speakers start.
    void step() {
        const std::uint32_t total = context_.members;
        switch (phase_) {
            case phase::opening:
                if (protocol_->ready_members() >= 1) {
                    phase_ = phase::joining;
                    phase_started_ = steady::now();
                } else if (since(started_) > options_.join_timeout_s) {
                    return abort("the first member never got in (is the relay up?)");
                }
                break;
            case phase::joining: {
                const auto ready = protocol_->ready_members();
                // Bounded rate and bounded connections in flight, so the relay is not measured on a storm.
                const auto allowed = static_cast<std::size_t>(since(phase_started_) * options_.connect_rate) + 1;
                while (connections_.size() < total && connections_.size() < allowed &&
                       connections_.size() - ready - context_.closed_connections < options_.connect_in_flight) {
                    connect_next();
                }
                if (ready >= total) {
                    join_s_ = since(started_);
                    std::fprintf(stderr, "%s: %u members in after %.1f s\n", label().c_str(), ready, join_s_);
                    phase_ = phase::preparing;
                    phase_started_ = steady::now();
                } else if (since(started_) > options_.join_timeout_s) {
                    return abort("not every member got in: " + std::to_string(ready) + " of " + std::to_string(total));
                }
                break;
            }
            case phase::preparing:
                if (protocol_->prepare_to_talk()) {
                    rss_joined_kb_ = process_rss_kb(options_.relay_pid).value_or(0);
                    return start_talking();
                }
                if (since(phase_started_) > options_.prepare_timeout_s) return abort("speakers never got ready to talk");
                protocol_->tick();
                break;
            default:
                return;
        }
        schedule_step();
    }

    void start_talking() {
        phase_ = phase::talking;
        context_.talking = true;
        const auto start = steady::now() + std::chrono::milliseconds(20);
        // Speakers are spread over the 20 ms frame, as unsynchronised talkers would be.
        for (std::uint32_t s = 0; s < options_.speakers; ++s) {
            auto sp = std::make_unique<speaker>(io_, talk_pattern(options_.stoa.seed * 7919 + s, options_.always_on));
            sp->next = start + std::chrono::microseconds(20'000 * s / options_.speakers);
            speakers_.push_back(std::move(sp));
            speak(s);
        }
        talk_started_ = steady::now();
        tick_at_ = start;
        tick();
    }

    void speak(std::uint32_t s) {
        speaker& sp = *speakers_[s];
        sp.timer.expires_at(sp.next);
        sp.timer.async_wait([this, s](const boost::system::error_code& error) {
            if (error || !context_.talking) return;
            speaker& me = *speakers_[s];
            const auto scheduled = std::chrono::duration_cast<std::chrono::microseconds>(me.next.time_since_epoch()).count();
            // Below a talk rate of 1 a speaker sends that fraction of its speech frames, evenly
            // spaced: each frame still goes to every listener, there are fewer of them.
            if (me.pattern.next_frame() && (me.credit += talk_rate_) >= 1.0) {
                me.credit -= 1.0;
                protocol_->speak(s, me.seq, scheduled);
                ++frames_spoken_;
            }
            ++me.seq;
            me.next += std::chrono::milliseconds(20);
            speak(s);
        });
    }

    // The 20 ms clock: the protocol's timers, the calibration and the measured window's edges.
    void tick() {
        protocol_->tick();
        const double talked = since(talk_started_);
        if (phase_ == phase::talking && !context_.window_open && talked >= options_.warmup_s && window_started_s_ == 0) {
            if (options_.target_relay_cpu <= 0.0 || calibrate()) open_window();
        } else if (phase_ == phase::talking && context_.window_open && since(window_start_) >= options_.duration_s) {
            close_window();
            context_.talking = false;  // the speakers stop; what is in flight drains
            phase_ = phase::draining;
            drain_started_ = steady::now();
        } else if (phase_ == phase::draining && since(drain_started_) >= options_.drain_s) {
            phase_ = phase::done;
            rss_end_kb_ = process_rss_kb(options_.relay_pid).value_or(0);
            for (auto& c : connections_) c->close();
            io_.stop();
            return;
        }
        tick_at_ += std::chrono::milliseconds(20);
        ticker_.expires_at(tick_at_);
        ticker_.async_wait([this](const boost::system::error_code& error) {
            if (!error) tick();
        });
    }

    // One step of the search for the talk rate at which the relay uses target_relay_cpu of its
    // core: each step measures the relay's CPU share for calibrate_step_s (after 0.5 s for the
    // new rate to settle) and scales the rate by target / measured. True when done.
    bool calibrate() {
        const auto now = steady::now();
        if (!step_measuring_) {
            if (now < step_begins_) return false;
            step_measuring_ = true;
            step_start_ = now;
            step_cpu_start_ = process_cpu_seconds(options_.relay_pid).value_or(0.0);
            step_deliveries_start_ = context_.tracker.deliveries_any();
            step_frames_start_ = frames_spoken_;
            return false;
        }
        const double elapsed = since(step_start_);
        if (elapsed < options_.calibrate_step_s) return false;
        const double share = (process_cpu_seconds(options_.relay_pid).value_or(0.0) - step_cpu_start_) / elapsed;
        const double deliveries_per_s = static_cast<double>(context_.tracker.deliveries_any() - step_deliveries_start_) / elapsed;
        // A relay that delivers less than it is offered is behind, whatever its CPU share says (on
        // a busy machine other work on its core caps the share it gets).
        const double offered = static_cast<double>(frames_spoken_ - step_frames_start_) * (context_.members - 1) / elapsed;
        const double kept_up = offered > 0 ? std::min(1.0, deliveries_per_s / offered) : 1.0;
        calibration_.push_back({{"talk_rate", talk_rate_}, {"relay_cpu_share", share}, {"deliveries_per_s", deliveries_per_s},
                                {"offered_deliveries_per_s", offered}});
        std::fprintf(stderr, "%s: calibration step %zu: talk rate %.3f -> relay CPU %.1f%%, %.0f of %.0f offered deliveries/s\n",
                     label().c_str(), calibration_.size(), talk_rate_, 100.0 * share, deliveries_per_s, offered);
        const double target = options_.target_relay_cpu;
        const bool behind = kept_up < 0.95;
        const bool close_enough = !behind && std::abs(share - target) <= options_.target_tolerance / 2.0;
        const bool at_full_rate_below = !behind && talk_rate_ >= 1.0 && share < target;
        if (close_enough || at_full_rate_below || calibration_.size() >= options_.calibrate_steps) return true;
        talk_rate_ = std::clamp(talk_rate_ * kept_up * target / std::max(share, 0.01), 0.001, 1.0);
        step_measuring_ = false;
        step_begins_ = now + std::chrono::milliseconds(500);
        return false;
    }

    void open_window() {
        context_.window_open = true;
        window_started_s_ = since(started_);
        window_start_ = steady::now();
        relay_cpu_start_ = process_cpu_seconds(options_.relay_pid).value_or(0.0);
        own_cpu_start_ = own_cpu_seconds();
        cores_start_ = core_times();
        frames_at_window_start_ = frames_spoken_;
    }

    void close_window() {
        context_.window_open = false;
        window_s_ = since(window_start_);
        relay_cpu_s_ = process_cpu_seconds(options_.relay_pid).value_or(0.0) - relay_cpu_start_;
        own_cpu_s_ = own_cpu_seconds() - own_cpu_start_;
        const auto cores_end = core_times();
        for (std::size_t c = 0; c < cores_end.size() && c < cores_start_.size(); ++c) {
            static constexpr const char* names[] = {"user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal"};
            nlohmann::json core;
            for (std::size_t f = 0; f < cores_end[c].size() && f < cores_start_[c].size() && f < 8; ++f) {
                core[names[f]] = cores_end[c][f] - cores_start_[c][f];
            }
            cores_.push_back(core);
        }
        frames_in_window_ = frames_spoken_ - frames_at_window_start_;
        rss_window_kb_ = process_rss_kb(options_.relay_pid).value_or(0);
    }

    void abort(std::string why) {
        std::fprintf(stderr, "%s: %s\n", label().c_str(), why.c_str());
        failure_ = std::move(why);
        for (auto& c : connections_) c->close();
        io_.stop();
    }

    std::string label() const { return options_.label.empty() ? options_.protocol : options_.label; }

    int finish() {
        const auto& t = context_.tracker;
        const auto members = context_.members;
        const double deliveries = static_cast<double>(t.deliveries());
        const double per_cpu = relay_cpu_s_ > 0 ? deliveries / relay_cpu_s_ : 0.0;
        const double connections = static_cast<double>(members);
        const std::uint64_t rss_loaded = std::max(rss_joined_kb_, rss_window_kb_);
        const double window_share = window_s_ > 0 ? relay_cpu_s_ / window_s_ : 0.0;
        nlohmann::json load = {{"talk_rate", talk_rate_}, {"window_relay_cpu_share", window_share}};
        if (options_.target_relay_cpu > 0.0) {
            const double loss = t.expected_deliveries() > 0 ? static_cast<double>(t.lost()) / static_cast<double>(t.expected_deliveries()) : 0.0;
            const bool kept_up = loss <= 0.01;
            const bool reached = failure_.empty() && kept_up && std::abs(window_share - options_.target_relay_cpu) <= options_.target_tolerance;
            std::string why;
            if (!failure_.empty()) why = "the run did not complete";
            else if (reached) why = "";
            else if (!kept_up)
                why = "the relay fell behind (" + std::to_string(static_cast<int>(100.0 * loss)) +
                      "% of the window's deliveries missing): saturated, or its core was busy with other work";
            else if (window_share < options_.target_relay_cpu && talk_rate_ >= 1.0)
                why = "the relay stayed below the target at the shape's full talk rate (the load is not raised above the shape)";
            else why = "calibration did not converge (the relay's share moved between calibration and window)";
            load["target_relay_cpu_share"] = options_.target_relay_cpu;
            load["tolerance"] = options_.target_tolerance;
            load["reached"] = reached;
            load["why_not"] = why;
            load["calibration"] = calibration_;
            if (!reached) {
                std::fprintf(stderr, "%s: TARGET LOAD NOT REACHED: relay CPU %.1f%% in the window, target %.0f%% +/- %.0f (%s)\n",
                             label().c_str(), 100.0 * window_share, 100.0 * options_.target_relay_cpu,
                             100.0 * options_.target_tolerance, why.c_str());
            }
        }
        nlohmann::json probe = {
            {"listeners", probe_indices_.size()},
            {"member_indices", probe_indices_},
            {"receipts", t.probe_receipts()},
            {"without_kernel_timestamp", t.probe_without_timestamp()},
            // The speaker's write to the kernel queueing the frame on the probe's socket: the relay
            // and loopback only.
            {"relay_latency_us",
             {{"p50", t.probe_relay().quantile(0.50)},
              {"p99", t.probe_relay().quantile(0.99)},
              {"max", t.probe_relay().max()},
              {"samples", t.probe_relay().count()}}},
            // The same to the generator's read of it, which adds the generator's own delay.
            {"read_latency_us",
             {{"p50", t.probe_read().quantile(0.50)}, {"p99", t.probe_read().quantile(0.99)}, {"max", t.probe_read().max()}}},
        };
        nlohmann::json out = {
            {"label", label()},
            {"protocol", options_.protocol},
            {"speakers", options_.speakers},
            {"listeners", options_.listeners},
            {"always_on", options_.always_on},
            {"completed", failure_.empty()},
            {"failure", failure_},
            {"join_s", join_s_},
            {"window_s", window_s_},
            {"frames_sent_in_window", frames_in_window_},
            {"deliveries", t.deliveries()},
            {"deliveries_per_s", window_s_ > 0 ? deliveries / window_s_ : 0.0},
            {"relay_cpu_s", relay_cpu_s_},
            {"relay_cpu_share", window_s_ > 0 ? relay_cpu_s_ / window_s_ : 0.0},
            {"deliveries_per_relay_cpu_s", per_cpu},
            {"relay_cpu_ns_per_delivery", deliveries > 0 ? relay_cpu_s_ * 1e9 / deliveries : 0.0},
            // From when the talk pattern said the frame was due, so a stalled generator shows up
            // as latency instead of hiding it (stoa's includes the speaker's Opus encode).
            {"latency_us",
             {{"p50", t.from_scheduled().quantile(0.50)},
              {"p99", t.from_scheduled().quantile(0.99)},
              {"max", t.from_scheduled().max()},
              {"samples", t.from_scheduled().count()}}},
            // From when the frame was handed to the speaker's socket.
            {"latency_from_write_us",
             {{"p50", t.from_written().quantile(0.50)},
              {"p99", t.from_written().quantile(0.99)},
              {"max", t.from_written().max()}}},
            {"probe", probe},
            {"load", load},
            {"expected_deliveries", t.expected_deliveries()},
            {"lost", t.lost()},
            {"loss_ratio", t.expected_deliveries() > 0 ? static_cast<double>(t.lost()) / static_cast<double>(t.expected_deliveries()) : 0.0},
            {"unmatched_receipts", t.unmatched()},
            {"media_bytes_per_frame", frames_spoken_ > 0 ? static_cast<double>(context_.media_bytes_sent) / static_cast<double>(frames_spoken_) : 0.0},
            {"relay_rss_idle_kb", rss_idle_kb_},
            {"relay_rss_joined_kb", rss_joined_kb_},
            {"relay_rss_window_end_kb", rss_window_kb_},
            {"relay_rss_end_kb", rss_end_kb_},
            // Connected and in the room, before any media; then at the end of the window, which
            // includes whatever backlog the relay holds.
            {"relay_rss_per_connection_bytes",
             rss_joined_kb_ > rss_idle_kb_ ? static_cast<double>(rss_joined_kb_ - rss_idle_kb_) * 1024.0 / connections : 0.0},
            {"relay_rss_per_connection_loaded_bytes",
             rss_loaded > rss_idle_kb_ ? static_cast<double>(rss_loaded - rss_idle_kb_) * 1024.0 / connections : 0.0},
            {"generator_cpu_s", own_cpu_s_},
            {"generator_cpu_share", window_s_ > 0 ? own_cpu_s_ / window_s_ : 0.0},
            {"core_seconds_in_window", cores_},
            {"connections_closed", context_.closed_connections},
            {"errors", context_.errors},
            {"details", protocol_->report()},
        };
        const std::string text = out.dump(2);
        std::printf("%s\n", text.c_str());
        if (!options_.output.empty()) std::ofstream(options_.output) << text << "\n";
        return failure_.empty() ? 0 : 1;
    }

    struct speaker {
        speaker(boost::asio::io_context& io, talk_pattern p) : timer(io), pattern(std::move(p)) {}
        boost::asio::steady_timer timer;
        talk_pattern pattern;
        steady::time_point next{};
        std::uint32_t seq = 0;
        double credit = 0.0;  // talk-rate thinning
    };

    options options_;
    boost::asio::io_context io_{1};
    bench_context context_;
    std::unique_ptr<bench_protocol> protocol_;
    boost::asio::ip::tcp::endpoint endpoint_;
    boost::asio::steady_timer clock_;
    boost::asio::steady_timer ticker_;
    std::vector<std::shared_ptr<bench_connection>> connections_;
    std::vector<std::unique_ptr<speaker>> speakers_;
    phase phase_ = phase::opening;
    steady::time_point started_{};
    steady::time_point phase_started_{};
    steady::time_point talk_started_{};
    steady::time_point tick_at_{};
    steady::time_point window_start_{};
    steady::time_point drain_started_{};
    double talk_rate_ = 1.0;
    std::vector<std::uint32_t> probe_indices_;
    bool step_measuring_ = false;
    steady::time_point step_begins_{};
    steady::time_point step_start_{};
    double step_cpu_start_ = 0;
    std::uint64_t step_deliveries_start_ = 0;
    std::uint64_t step_frames_start_ = 0;
    nlohmann::json calibration_ = nlohmann::json::array();
    double join_s_ = 0;
    double window_started_s_ = 0;
    double window_s_ = 0;
    double relay_cpu_start_ = 0;
    double relay_cpu_s_ = 0;
    double own_cpu_start_ = 0;
    double own_cpu_s_ = 0;
    std::vector<std::vector<double>> cores_start_;
    nlohmann::json cores_ = nlohmann::json::array();
    std::uint64_t frames_spoken_ = 0;
    std::uint64_t frames_at_window_start_ = 0;
    std::uint64_t frames_in_window_ = 0;
    std::uint64_t rss_idle_kb_ = 0;
    std::uint64_t rss_joined_kb_ = 0;
    std::uint64_t rss_window_kb_ = 0;
    std::uint64_t rss_end_kb_ = 0;
    std::string failure_;
};

}  // namespace

int main(int argc, char** argv) {
    try {
        bench_runner runner(parse(argc, argv));
        return runner.run();
    } catch (const std::exception& error) {
        std::fprintf(stderr, "stoa_relay_bench: %s\n", error.what());
        return 1;
    }
}
