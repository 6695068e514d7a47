// stoa-load's flags. Each scenario flag sets one key of the same document tree a file is read
// into (after the file, so flags win), and the one reader checks the result: a flag and the key
// it stands for accept exactly the same values, and errors name the flag.
#include "stoa/loadgen/scenario/command_line.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <iterator>
#include <sstream>
#include <vector>

#include "document.hpp"
#include "stoa/loadgen/scenario/quantity.hpp"
#include "stoa/loadgen/scenario/scenario_file.hpp"

namespace stoa::loadgen {

namespace {

using detail::document_member;
using detail::document_node;
using type = document_node::type;

struct value_flag {
    std::string_view name;
    std::string_view section;  // "" for a top-level key
    std::string_view key;
    bool typed;  // infer a number or boolean from the text (so "60" is read as the number it looks like)
};

constexpr value_flag value_flags[] = {
    {"--server", "server", "url", false},
    {"--origin", "server", "origin", false},
    {"--rooms", "rooms", "count", true},
    {"--zipf", "rooms", "zipf_exponent", true},
    {"--speakers", "members", "speakers", true},
    {"--listeners", "members", "listeners", true},
    {"--decrypt", "members", "decrypt", true},
    {"--decode", "members", "decode", true},
    {"--live-encode", "members", "live_encode", true},
    {"--probe-share", "members", "probe", true},
    {"--protocol", "server", "protocol", false},
    {"--tls-verify", "server", "tls_verify", true},
    {"--tls-ca", "server", "tls_ca", false},
    {"--talk", "talk", "pattern", false},
    {"--talkspurt", "talk", "talkspurt", true},
    {"--pause", "talk", "pause", true},
    {"--reconnect-min", "reconnect", "min", true},
    {"--reconnect-max", "reconnect", "max", true},
    {"--reconnect-multiplier", "reconnect", "multiplier", true},
    {"--reconnect-jitter", "reconnect", "jitter", true},
    {"--duration", "", "duration", true},
    {"--ramp", "", "ramp", true},
    {"--seed", "", "seed", true},
    {"--name", "", "name", false},
};

constexpr std::string_view other_value_flags[] = {"--scenario", "--phase",   "--assert",  "--shard",
                                                   "--report",   "--html",    "--threads", "--pcm",
                                                   "--progress", "--bulk-read-interval", "--stall-per-tick"};

failure<scenario_error> flag_error(scenario_error_kind kind, std::string flag, std::string message) {
    return fail(scenario_error{kind, "", {}, std::move(flag), std::move(message)});
}

// A flag's text as the value it looks like: true/false, a whole number, a decimal number, or text.
document_node typed_value(std::string_view text, std::string flag) {
    document_node node;
    node.flag = std::move(flag);
    node.kind = type::string;
    node.text = std::string(text);
    if (text == "true" || text == "false") {
        node.kind = type::boolean;
        node.boolean = text == "true";
        return node;
    }
    if (text.empty()) return node;
    const char* begin = text.data();
    const char* end = text.data() + text.size();
    std::int64_t integer = 0;
    if (const auto [stop, error] = std::from_chars(begin, end, integer); error == std::errc{} && stop == end) {
        node.kind = type::integer;
        node.integer = integer;
        return node;
    }
    const char first = text.front();
    double number = 0.0;
    if ((first >= '0' && first <= '9') || first == '.' || first == '-') {
        if (const auto [stop, error] = std::from_chars(begin, end, number);
            error == std::errc{} && stop == end && std::isfinite(number)) {
            node.kind = type::floating;
            node.floating = number;
        }
    }
    return node;
}

document_node string_value(std::string_view text, std::string flag) {
    document_node node;
    node.kind = type::string;
    node.text = std::string(text);
    node.flag = std::move(flag);
    return node;
}

// The table `key` of `parent`, made when absent; nullptr when `key` holds something else (the
// reader then reports the file's value).
document_node* child_table(document_node& parent, std::string_view key) {
    if (document_node* existing = parent.find(key)) return existing->kind == type::table ? existing : nullptr;
    document_node table;
    table.kind = type::table;
    parent.members.push_back(document_member{std::string(key), {}, std::move(table)});
    return &parent.members.back().value;
}

void set_member(document_node& table, std::string_view key, document_node value) {
    if (document_node* existing = table.find(key)) {
        *existing = std::move(value);
        return;
    }
    table.members.push_back(document_member{std::string(key), {}, std::move(value)});
}

// "join_storm:members=1000,within=10s" into a phase table.
result<document_node, scenario_error> phase_from_flag(std::string_view spec, std::size_t number) {
    const std::string label = "--phase " + std::to_string(number);
    const auto bad = [&] {
        return flag_error(
            scenario_error_kind::syntax, label,
            "expected KIND or KIND:key=value,key=value (like join_storm:members=1000,within=10s), got \"" +
                std::string(spec) + "\"");
    };
    document_node table;
    table.kind = type::table;
    table.flag = label;
    const std::size_t colon = spec.find(':');
    const std::string_view kind = spec.substr(0, colon);
    if (kind.empty()) return bad();
    table.members.push_back(document_member{"kind", {}, string_value(kind, label + ": kind")});
    if (colon == std::string_view::npos) return table;
    std::string_view rest = spec.substr(colon + 1);
    while (true) {
        const std::size_t comma = rest.find(',');
        const std::string_view pair = rest.substr(0, comma);
        const std::size_t equals = pair.find('=');
        if (equals == std::string_view::npos || equals == 0) return bad();
        const std::string_view key = pair.substr(0, equals);
        table.members.push_back(document_member{
            std::string(key), {}, typed_value(pair.substr(equals + 1), label + ": " + std::string(key))});
        if (comma == std::string_view::npos) break;
        rest = rest.substr(comma + 1);
    }
    return table;
}

struct flag_and_value {
    std::string_view name;
    std::string_view value;
};

}  // namespace

result<load_options, scenario_error> parse_command_line(std::span<const std::string_view> args,
                                                        const file_reader& read_file) {
    load_options options;

    // Split into (flag, value) pairs first, so that the file is read before any flag applies.
    std::vector<flag_and_value> flags;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string_view arg = args[i];
        if (arg == "--help" || arg == "-h") {
            options.help = true;
            return options;
        }
        if (!arg.starts_with("--")) {
            return flag_error(scenario_error_kind::syntax, std::string(arg),
                              "unexpected argument (flags are --name value; see --help)");
        }
        std::string_view name = arg;
        std::string_view value;
        bool has_value = false;
        if (const std::size_t equals = arg.find('='); equals != std::string_view::npos) {
            name = arg.substr(0, equals);
            value = arg.substr(equals + 1);
            has_value = true;
        }
        if (name == "--closed") {
            if (has_value) return flag_error(scenario_error_kind::syntax, "--closed", "takes no value");
            flags.push_back({name, {}});
            continue;
        }
        bool known =
            std::find(std::begin(other_value_flags), std::end(other_value_flags), name) != std::end(other_value_flags);
        for (const auto& f : value_flags) known = known || f.name == name;
        if (!known) return flag_error(scenario_error_kind::unknown_key, std::string(name), "unknown flag (see --help)");
        if (!has_value) {
            if (i + 1 >= args.size())
                return flag_error(scenario_error_kind::syntax, std::string(name), "needs a value");
            value = args[++i];
        }
        flags.push_back({name, value});
    }

    // The file, when there is one (the last --scenario wins, like any repeated flag).
    std::string source = "command line";
    document_node root;
    root.kind = type::table;
    bool from_file = false;
    for (const auto& f : flags) {
        if (f.name != "--scenario") continue;
        source = std::string(f.value);
        from_file = true;
    }
    if (from_file) {
        auto text = read_file(source);
        if (!text) return fail(scenario_error{scenario_error_kind::unreadable, source, {}, "", text.error()});
        if (text->size() > max_scenario_file_bytes) {
            return fail(scenario_error{scenario_error_kind::unreadable,
                                       source,
                                       {},
                                       "",
                                       "larger than " + std::to_string(max_scenario_file_bytes) + " bytes"});
        }
        auto document = scenario_format_of(source) == scenario_format::json ? detail::read_json_document(*text, source)
                                                                            : detail::read_toml_document(*text, source);
        if (!document) return fail(std::move(document).error());
        root = std::move(*document);
    } else {
        // From flags alone, the two things a run cannot do without.
        const auto given = [&](std::string_view name) {
            return std::any_of(flags.begin(), flags.end(), [&](const flag_and_value& f) { return f.name == name; });
        };
        if (!given("--server")) {
            return flag_error(scenario_error_kind::missing_key, "--server",
                              "missing: the relay's URL, like ws://127.0.0.1:8080/ws (or give --scenario FILE)");
        }
        if (!given("--duration") && !given("--phase")) {
            return flag_error(scenario_error_kind::missing_key, "--duration",
                              "missing: how long the run lasts, like 60s (or give --phase)");
        }
    }

    std::vector<document_node> phases;
    std::vector<document_node> thresholds;
    std::size_t servers_given = 0;
    for (const auto& f : flags) {
        const std::string name(f.name);
        if (f.name == "--scenario") continue;
        if (f.name == "--closed") {
            if (document_node* rooms = child_table(root, "rooms"))
                set_member(*rooms, "kind", string_value("closed", "--closed"));
        } else if (f.name == "--phase") {
            auto table = phase_from_flag(f.value, phases.size() + 1);
            if (!table) return fail(std::move(table).error());
            phases.push_back(std::move(*table));
        } else if (f.name == "--assert") {
            thresholds.push_back(string_value(f.value, "--assert"));
        } else if (f.name == "--shard") {
            auto part = parse_shard(f.value);
            if (!part)
                return flag_error(scenario_error_kind::invalid_value, name,
                                  part.error() + ", got \"" + std::string(f.value) + "\"");
            options.part = *part;
        } else if (f.name == "--threads") {
            std::uint32_t threads = 0;
            const auto [end, problem] = std::from_chars(f.value.data(), f.value.data() + f.value.size(), threads);
            if (problem != std::errc{} || end != f.value.data() + f.value.size() || threads < 1 ||
                threads > max_threads)
                return flag_error(scenario_error_kind::invalid_value, name,
                                  "needs a whole number of threads from 1 to " + std::to_string(max_threads) +
                                      ", got \"" + std::string(f.value) + "\"");
            options.threads = threads;
        } else if (f.name == "--pcm") {
            if (f.value.empty()) return flag_error(scenario_error_kind::invalid_value, name, "needs a file name");
            options.pcm_path = std::string(f.value);
        } else if (f.name == "--progress") {
            if (f.value == "auto") {
                options.progress = progress_mode::automatic;
            } else if (f.value == "line") {
                options.progress = progress_mode::line;
            } else if (f.value == "log") {
                options.progress = progress_mode::log;
            } else if (f.value == "off") {
                options.progress = progress_mode::off;
            } else {
                return flag_error(scenario_error_kind::invalid_value, name,
                                  "is auto, line, log or off, got \"" + std::string(f.value) + "\"");
            }
        } else if (f.name == "--bulk-read-interval" || f.name == "--stall-per-tick") {
            auto parsed = parse_duration(f.value);
            const bool bulk = f.name == "--bulk-read-interval";
            if (!parsed || (bulk && (*parsed < std::chrono::milliseconds(20) || *parsed > std::chrono::seconds(1))) ||
                (!bulk && *parsed > std::chrono::seconds(1))) {
                return flag_error(scenario_error_kind::invalid_value, name,
                                  std::string(bulk ? "needs a duration from 20ms to 1s" : "needs a duration up to 1s") +
                                      ", got \"" + std::string(f.value) + "\"");
            }
            (bulk ? options.bulk_read_interval : options.stall_per_tick) = *parsed;
        } else if (f.name == "--report" || f.name == "--html") {
            if (f.value.empty()) return flag_error(scenario_error_kind::invalid_value, name, "needs a file name");
            (f.name == "--report" ? options.report_path : options.html_path) = std::string(f.value);
        } else if (f.name == "--server" && servers_given++ > 0) {
            // Again: another relay of the same cluster. The flags' list replaces the file's.
            if (document_node* section = child_table(root, "server")) {
                document_node* more = section->find("more_urls");
                if (more == nullptr || more->kind != type::array || more->flag != "--server") {
                    document_node list;
                    list.kind = type::array;
                    list.flag = "--server";
                    set_member(*section, "more_urls", std::move(list));
                    more = section->find("more_urls");
                }
                more->items.push_back(string_value(f.value, name));
            }
        } else {
            for (const auto& v : value_flags) {
                if (v.name != f.name) continue;
                document_node value = v.typed ? typed_value(f.value, name) : string_value(f.value, name);
                if (v.section.empty()) {
                    set_member(root, v.key, std::move(value));
                } else if (document_node* section = child_table(root, v.section)) {
                    set_member(*section, v.key, std::move(value));
                }
            }
        }
    }
    if (!phases.empty()) {
        document_node list;
        list.kind = type::array;
        list.flag = "--phase";
        list.items = std::move(phases);
        set_member(root, "phases", std::move(list));
    }
    if (!thresholds.empty()) {
        document_node* list = root.find("thresholds");
        if (list == nullptr) {
            document_node empty;
            empty.kind = type::array;
            empty.flag = "--assert";
            root.members.push_back(document_member{"thresholds", {}, std::move(empty)});
            list = &root.members.back().value;
        }
        if (list->kind == type::array) {
            for (auto& t : thresholds) list->items.push_back(std::move(t));
        }
    }

    auto plan = detail::read_scenario(root, source);
    if (!plan) return fail(std::move(plan).error());
    options.plan = std::move(*plan);
    return options;
}

result<load_options, scenario_error> parse_command_line(std::span<const std::string_view> args) {
    return parse_command_line(args, [](const std::string& path) -> result<std::string, std::string> {
        std::ifstream file(path, std::ios::binary);
        if (!file) return fail(std::string("cannot open the file"));
        std::ostringstream text;
        text << file.rdbuf();
        if (file.bad()) return fail(std::string("cannot read the file"));
        return text.str();
    });
}

std::string_view usage_text() noexcept {
    return R"(usage: stoa-load [--scenario FILE] [flags]
A scenario comes from a TOML or JSON file (--scenario), from flags, or both (flags win).
  --scenario FILE              scenario file (.toml, or .json); see docs/loadgen.md
  --server URL                 the relay, ws://HOST:PORT[/PATH] or wss://...; no path means /ws, stoa-server's endpoint
  --protocol NAME              the room server's protocol: stoa (default), plain (a WebSocket fan-out) or socketio
  --tls-ca FILE                wss://: trust these PEM certificates (default: the system's store)
  --tls-verify BOOL            wss://: check the relay's certificate and name (default true)
  --origin TEXT                the relay's --origin, signed at login (default: the URL's origin, http://HOST:PORT)
  --rooms N                    number of rooms (default 1)
  --closed                     closed rooms (members join by invitation)
  --zipf S                     room popularity exponent: room k draws listeners in proportion to 1/k^S (default 1)
  --speakers N                 speakers per room, the first its host (default 1)
  --listeners N                listeners in all rooms together (default 0)
  --decrypt SHARE              listeners that decrypt every frame (default 100%)
  --decode SHARE               listeners that also decode Opus and measure playout gaps (default 1%)
  --live-encode SHARE          speakers that encode live (default 0%: a pre-encoded sample)
  --probe-share SHARE          listeners read at once and timed per frame (default 2%, at least 20 per room)
  --bulk-read-interval DURATION  how often the other listeners' sockets are drained (default 100ms)
  --talk PATTERN               conversational (P.59 talkspurts and pauses; default) or continuous
  --talkspurt DURATION         mean talkspurt (default 1.004s)
  --pause DURATION             mean pause (default 1.587s)
  --reconnect-min DURATION     first reconnect backoff (default 500ms)
  --reconnect-max DURATION     longest reconnect backoff (default 10s)
  --reconnect-multiplier X     backoff growth per attempt (default 2)
  --reconnect-jitter SHARE     how much of each backoff is random (default 100%)
  --duration DURATION          the whole run, like 60s, 5m, 1h30m
  --ramp DURATION              without phases: listeners join evenly over this (default 10s or the run)
  --phase KIND[:KEY=VALUE,...] a phase, repeatable (replaces the file's), like join_storm:members=1000,within=10s
  --seed N                     the plan's random seed (default 1): the same seed replays the same run
  --name TEXT                  the scenario's name in reports
  --assert THRESHOLD           pass/fail threshold, repeatable, like 'join.p99<1s' or 'frames.loss<0.1%'
  --shard I/N                  simulate shard I of N generator hosts
  --report FILE                write the JSON report
  --html FILE                  write the self-contained HTML report
  --threads N                  worker threads (default: one per core)
  --pcm FILE                   speech sample, 48 kHz mono s16le (default: a synthetic voice)
  --progress MODE              auto (a live line on a terminal, else a log line every 10 s), line, log or off
  --stall-per-tick DURATION    diagnostic: busy-wait this long in every worker tick (a generator with no CPU to spare)
  --help                       this text
)";
}

}  // namespace stoa::loadgen
