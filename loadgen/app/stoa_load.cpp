// stoa-load: simulates thousands of real Stoa members against a relay and reports what they
// would have heard. `stoa-load [flags]` runs a scenario (see --help and docs/loadgen.md);
// `stoa-load merge OUT.json IN.json...` combines the reports of the shards of one run.
// Exit codes: 0 the run measured the server and every threshold held, 1 a threshold failed,
// 2 bad arguments or setup, 3 the run failed (planned members never joined, nothing was heard),
// 4 the generator was saturated (its latency figures describe itself). docs/loadgen.md lists them.
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "stoa/loadgen/driver/load_runner.hpp"
#include "stoa/loadgen/driver/speech_sample.hpp"
#include "stoa/loadgen/driver/adapter_registry.hpp"
#include "stoa/loadgen/driver/stoa_adapter.hpp"
#include "stoa/loadgen/report/load_report.hpp"
#include "stoa/loadgen/report/run_verdict.hpp"
#include "stoa/loadgen/scenario/command_line.hpp"
#include "stoa/loadgen/scenario/scenario_error.hpp"
#include "stoa/loadgen/scenario/threshold.hpp"

namespace {

using namespace stoa::loadgen;

constexpr int exit_pass = 0;
constexpr int exit_threshold_failed = 1;
constexpr int exit_usage = 2;
constexpr int exit_run_failed = 3;
constexpr int exit_generator_saturated = 4;

std::atomic<bool> stop_requested{false};

extern "C" void on_signal(int) { stop_requested.store(true); }

bool write_file(const std::string& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    out.close();
    if (!out) {
        std::cerr << "stoa-load: cannot write " << path << "\n";
        return false;
    }
    return true;
}

std::optional<std::string> read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

std::string format_ms(const std::optional<double>& ms) {
    if (!ms) return "-";
    char text[32];
    std::snprintf(text, sizeof text, *ms < 10 ? "%.1f ms" : "%.0f ms", *ms);
    return text;
}

// "members 4,980/5,000 | 249,100 frames/s | latency p50 12 ms p99 35 ms | errors 0 | gen 41% lag 1 ms | 31/60 s"
std::string progress_text(const live_progress& p) {
    char text[320];
    std::snprintf(text, sizeof text,
                  "members %llu/%llu | %.0f frames/s | latency p50 %s p99 %s | errors %llu | gen %.0f%% lag %s | %.0f/%.0f s%s",
                  static_cast<unsigned long long>(p.connected), static_cast<unsigned long long>(p.target),
                  p.frames_per_second, format_ms(p.latency_p50_ms).c_str(), format_ms(p.latency_p99_ms).c_str(),
                  static_cast<unsigned long long>(p.errors), p.busiest_worker * 100,
                  format_ms(p.loop_lag_p99_ms).c_str(), p.elapsed_seconds, p.length_seconds,
                  p.generator_behind ? " | GENERATOR SATURATED: latency describes the generator" : "");
    return text;
}

// Thresholds and the figures they name, on stderr; true when all hold.
bool print_thresholds(const std::vector<threshold_result>& results) {
    bool all = true;
    for (const auto& r : results) {
        all = all && r.passed;
        std::cerr << (r.passed ? "  pass  " : "  FAIL  ") << r.text;
        if (r.measured) std::cerr << "  (measured " << *r.measured << ")";
        if (!r.problem.empty()) std::cerr << "  (" << r.problem << ")";
        std::cerr << "\n";
    }
    return all;
}

void print_summary(const std::vector<summary_value>& summary) {
    const auto show = [&](std::string_view path, double scale, const char* unit) {
        if (const auto* v = find_value(summary, path)) std::cerr << "  " << path << " " << v->value * scale << unit << "\n";
    };
    show("joins", 1, "");
    show("join.p50", 1e3, " ms");
    show("join.p99", 1e3, " ms");
    show("first_audio.p99", 1e3, " ms");
    show("members.probe", 1, "");
    show("members.bulk", 1, "");
    show("frame_latency.p50", 1e3, " ms");
    show("frame_latency.p99", 1e3, " ms");
    show("frames.received", 1, "");
    show("frames.loss", 100, " %");
    show("decrypt.failures", 1, "");
    show("playout.gap_max", 1e3, " ms");
    show("rekey.p99", 1e3, " ms");
    show("errors.count", 1, "");
    show("tls.handshakes", 1, "");
    show("tls.resumed", 1, "");
    show("tls.handshake.p99", 1e3, " ms");
    show("tls.handshake_share_of_join", 100, " % of join time");
    // Lost connections (a reconnect storm, a relay restart): who came back, how, and how fast.
    if (const auto* lost = find_value(summary, "disconnects"); lost != nullptr && lost->value > 0) {
        show("disconnects", 1, "");
        show("reconnects", 1, "");
        show("rejoins", 1, "");
        show("rooms.recreated", 1, "");
        show("joins.retried", 1, "");
        show("members.never_back", 1, "");
        show("members.back_pending", 1, "");
        show("members.audio_not_resumed", 1, "");
        show("reconnect.p50", 1e3, " ms");
        show("reconnect.p99", 1e3, " ms");
        show("audio_resumed.count", 1, "");
        show("audio_resumed.p50", 1e3, " ms");
        show("audio_resumed.p99", 1e3, " ms");
        show("audio_resumed.max", 1e3, " ms");
    }
    show("generator.cpu_seconds", 1, " s");
    show("generator.rss_per_member", 1.0 / 1024, " KiB");
    show("generator.loop_lag.p99", 1e3, " ms");
    show("generator.busy_share", 100, " %");
    show("auth.signatures_verified", 1, "");
    show("auth.signatures_shared", 1, "");
    std::cerr << "  (frame_latency, first_audio and playout gaps come from the probe listeners; frames and loss from all)\n";
}

// Writes the requested reports, prints the verdict; returns the exit code.
int conclude(const load_report& report, const std::string& json_path, const std::string& html_path) {
    const auto summary = summarize(report);
    const auto results = check_thresholds(report, summary);
    if (!json_path.empty() && !write_file(json_path, to_json_text(report))) return exit_usage;
    if (!html_path.empty() && !write_file(html_path, render_html(report, summary, results))) return exit_usage;
    std::cerr << "stoa-load: " << report.run.scenario_name << ", " << report.run.members_planned << " members, "
              << report.run.duration_seconds << " s\n";
    print_summary(summary);
    bool thresholds_held = true;
    if (!results.empty()) {
        std::cerr << "thresholds:\n";
        thresholds_held = print_thresholds(results);
    }
    // Whatever the thresholds say, a run that did not measure the server must not read as clean.
    const run_judgement judged = judge_run(report);
    for (const std::string& reason : judged.reasons) {
        std::cerr << "stoa-load: " << (judged.verdict == run_verdict::failed ? "RUN FAILED: " : "") << reason << "\n";
    }
    if (judged.verdict == run_verdict::failed) return exit_run_failed;
    if (judged.verdict == run_verdict::generator_saturated) return exit_generator_saturated;
    return thresholds_held ? exit_pass : exit_threshold_failed;
}

int merge_main(int argc, char** argv) {
    // stoa-load merge OUT.json IN.json... [--html OUT.html] [--assert THRESHOLD]...
    std::string out_path;
    std::string html_path;
    std::vector<std::string> inputs;
    std::vector<threshold> extra;
    for (int i = 2; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (arg == "--html" && i + 1 < argc) {
            html_path = argv[++i];
        } else if (arg == "--assert" && i + 1 < argc) {
            auto parsed = parse_threshold(argv[++i]);
            if (!parsed.ok()) {
                std::cerr << "stoa-load merge: --assert " << argv[i] << ": " << parsed.error().message << "\n";
                return exit_usage;
            }
            extra.push_back(std::move(parsed).value());
        } else if (arg.starts_with("--")) {
            std::cerr << "stoa-load merge: unknown flag " << arg << "\n";
            return exit_usage;
        } else if (out_path.empty()) {
            out_path = arg;
        } else {
            inputs.emplace_back(arg);
        }
    }
    if (out_path.empty() || inputs.empty()) {
        std::cerr << "usage: stoa-load merge OUT.json IN.json... [--html OUT.html] [--assert THRESHOLD]...\n";
        return exit_usage;
    }
    std::vector<load_report> reports;
    for (const auto& path : inputs) {
        const auto text = read_file(path);
        if (!text) {
            std::cerr << "stoa-load merge: cannot read " << path << "\n";
            return exit_usage;
        }
        auto parsed = report_from_json_text(*text);
        if (!parsed.ok()) {
            std::cerr << "stoa-load merge: " << path << ": " << to_string(parsed.error().code) << ": "
                      << parsed.error().detail << "\n";
            return exit_usage;
        }
        reports.push_back(std::move(parsed).value());
    }
    auto merged = merge_reports(reports);
    if (!merged.ok()) {
        std::cerr << "stoa-load merge: " << to_string(merged.error().code) << ": " << merged.error().detail << "\n";
        return exit_usage;
    }
    // Thresholds given here join those the shards ran with.
    load_report& report = merged.value();
    report.run.thresholds.insert(report.run.thresholds.end(), extra.begin(), extra.end());
    return conclude(report, out_path, html_path);
}

}  // namespace

int main(int argc, char** argv) {
    if (argc >= 2 && std::string_view(argv[1]) == "merge") return merge_main(argc, argv);

    std::vector<std::string_view> args(argv + 1, argv + argc);
    auto parsed = parse_command_line(args);
    if (!parsed.ok()) {
        std::cerr << "stoa-load: " << parsed.error().to_string() << "\n(stoa-load --help lists the flags)\n";
        return exit_usage;
    }
    load_options& options = parsed.value();
    if (options.plan.name.empty()) options.plan.name = "stoa-load";
    if (options.help) {
        std::cout << usage_text()
                  << "\nstoa-load merge OUT.json IN.json... [--html OUT.html] [--assert T]...  combine the reports of --shard runs\n"
                     "exit status: 0 the run measured the server and all thresholds held, 1 a threshold failed,\n"
                     "  2 bad arguments or setup, 3 the run failed (planned members never joined, nothing heard),\n"
                     "  4 the generator was saturated (its latency figures describe itself)\n";
        return exit_pass;
    }

    std::vector<std::int16_t> pcm;
    std::string pcm_path = options.pcm_path;
#ifdef STOA_DEFAULT_SPEECH_PCM
    if (pcm_path.empty() && read_file(STOA_DEFAULT_SPEECH_PCM)) pcm_path = STOA_DEFAULT_SPEECH_PCM;
#endif
    if (!pcm_path.empty()) {
        auto read = read_pcm_file(pcm_path);
        if (!read.ok()) {
            std::cerr << "stoa-load: " << read.error() << "\n";
            return exit_usage;
        }
        pcm = std::move(read).value();
    } else {
        pcm = synthesize_voice(10.0);
    }
    auto speech = encode_speech(std::move(pcm));
    if (!speech.ok()) {
        std::cerr << "stoa-load: " << speech.error() << "\n";
        return exit_usage;
    }

    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);
    std::signal(SIGPIPE, SIG_IGN);

    progress_mode mode = options.progress;
    if (mode == progress_mode::automatic) mode = ::isatty(STDERR_FILENO) ? progress_mode::line : progress_mode::log;
    run_settings settings;
    settings.threads = options.threads != 0 ? options.threads : std::max(1U, std::thread::hardware_concurrency());
    settings.stop = &stop_requested;
    std::uint64_t ticks = 0;
    if (mode == progress_mode::line) {
        settings.on_progress = [](const live_progress& p) { std::cerr << "\r\x1b[K" << progress_text(p) << std::flush; };
    } else if (mode == progress_mode::log) {
        settings.on_progress = [&ticks](const live_progress& p) {
            if (++ticks % 10 == 0) std::cerr << progress_text(p) << "\n";
        };
    }

    auto made = make_protocol_adapter(options.plan.server.protocol, {options.plan.server.origin});
    if (!made.ok()) {
        std::cerr << "stoa-load: " << made.error() << "\n";
        return exit_usage;
    }
    auto adapter = std::move(made).value();
    std::cerr << "stoa-load: " << options.plan.member_count() << " members (" << options.plan.speaker_count()
              << " speakers) against " << to_string(options.plan.server.url) << " (" << adapter->name() << ") for "
              << std::chrono::duration<double>(options.plan.length).count() << " s on " << settings.threads
              << " threads; shard " << options.part.index << "/" << options.part.count << "\n";
    auto report = run_load(options, *adapter, speech.value(), settings);
    if (mode == progress_mode::line) std::cerr << "\n";
    if (!report.ok()) {
        std::cerr << "stoa-load: " << report.error() << "\n";
        return exit_usage;
    }
    return conclude(report.value(), options.report_path, options.html_path);
}
