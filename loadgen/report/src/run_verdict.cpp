#include "stoa/loadgen/report/run_verdict.hpp"

#include <cstdio>

#include "stoa/loadgen/report/run_metrics.hpp"

namespace stoa::loadgen {
namespace {

std::uint64_t counter_or_zero(const metrics::metric_set& set, std::string_view name) {
    const auto id = set.catalog().find_counter(name);
    return id ? set.counter(*id) : 0;
}

}  // namespace

const char* to_string(run_verdict verdict) noexcept {
    switch (verdict) {
        case run_verdict::measured: return "measured";
        case run_verdict::failed: return "failed";
        case run_verdict::generator_saturated: return "generator saturated";
    }
    return "unknown";
}

run_judgement judge_run(const load_report& report) {
    namespace names = run_metrics;
    const metrics::metric_set& set = report.metrics;
    run_judgement out;
    const std::uint64_t planned = report.run.members_planned;
    const std::uint64_t joins = counter_or_zero(set, names::joins);
    const std::uint64_t never = counter_or_zero(set, names::members_never_joined);
    const std::uint64_t never_back = counter_or_zero(set, names::members_never_back);
    const std::uint64_t refused = counter_or_zero(set, names::connect_refused);
    const std::uint64_t received = counter_or_zero(set, names::frames_received) + counter_or_zero(set, names::frames_opaque);
    const std::uint64_t expected = counter_or_zero(set, names::frames_expected);
    const std::uint64_t sent = counter_or_zero(set, names::frames_sent);
    const std::uint64_t listeners = counter_or_zero(set, names::members_probe) + counter_or_zero(set, names::members_bulk);

    if (planned > 0 && joins == 0) {
        std::string reason = "nobody joined: " + std::to_string(planned) + " members were planned";
        if (refused > 0) reason += ", " + std::to_string(refused) + " upgrades were refused (see errors.http_*)";
        out.reasons.push_back(std::move(reason));
    } else if (never > 0) {
        out.reasons.push_back(std::to_string(never) + " members planned to join never did (see errors and connect_failures)");
    }
    if (never_back > 0) {
        out.reasons.push_back(std::to_string(never_back) +
                              " members lost their connection and never got back into their room (see rejoins, "
                              "reconnects and errors)");
    }
    if (joins > 0 && listeners > 0 && (sent > 0 || expected > 0) && received == 0) {
        out.reasons.push_back("nothing was heard: speakers sent but no listener received a frame");
    }
    if (!out.reasons.empty()) {
        out.verdict = run_verdict::failed;
        return out;
    }

    const std::uint64_t saturated = counter_or_zero(set, names::generator_saturated_workers);
    if (saturated > 0) {
        out.verdict = run_verdict::generator_saturated;
        char text[256];
        const auto lag = set.catalog().find_histogram(names::generator_loop_lag);
        const auto p99 = lag ? set.histogram(*lag).percentile(99) : std::nullopt;
        std::snprintf(text, sizeof text,
                      "generator saturated: latency figures describe the generator (%llu of %llu workers; loop lag "
                      "p99 %.0f ms; over 90%% busy in %llu of %llu worker-seconds)",
                      static_cast<unsigned long long>(saturated),
                      static_cast<unsigned long long>(counter_or_zero(set, names::generator_workers)),
                      p99 ? static_cast<double>(*p99) / 1e3 : 0.0,
                      static_cast<unsigned long long>(counter_or_zero(set, names::generator_busy_seconds)),
                      static_cast<unsigned long long>(counter_or_zero(set, names::generator_worker_seconds)));
        out.reasons.emplace_back(text);
    }
    return out;
}

}  // namespace stoa::loadgen
