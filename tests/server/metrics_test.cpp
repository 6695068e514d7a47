// /metrics text: every line is a HELP, a TYPE or a well-formed sample; histograms are cumulative;
// rejections are labelled with their wire code and name.
#include <catch2/catch.hpp>

#include <regex>
#include <sstream>

#include "stoa/server/metrics.hpp"

using namespace std::chrono_literals;

TEST_CASE("metrics render in the Prometheus text format", "[server][metrics]") {
    stoa::server::engine_view view;
    view.connections = 3;
    view.rooms = 1;
    view.roles.hosts = 1;
    view.roles.listeners = 2;
    view.stats.media_frames_in = 10;
    view.stats.media_deliveries = 20;
    view.stats.speaker_signatures_dropped_not_on_stage = 6;
    view.stats.key_requests_forwarded = 2;
    view.stats.errors_sent[503] = 4;
    view.stats.errors_sent[208] = 1;
    view.deepest_queue = 7;
    stoa::server::server_metrics server;
    server.join_latency.observe(300us);
    server.join_latency.observe(3ms);
    server.join_latency.observe(2s);
    const std::string text = stoa::server::render_metrics(view, server, stoa::server::read_process_usage());

    const std::regex help(R"(# HELP [a-zA-Z_:][a-zA-Z0-9_:]* .+)");
    const std::regex type(R"(# TYPE [a-zA-Z_:][a-zA-Z0-9_:]* (counter|gauge|histogram))");
    const std::regex sample(R"([a-zA-Z_:][a-zA-Z0-9_:]*(\{[a-zA-Z_][a-zA-Z0-9_]*="[^"\\\n]*"(,[a-zA-Z_][a-zA-Z0-9_]*="[^"\\\n]*")*\})? (-?[0-9.e+]+|\+Inf|NaN))");
    std::istringstream lines(text);
    std::string line;
    std::size_t samples = 0;
    while (std::getline(lines, line)) {
        INFO(line);
        const bool ok = std::regex_match(line, help) || std::regex_match(line, type) || std::regex_match(line, sample);
        CHECK(ok);
        samples += line.starts_with('#') ? 0 : 1;
    }
    CHECK(samples > 40);
    CHECK(text.find("stoa_connections 3\n") != std::string::npos);
    CHECK(text.find("stoa_members{role=\"listener\"} 2\n") != std::string::npos);
    CHECK(text.find("stoa_rejected_total{code=\"503\",reason=\"rate_limited\"} 4\n") != std::string::npos);
    CHECK(text.find("stoa_rejected_total{code=\"208\",reason=\"invite_required\"} 1\n") != std::string::npos);
    CHECK(text.find("stoa_send_queue_max_depth 7\n") != std::string::npos);
    CHECK(text.find("stoa_speaker_signatures_dropped_total{reason=\"not_on_stage\"} 6\n") != std::string::npos);
    CHECK(text.find("stoa_key_requests_forwarded_total 2\n") != std::string::npos);
    // Cumulative buckets: 300 us falls in le=0.0005, 3 ms in le=0.005, 2 s only in +Inf.
    CHECK(text.find("stoa_join_latency_seconds_bucket{le=\"0.00025\"} 0\n") != std::string::npos);
    CHECK(text.find("stoa_join_latency_seconds_bucket{le=\"0.0005\"} 1\n") != std::string::npos);
    CHECK(text.find("stoa_join_latency_seconds_bucket{le=\"0.005\"} 2\n") != std::string::npos);
    CHECK(text.find("stoa_join_latency_seconds_bucket{le=\"1\"} 2\n") != std::string::npos);
    CHECK(text.find("stoa_join_latency_seconds_bucket{le=\"+Inf\"} 3\n") != std::string::npos);
    CHECK(text.find("stoa_join_latency_seconds_count 3\n") != std::string::npos);
}

TEST_CASE("the process's own CPU time and resident memory are read", "[server][metrics]") {
    const auto usage = stoa::server::read_process_usage();
    CHECK(usage.resident_bytes > 1024 * 1024);  // a running test binary holds more than a megabyte
    CHECK(usage.cpu_seconds > 0.0);
}
