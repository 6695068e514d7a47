#include "stoa/loadgen/driver/load_runner.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <memory>
#include <thread>
#include <utility>  // before Boost 1.74's asio, whose awaitable.hpp uses std::exchange unincluded
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "run_parts.hpp"
#include "stoa/loadgen/driver/address_plan.hpp"
#include "stoa/loadgen/driver/room_registry.hpp"
#include "stoa/loadgen/driver/socketio_adapter.hpp"
#include "stoa/loadgen/metrics/metric_set.hpp"
#include "stoa/loadgen/report/run_metrics.hpp"
#include "stoa/loadgen/report/run_verdict.hpp"
#include "stoa/loadgen/scenario/deterministic_random.hpp"
#include "stoa/loadgen/scenario/member_layout.hpp"
#include "worker.hpp"

namespace stoa::loadgen {
namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using detail::clock_now;
using detail::to_steady;

std::string utc_now_iso() {
    const std::time_t t = std::time(nullptr);
    std::tm parts{};
    gmtime_r(&t, &parts);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &parts);
    return text;
}

// The probe draw of (seed, member), the same on every shard.
double probe_unit(std::uint64_t seed, std::uint32_t member) noexcept {
    return unit_from_bits(mix64(seed * 0xD1B54A32D192ED03ULL + member + 0x70726F6265ULL));
}

}  // namespace

std::vector<bool> choose_probes(const scenario& plan, std::uint32_t min_per_room) {
    const member_layout layout(plan);
    std::vector<bool> probes(layout.member_count(), false);
    std::vector<std::uint32_t> per_room(layout.room_count(), 0);
    const double share = plan.members.probe.fraction;
    for (std::uint32_t i = layout.speaker_count(); i < layout.member_count(); ++i) {
        const member_index m(i);
        std::uint32_t& in_room = per_room[layout.room_of(m).value];
        if (in_room < min_per_room || layout.decodes(m) || probe_unit(plan.seed, i) < share) {
            probes[i] = true;
            ++in_room;
        }
    }
    return probes;
}

result<std::uint64_t, std::string> raise_fd_limit(std::uint64_t needed) {
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return fail(std::string("getrlimit(RLIMIT_NOFILE) failed"));
    // As high as this process may go: a storm that outgrows its estimate still has room.
    if (limit.rlim_cur != limit.rlim_max) {
        rlimit raised = limit;
        raised.rlim_cur = limit.rlim_max;
        if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
    }
    if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < needed) {
        return fail("needs " + std::to_string(needed) + " file descriptors (one per member and a margin) but the " +
                    (limit.rlim_cur == limit.rlim_max ? std::string("hard limit") : std::string("limit")) + " is " +
                    std::to_string(limit.rlim_cur) +
                    "; raise it (ulimit -Hn, or LimitNOFILE / limits.conf) or use --shard across processes");
    }
    return static_cast<std::uint64_t>(limit.rlim_cur);
}

result<load_report, std::string> run_load(const load_options& options, protocol_adapter& adapter,
                                          const speech_sample& speech, const run_settings& settings) {
    const scenario& plan = options.plan;
    if (speech.packets.empty()) return fail(std::string("no speech sample"));
    if (options.part.count > 1 && plan.rooms.access == room_access::closed) {
        return fail(std::string("closed rooms cannot be sharded: members on other hosts could not learn the invite "
                                "(the directory lists open rooms only); run closed rooms from one host"));
    }

    // The relays' addresses.
    net::io_context resolver_context;
    tcp::resolver resolver(resolver_context);
    std::vector<server_url> urls{plan.server.url};
    urls.insert(urls.end(), plan.server.more_urls.begin(), plan.server.more_urls.end());
    std::vector<tcp::endpoint> servers;
    std::vector<std::string> host_headers;
    for (const auto& url : urls) {
        boost::system::error_code ec;
        const auto resolved = resolver.resolve(url.host, std::to_string(url.port), ec);
        if (ec || resolved.empty()) return fail("cannot resolve " + url.host + ": " + (ec ? ec.message() : "no address"));
        servers.push_back(resolved.begin()->endpoint());
        host_headers.push_back(url.host + ":" + std::to_string(url.port));
    }
    const tcp::endpoint server = servers.front();

    const member_layout layout(plan);
    const std::uint32_t members = options.part.members_of(layout.member_count());
    // Every member holds one socket; a margin for the runtime's own descriptors.
    auto limit = raise_fd_limit(static_cast<std::uint64_t>(members) + 256);
    if (!limit.ok()) return fail(std::move(limit).error());

    auto sources = plan_source_addresses(server.address(), members, usable_ports_on_this_host());
    if (!sources.ok()) return fail(std::move(sources).error());

    std::vector<std::string_view> error_names = adapter.error_names();
    auto catalog = run_metrics::make_catalog(error_names);
    if (!catalog.ok()) return fail("metrics catalog: " + catalog.error().detail);

    room_registry rooms(layout.room_count());
    detail::shared_run run;
    run.plan = &plan;
    run.part = options.part;
    run.workers = std::max<std::uint32_t>(1, settings.threads);
    run.adapter = &adapter;
    run.speech = &speech;
    run.rooms = &rooms;
    run.servers = std::move(servers);
    run.host_headers = std::move(host_headers);
    run.path = plan.server.url.path;
    // Socket.IO's endpoint when the URL names none (the default /ws is Stoa's).
    if (!plan.server.url.path_given && adapter.name() == "socketio") run.path = std::string(socketio_path);
    run.sources = std::move(sources).value();
    if (plan.server.url.scheme == url_scheme::wss) {
        tls_options tls;
        tls.verify = plan.server.tls_verify;
        tls.ca_file = plan.server.tls_ca;
        auto context = tls_client_context::make(tls);
        if (!context.ok()) return fail("TLS: " + context.error());
        run.tls = std::move(context).value();
        run.server_name = plan.server.url.host;
    }
    run.probes = choose_probes(plan, min_probes_per_room);
    run.bulk_every_ticks = static_cast<std::uint32_t>(
        std::max<std::int64_t>(1, std::chrono::duration_cast<std::chrono::milliseconds>(options.bulk_read_interval).count() / 20));
    run.stall_per_tick = options.stall_per_tick;
    run.catalog = &catalog.value();
    run.ids = detail::metric_ids::from(catalog.value());
    // A moment to build members and start threads before the plan's time zero.
    run.start = clock_now() + std::chrono::milliseconds(500);
    run.end = run.start + plan.length;

    const std::string started = utc_now_iso();
    std::vector<std::unique_ptr<detail::worker>> workers;
    for (std::uint32_t w = 0; w < run.workers; ++w) {
        workers.push_back(std::make_unique<detail::worker>(run, w));
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
            const std::uint64_t lag = w->live_lag_p99_us.load(std::memory_order_relaxed);
            const std::uint64_t busy = w->live_busy_permille.load(std::memory_order_relaxed);
            progress.loop_lag_p99_ms = std::max(progress.loop_lag_p99_ms, static_cast<double>(lag) / 1e3);
            progress.busiest_worker = std::max(progress.busiest_worker, static_cast<double>(busy) / 1e3);
        }
        progress.generator_behind = progress.loop_lag_p99_ms / 1e3 > saturation_lag_p99_seconds ||
                                    progress.busiest_worker > saturation_busy_share;
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
    const adapter_counters shared = adapter.process_counters();
    sets.front().add(run.ids.signatures_verified, shared.signatures_verified);
    sets.front().add(run.ids.signatures_shared, shared.signatures_shared);
    workers.clear();

    auto merged = metrics::metric_set::merge_all(sets);
    if (!merged.ok()) return fail("merging the workers' metrics: " + merged.error().detail);

    run_info info;
    info.scenario_name = plan.name;
    info.server = to_string(plan.server.url);
    for (const auto& more : plan.server.more_urls) info.server += ", " + to_string(more);
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
