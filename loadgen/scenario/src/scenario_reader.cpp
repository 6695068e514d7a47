// The document tree into a scenario: every key checked for its type, range and consistency with
// the others, and the first problem returned with the key's position and path. The same reader
// serves TOML, JSON and the command line, so all three accept exactly the same scenarios.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <initializer_list>
#include <limits>
#include <span>

#include "document.hpp"

namespace stoa::loadgen::detail {

const document_node* document_node::find(std::string_view key) const noexcept {
    for (const auto& member : members) {
        if (member.key == key) return &member.value;
    }
    return nullptr;
}

document_node* document_node::find(std::string_view key) noexcept {
    for (auto& member : members) {
        if (member.key == key) return &member.value;
    }
    return nullptr;
}

namespace {

using type = document_node::type;
using check = status<scenario_error>;
using namespace std::chrono_literals;

// A value as the error message shows it: 10, 2.5, "abc", true, an array.
std::string describe(const document_node& node) {
    switch (node.kind) {
        case type::null:
            return "null";
        case type::boolean:
            return node.boolean ? "true" : "false";
        case type::integer:
            return std::to_string(node.integer);
        case type::floating: {
            char buffer[32];
            const auto [end, error] = std::to_chars(buffer, buffer + sizeof buffer, node.floating);
            return error == std::errc{} ? std::string(buffer, end) : "a number";
        }
        case type::string: {
            std::string out = "\"";
            std::size_t shown = 0;
            for (unsigned char c : node.text) {
                if (++shown > 40) {
                    out += "...";
                    break;
                }
                if (c == '"' || c == '\\') {
                    out += '\\';
                    out += static_cast<char>(c);
                } else if (c < 0x20 || c == 0x7f) {
                    constexpr char hex[] = "0123456789abcdef";
                    out += "\\x";
                    out += hex[c >> 4];
                    out += hex[c & 15];
                } else {
                    out += static_cast<char>(c);
                }
            }
            return out + "\"";
        }
        case type::array:
            return "an array";
        case type::table:
            return "a table";
        case type::other:
            return node.text;
    }
    return "a value";
}

std::string quoted_list(std::span<const std::string_view> names) {
    std::string out;
    for (std::size_t i = 0; i < names.size(); ++i) {
        if (i != 0) out += i + 1 == names.size() ? " or " : ", ";
        out += "\"" + std::string(names[i]) + "\"";
    }
    return out;
}

std::string plain_list(std::span<const std::string_view> names) {
    std::string out;
    for (std::size_t i = 0; i < names.size(); ++i) out += (i != 0 ? ", " : "") + std::string(names[i]);
    return out;
}

// Where an error points: a key's position and path (or, for a value from a flag, the flag).
struct place {
    std::string path;
    source_position position;
    const document_node* node = nullptr;
};

struct table_view {
    const document_node& node;
    std::string path;   // "" for the root, "members", "phases[1]"
    std::string title;  // how messages name it: "[members]", "a join_storm phase", "the scenario"
    place self;
};

class scenario_reader {
public:
    explicit scenario_reader(std::string_view source) : source_(source) {}

    result<scenario, scenario_error> read(const document_node& root) {
        scenario out;
        const table_view top{root, "", "the scenario", place{"", root.position, &root}};
        static constexpr std::string_view keys[] = {"name",  "seed",    "duration", "ramp",      "thresholds", "server",
                                                    "rooms", "members", "talk",     "reconnect", "phases"};
        if (auto c = check_keys(top, keys); !c) return fail(c.error());

        const auto section = [&](std::string_view key, auto reader) -> check {
            const document_member* m = member(top, key);
            if (m == nullptr) {
                if (key == "server") return missing(top, "server", "the relay to load, with url = \"ws://HOST:PORT\"");
                return {};
            }
            const place at = place_of(top, *m);
            if (m->value.kind != type::table) {
                return error(scenario_error_kind::wrong_type, at,
                             "expected a table ([" + std::string(key) + "]), got " + describe(m->value));
            }
            return reader(table_view{m->value, std::string(key), "[" + std::string(key) + "]", at});
        };
        if (auto c = section("server", [&](const table_view& t) { return read_server(t, out.server); }); !c)
            return fail(c.error());
        if (auto c = section("rooms", [&](const table_view& t) { return read_rooms(t, out.rooms); }); !c)
            return fail(c.error());
        if (auto c = section("members", [&](const table_view& t) { return read_members(t, out); }); !c)
            return fail(c.error());
        if (auto c = section("talk", [&](const table_view& t) { return read_talk(t, out.talk); }); !c)
            return fail(c.error());
        if (auto c = section("reconnect", [&](const table_view& t) { return read_reconnect(t, out.reconnect); }); !c)
            return fail(c.error());

        if (const auto* m = member(top, "name")) {
            if (auto c = read_string(place_of(top, *m), m->value, out.name); !c) return fail(c.error());
        }
        if (const auto* m = member(top, "seed")) {
            std::int64_t seed = 0;
            if (auto c = read_integer(place_of(top, *m), m->value, 0, std::numeric_limits<std::int64_t>::max(), seed);
                !c)
                return fail(c.error());
            out.seed = static_cast<std::uint64_t>(seed);
        }
        if (auto c = read_phases(top, out); !c) return fail(c.error());
        if (auto c = read_thresholds(top, out); !c) return fail(c.error());
        return out;
    }

private:
    // ---- errors and places

    failure<scenario_error> error(scenario_error_kind kind, const place& at, std::string message) const {
        if (at.node != nullptr && !at.node->flag.empty())
            return fail(scenario_error{kind, "", {}, at.node->flag, std::move(message)});
        return fail(scenario_error{kind, source_, at.position, at.path, std::move(message)});
    }
    failure<scenario_error> missing(const table_view& table, std::string_view key, std::string_view what) const {
        return error(scenario_error_kind::missing_key, table.self,
                     table.title + " needs \"" + std::string(key) + "\": " + std::string(what));
    }
    static place place_of(const table_view& table, const document_member& m) {
        return place{table.path.empty() ? m.key : table.path + "." + m.key, m.key_position, &m.value};
    }
    static const document_member* member(const table_view& table, std::string_view key) {
        for (const auto& m : table.node.members) {
            if (m.key == key) return &m;
        }
        return nullptr;
    }
    check check_keys(const table_view& table, std::span<const std::string_view> known) const {
        for (std::size_t i = 0; i < table.node.members.size(); ++i) {
            const document_member& m = table.node.members[i];
            if (std::find(known.begin(), known.end(), m.key) == known.end()) {
                const std::string what = table.path.empty() ? "the scenario's top level" : table.title;
                return error(scenario_error_kind::unknown_key, place_of(table, m),
                             "unknown key \"" + m.key + "\" in " + what + " (it takes " + plain_list(known) + ")");
            }
            for (std::size_t j = 0; j < i; ++j) {
                if (table.node.members[j].key == m.key) {
                    return error(scenario_error_kind::invalid_value, place_of(table, m),
                                 "\"" + m.key + "\" is given twice");
                }
            }
        }
        return {};
    }

    // ---- values

    check read_string(const place& at, const document_node& node, std::string& out) const {
        if (node.kind != type::string)
            return error(scenario_error_kind::wrong_type, at, "expected a string, got " + describe(node));
        out = node.text;
        return {};
    }
    check read_integer(const place& at, const document_node& node, std::int64_t min, std::int64_t max,
                       std::int64_t& out) const {
        if (node.kind != type::integer)
            return error(scenario_error_kind::wrong_type, at, "expected a whole number, got " + describe(node));
        if (node.integer < min || node.integer > max) {
            return error(scenario_error_kind::out_of_range, at,
                         "expected a whole number from " + std::to_string(min) + " to " + std::to_string(max) +
                             ", got " + describe(node));
        }
        out = node.integer;
        return {};
    }
    check read_count(const place& at, const document_node& node, std::uint32_t min, std::uint32_t max,
                     std::uint32_t& out) const {
        std::int64_t value = 0;
        if (auto c = read_integer(at, node, min, max, value); !c) return c;
        out = static_cast<std::uint32_t>(value);
        return {};
    }
    check read_number(const place& at, const document_node& node, double min, double max, double& out) const {
        double value = 0.0;
        if (node.kind == type::integer)
            value = static_cast<double>(node.integer);
        else if (node.kind == type::floating)
            value = node.floating;
        else
            return error(scenario_error_kind::wrong_type, at, "expected a number, got " + describe(node));
        if (!std::isfinite(value) || value < min || value > max) {
            return error(scenario_error_kind::out_of_range, at,
                         "expected a number from " + describe_number(min) + " to " + describe_number(max) + ", got " +
                             describe(node));
        }
        out = value;
        return {};
    }
    static std::string describe_number(double value) {
        document_node node;
        node.kind = type::floating;
        node.floating = value;
        return describe(node);
    }
    check read_duration(const place& at, const document_node& node, duration min, duration& out) const {
        if (node.kind != type::string) {
            return error(scenario_error_kind::wrong_type, at,
                         "expected a duration like \"10s\", got " + describe(node));
        }
        auto parsed = parse_duration(node.text);
        if (!parsed) {
            return error(scenario_error_kind::invalid_value, at,
                         "expected a duration like \"10s\", got " + describe(node) + " (" + parsed.error() + ")");
        }
        if (*parsed < min) {
            return error(scenario_error_kind::out_of_range, at,
                         min == duration(1) ? "must be longer than 0s"
                                            : "must be at least " + format_duration(min) + ", got " + describe(node));
        }
        out = *parsed;
        return {};
    }
    check read_share(const place& at, const document_node& node, share& out) const {
        if (node.kind == type::string) {
            auto parsed = parse_share(node.text);
            if (!parsed) {
                return error(scenario_error_kind::invalid_value, at,
                             "expected a share like \"50%\", got " + describe(node) + " (" + parsed.error() + ")");
            }
            out = *parsed;
            return {};
        }
        if (node.kind == type::integer || node.kind == type::floating) {
            const double value = node.kind == type::integer ? static_cast<double>(node.integer) : node.floating;
            if (!(value >= 0.0 && value <= 1.0)) {
                return error(scenario_error_kind::out_of_range, at,
                             "expected a share like \"50%\" or a fraction from 0 to 1, got " + describe(node));
            }
            out = share{value};
            return {};
        }
        return error(scenario_error_kind::wrong_type, at, "expected a share like \"50%\", got " + describe(node));
    }
    check read_choice(const place& at, const document_node& node, std::span<const std::string_view> names,
                      std::size_t& out) const {
        if (node.kind == type::string) {
            for (std::size_t i = 0; i < names.size(); ++i) {
                if (node.text == names[i]) {
                    out = i;
                    return {};
                }
            }
        }
        return error(node.kind == type::string ? scenario_error_kind::invalid_value : scenario_error_kind::wrong_type,
                     at, "expected " + quoted_list(names) + ", got " + describe(node));
    }
    // A number of listeners, or a share of all of them ("50%").
    check read_listener_count(const place& at, const document_node& node, std::uint32_t listeners,
                              std::uint32_t& out) const {
        if (node.kind == type::string) {
            share part;
            if (auto c = read_share(at, node, part); !c) return c;
            out = static_cast<std::uint32_t>(std::llround(part.fraction * listeners));
            return {};
        }
        if (node.kind != type::integer) {
            return error(scenario_error_kind::wrong_type, at,
                         "expected a number of listeners or a share like \"50%\", got " + describe(node));
        }
        if (node.integer < 0 || node.integer > static_cast<std::int64_t>(listeners)) {
            return error(
                scenario_error_kind::out_of_range, at,
                "expected at most the scenario's " + std::to_string(listeners) + " listeners, got " + describe(node));
        }
        out = static_cast<std::uint32_t>(node.integer);
        return {};
    }

    // ---- sections

    check read_server(const table_view& table, server_target& out) const {
        static constexpr std::string_view keys[] = {"url", "more_urls", "origin", "protocol", "tls_verify", "tls_ca"};
        if (auto c = check_keys(table, keys); !c) return c;
        const document_member* url = member(table, "url");
        if (url == nullptr) return missing(table, "url", "the relay's WebSocket URL, like \"ws://127.0.0.1:8080/ws\"");
        std::string text;
        if (auto c = read_string(place_of(table, *url), url->value, text); !c) return c;
        auto parsed = parse_server_url(text);
        if (!parsed) {
            return error(scenario_error_kind::invalid_value, place_of(table, *url),
                         "expected a URL like \"ws://127.0.0.1:8080/ws\", got " + describe(url->value) + " (" +
                             parsed.error() + ")");
        }
        out.url = *parsed;
        out.more_urls.clear();
        if (const auto* more = member(table, "more_urls")) {
            if (more->value.kind != document_node::type::array) {
                return error(scenario_error_kind::invalid_value, place_of(table, *more),
                             "expected an array of URLs like [\"ws://127.0.0.1:8081/ws\"], got " + describe(more->value));
            }
            for (const auto& item : more->value.items) {
                std::string other;
                if (auto c = read_string(place_of(table, *more), item, other); !c) return c;
                auto other_url = parse_server_url(other);
                if (!other_url || other_url->scheme != out.url.scheme) {
                    return error(scenario_error_kind::invalid_value, place_of(table, *more),
                                 "expected URLs with the same scheme as url, got \"" + other + "\"" +
                                     (other_url ? std::string() : " (" + other_url.error() + ")"));
                }
                out.more_urls.push_back(std::move(*other_url));
            }
        }
        if (const auto* origin = member(table, "origin")) {
            if (auto c = read_string(place_of(table, *origin), origin->value, out.origin); !c) return c;
            if (out.origin.empty())
                return error(scenario_error_kind::invalid_value, place_of(table, *origin), "must not be empty");
        } else {
            // What a loopback stoa-server without --origin serves (and any relay whose --origin is
            // the URL's own).
            out.origin = default_origin(out.url);
        }
        if (const auto* protocol = member(table, "protocol")) {
            static constexpr std::string_view protocols[] = {"stoa", "plain", "socketio"};
            std::size_t chosen = 0;
            if (auto c = read_choice(place_of(table, *protocol), protocol->value, protocols, chosen); !c) return c;
            out.protocol = std::string(protocols[chosen]);
        }
        if (const auto* verify = member(table, "tls_verify")) {
            static constexpr std::string_view answers[] = {"true", "false"};
            if (verify->value.kind == document_node::type::boolean) {
                out.tls_verify = verify->value.boolean;
            } else {
                std::size_t chosen = 0;
                if (auto c = read_choice(place_of(table, *verify), verify->value, answers, chosen); !c) return c;
                out.tls_verify = chosen == 0;
            }
        }
        if (const auto* ca = member(table, "tls_ca")) {
            if (auto c = read_string(place_of(table, *ca), ca->value, out.tls_ca); !c) return c;
            if (out.tls_ca.empty())
                return error(scenario_error_kind::invalid_value, place_of(table, *ca), "must not be empty");
        }
        return {};
    }

    check read_rooms(const table_view& table, room_plan& out) const {
        static constexpr std::string_view keys[] = {"count", "kind", "zipf_exponent"};
        if (auto c = check_keys(table, keys); !c) return c;
        if (const auto* m = member(table, "count")) {
            if (auto c = read_count(place_of(table, *m), m->value, 1, max_rooms, out.count); !c) return c;
        }
        if (const auto* m = member(table, "kind")) {
            static constexpr std::string_view kinds[] = {"open", "closed"};
            std::size_t kind = 0;
            if (auto c = read_choice(place_of(table, *m), m->value, kinds, kind); !c) return c;
            out.access = kind == 0 ? room_access::open : room_access::closed;
        }
        if (const auto* m = member(table, "zipf_exponent")) {
            if (auto c = read_number(place_of(table, *m), m->value, 0.0, 10.0, out.zipf_exponent); !c) return c;
        }
        return {};
    }

    check read_members(const table_view& table, scenario& out) const {
        static constexpr std::string_view keys[] = {"speakers", "listeners", "decrypt", "decode", "live_encode", "probe"};
        if (auto c = check_keys(table, keys); !c) return c;
        member_plan& plan = out.members;
        const document_member* speakers = member(table, "speakers");
        if (speakers != nullptr) {
            if (auto c = read_count(place_of(table, *speakers), speakers->value, 1, max_speakers_per_room,
                                    plan.speakers_per_room);
                !c)
                return c;
        }
        const document_member* listeners = member(table, "listeners");
        if (listeners != nullptr) {
            if (auto c = read_count(place_of(table, *listeners), listeners->value, 0, max_members, plan.listeners); !c)
                return c;
        }
        if (static_cast<std::uint64_t>(out.rooms.count) * plan.speakers_per_room + plan.listeners > max_members) {
            const document_member* blame = listeners != nullptr ? listeners : speakers;
            const place at = blame != nullptr ? place_of(table, *blame) : table.self;
            return error(scenario_error_kind::inconsistent, at,
                         "rooms × speakers + listeners is more than " + std::to_string(max_members) + " members");
        }
        const document_member* decrypt = member(table, "decrypt");
        const document_member* decode = member(table, "decode");
        if (decrypt != nullptr) {
            if (auto c = read_share(place_of(table, *decrypt), decrypt->value, plan.decrypt); !c) return c;
        }
        if (decode != nullptr) {
            if (auto c = read_share(place_of(table, *decode), decode->value, plan.decode); !c) return c;
        }
        if (plan.decode.fraction > plan.decrypt.fraction) {
            const document_member* blame = decode != nullptr ? decode : decrypt;
            return error(scenario_error_kind::inconsistent, place_of(table, *blame),
                         "decode (" + format_share(plan.decode) + ") is more than decrypt (" +
                             format_share(plan.decrypt) +
                             "): the listeners that decode are some of those that decrypt");
        }
        if (const auto* m = member(table, "live_encode")) {
            if (auto c = read_share(place_of(table, *m), m->value, plan.live_encode); !c) return c;
        }
        if (const auto* m = member(table, "probe")) {
            if (auto c = read_share(place_of(table, *m), m->value, plan.probe); !c) return c;
        }
        return {};
    }

    check read_talk(const table_view& table, talk_model& out) const {
        static constexpr std::string_view keys[] = {"pattern", "talkspurt", "pause"};
        if (auto c = check_keys(table, keys); !c) return c;
        if (const auto* m = member(table, "pattern")) {
            static constexpr std::string_view patterns[] = {"conversational", "continuous"};
            std::size_t pattern = 0;
            if (auto c = read_choice(place_of(table, *m), m->value, patterns, pattern); !c) return c;
            out.pattern = pattern == 0 ? talk_pattern::conversational : talk_pattern::continuous;
        }
        if (const auto* m = member(table, "talkspurt")) {
            if (auto c = read_duration(place_of(table, *m), m->value, duration(1), out.talkspurt_mean); !c) return c;
        }
        if (const auto* m = member(table, "pause")) {
            if (auto c = read_duration(place_of(table, *m), m->value, duration(1), out.pause_mean); !c) return c;
        }
        return {};
    }

    check read_reconnect(const table_view& table, reconnect_backoff& out) const {
        static constexpr std::string_view keys[] = {"min", "max", "multiplier", "jitter"};
        if (auto c = check_keys(table, keys); !c) return c;
        const document_member* min = member(table, "min");
        const document_member* max = member(table, "max");
        if (min != nullptr) {
            if (auto c = read_duration(place_of(table, *min), min->value, duration(1), out.min); !c) return c;
        }
        if (max != nullptr) {
            if (auto c = read_duration(place_of(table, *max), max->value, duration(1), out.max); !c) return c;
        }
        if (out.max < out.min) {
            const document_member* blame = max != nullptr ? max : min;
            return error(scenario_error_kind::inconsistent, place_of(table, *blame),
                         "max (" + format_duration(out.max) + ") is less than min (" + format_duration(out.min) + ")");
        }
        if (const auto* m = member(table, "multiplier")) {
            if (auto c = read_number(place_of(table, *m), m->value, 1.0, 100.0, out.multiplier); !c) return c;
        }
        if (const auto* m = member(table, "jitter")) {
            if (auto c = read_share(place_of(table, *m), m->value, out.jitter); !c) return c;
        }
        return {};
    }

    // ---- phases

    check read_phases(const table_view& top, scenario& out) const {
        const document_member* duration_member = member(top, "duration");
        const document_member* ramp_member = member(top, "ramp");
        const document_member* phases_member = member(top, "phases");
        if (duration_member != nullptr) {
            if (auto c =
                    read_duration(place_of(top, *duration_member), duration_member->value, duration(1), out.length);
                !c)
                return c;
        }

        if (phases_member == nullptr) {
            // No phases: listeners join evenly over `ramp`, then the room stays steady.
            if (duration_member == nullptr)
                return missing(top, "duration", "how long the run lasts, like \"60s\" (or give [[phases]])");
            duration ramp = std::min<duration>(10s, out.length);
            if (ramp_member != nullptr) {
                if (auto c = read_duration(place_of(top, *ramp_member), ramp_member->value, duration(0), ramp); !c)
                    return c;
                if (ramp > out.length) {
                    return error(scenario_error_kind::inconsistent, place_of(top, *ramp_member),
                                 "the ramp (" + format_duration(ramp) + ") is longer than the run (" +
                                     format_duration(out.length) + ")");
                }
            }
            out.phases.push_back(ramp_phase{ramp, out.members.listeners});
            if (out.length > ramp) out.phases.push_back(steady_phase{out.length - ramp});
            return {};
        }
        if (ramp_member != nullptr) {
            return error(scenario_error_kind::inconsistent, place_of(top, *ramp_member),
                         "ramp is for scenarios without phases; with [[phases]], add a ramp phase");
        }
        const place at = place_of(top, *phases_member);
        const document_node& list = phases_member->value;
        if (list.kind != type::array)
            return error(scenario_error_kind::wrong_type, at,
                         "expected an array of phases ([[phases]]), got " + describe(list));
        if (list.items.empty())
            return error(scenario_error_kind::invalid_value, at, "needs at least one phase (or leave phases out)");
        if (list.items.size() > max_phases) {
            return error(scenario_error_kind::out_of_range, at, "more than " + std::to_string(max_phases) + " phases");
        }
        duration total{};
        for (std::size_t i = 0; i < list.items.size(); ++i) {
            const document_node& item = list.items[i];
            const std::string path = "phases[" + std::to_string(i) + "]";
            const place item_place{path, item.position, &item};
            if (item.kind != type::table)
                return error(scenario_error_kind::wrong_type, item_place,
                             "expected a table (a phase), got " + describe(item));
            phase read;
            if (auto c = read_phase(table_view{item, path, "a phase", item_place}, out, read); !c) return c;
            total += phase_length(read);
            if (total > max_scenario_duration)
                return error(scenario_error_kind::out_of_range, item_place, "the phases last more than 30 days");
            out.phases.push_back(read);
        }
        if (duration_member == nullptr) {
            out.length = total;
        } else if (total > out.length) {
            return error(scenario_error_kind::inconsistent, place_of(top, *duration_member),
                         "the phases last " + format_duration(total) + ", longer than the run's duration (" +
                             format_duration(out.length) + ")");
        }
        return {};
    }

    check read_phase(const table_view& table, const scenario& plan, phase& out) const {
        const document_member* kind_member = member(table, "kind");
        if (kind_member == nullptr) {
            return missing(table, "kind",
                           "one of steady, ramp, join_storm, leave_storm, churn, speaker_rotation, hand_raise_storm, "
                           "reconnect_storm");
        }
        static constexpr std::string_view kinds[] = {"steady",           "ramp",           "join_storm",
                                                     "leave_storm",      "churn",          "speaker_rotation",
                                                     "hand_raise_storm", "reconnect_storm"};
        std::size_t kind = 0;
        if (auto c = read_choice(place_of(table, *kind_member), kind_member->value, kinds, kind); !c) return c;
        const table_view typed{table.node, table.path, "a " + std::string(kinds[kind]) + " phase", table.self};
        const std::uint32_t listeners = plan.members.listeners;

        // Reads `key` as a duration when present; `required` says what it is for when it must be.
        const auto duration_key = [&](std::string_view key, duration min, duration& value,
                                      std::string_view required) -> check {
            const document_member* m = member(typed, key);
            if (m == nullptr) return required.empty() ? check{} : check{missing(typed, key, required)};
            return read_duration(place_of(typed, *m), m->value, min, value);
        };
        const auto count_key = [&](std::string_view key, std::optional<std::uint32_t>& value) -> check {
            const document_member* m = member(typed, key);
            if (m == nullptr) return {};
            std::uint32_t count = 0;
            if (auto c = read_listener_count(place_of(typed, *m), m->value, listeners, count); !c) return c;
            value = count;
            return {};
        };
        const auto arrival_key = [&](arrival_pattern& value) -> check {
            const document_member* m = member(typed, "arrival");
            if (m == nullptr) return {};
            static constexpr std::string_view patterns[] = {"poisson", "uniform"};
            std::size_t pattern = 0;
            if (auto c = read_choice(place_of(typed, *m), m->value, patterns, pattern); !c) return c;
            value = pattern == 0 ? arrival_pattern::poisson : arrival_pattern::uniform;
            return {};
        };
        // A phase's duration when it has a shortest sensible value: given (and at least that), or that.
        const auto length_at_least = [&](duration shortest, std::string_view why, duration& value) -> check {
            const document_member* m = member(typed, "duration");
            if (m == nullptr) {
                value = shortest;
                return {};
            }
            if (auto c = read_duration(place_of(typed, *m), m->value, duration(1), value); !c) return c;
            if (value < shortest) {
                return error(scenario_error_kind::inconsistent, place_of(typed, *m),
                             "must be at least " + format_duration(shortest) + " (" + std::string(why) + "), got " +
                                 describe(m->value));
            }
            return {};
        };
        constexpr std::string_view length_needed = "how long the phase lasts, like \"30s\"";

        switch (kind) {
            case 0: {
                static constexpr std::string_view keys[] = {"kind", "duration"};
                if (auto c = check_keys(typed, keys); !c) return c;
                steady_phase p;
                if (auto c = duration_key("duration", duration(1), p.length, length_needed); !c) return c;
                out = p;
                return {};
            }
            case 1: {
                static constexpr std::string_view keys[] = {"kind", "duration", "to"};
                if (auto c = check_keys(typed, keys); !c) return c;
                ramp_phase p;
                if (auto c = duration_key("duration", duration(1), p.length, length_needed); !c) return c;
                std::optional<std::uint32_t> to;
                if (auto c = count_key("to", to); !c) return c;
                p.to = to.value_or(listeners);
                out = p;
                return {};
            }
            case 2:
            case 3: {
                static constexpr std::string_view keys[] = {"kind", "within", "duration", "members", "arrival"};
                if (auto c = check_keys(typed, keys); !c) return c;
                join_storm_phase p;
                if (auto c = duration_key("within", duration(1), p.within, "the storm's window, like \"10s\""); !c)
                    return c;
                if (auto c = length_at_least(p.within, "the storm's window", p.length); !c) return c;
                if (auto c = count_key("members", p.members); !c) return c;
                if (auto c = arrival_key(p.arrival); !c) return c;
                if (kind == 2)
                    out = p;
                else
                    out = leave_storm_phase{p.length, p.within, p.members, p.arrival};
                return {};
            }
            case 4: {
                static constexpr std::string_view keys[] = {"kind", "duration", "arrivals", "mean_stay"};
                if (auto c = check_keys(typed, keys); !c) return c;
                churn_phase p;
                if (auto c = duration_key("duration", duration(1), p.length, length_needed); !c) return c;
                const document_member* arrivals = member(typed, "arrivals");
                if (arrivals == nullptr) return missing(typed, "arrivals", "the arrival rate, like \"20/s\"");
                const place arrivals_place = place_of(typed, *arrivals);
                if (arrivals->value.kind != type::string) {
                    return error(scenario_error_kind::wrong_type, arrivals_place,
                                 "expected a rate like \"20/s\", got " + describe(arrivals->value));
                }
                auto rate = parse_rate(arrivals->value.text);
                if (!rate) {
                    return error(
                        scenario_error_kind::invalid_value, arrivals_place,
                        "expected a rate like \"20/s\", got " + describe(arrivals->value) + " (" + rate.error() + ")");
                }
                if (*rate > 1e6) return error(scenario_error_kind::out_of_range, arrivals_place, "at most 1000000/s");
                p.arrival_rate = *rate;
                if (auto c = duration_key("mean_stay", duration(1), p.mean_stay,
                                          "how long a listener stays on average, like \"5m\"");
                    !c)
                    return c;
                const double present = p.arrival_rate * std::chrono::duration<double>(p.mean_stay).count();
                if (present > listeners) {
                    char buffer[32];
                    std::snprintf(buffer, sizeof buffer, "%.0f", present);
                    return error(scenario_error_kind::inconsistent, arrivals_place,
                                 "arrivals × mean_stay keeps about " + std::string(buffer) +
                                     " listeners present, more than the scenario's " + std::to_string(listeners));
                }
                out = p;
                return {};
            }
            case 5: {
                static constexpr std::string_view keys[] = {"kind", "duration", "every"};
                if (auto c = check_keys(typed, keys); !c) return c;
                speaker_rotation_phase p;
                if (auto c = duration_key("duration", duration(1), p.length, length_needed); !c) return c;
                if (auto c = duration_key("every", duration(1), p.every, "how often the stage rotates, like \"10s\"");
                    !c)
                    return c;
                if (p.every > p.length) {
                    return error(
                        scenario_error_kind::inconsistent, place_of(typed, *member(typed, "every")),
                        "is longer than the phase (" + format_duration(p.length) + "), so nothing would rotate");
                }
                out = p;
                return {};
            }
            case 6: {
                static constexpr std::string_view keys[] = {"kind",    "within", "duration",    "members",
                                                            "arrival", "invite", "invite_after"};
                if (auto c = check_keys(typed, keys); !c) return c;
                hand_raise_storm_phase p;
                if (auto c = duration_key("within", duration(1), p.within, "the storm's window, like \"10s\""); !c)
                    return c;
                if (auto c = count_key("members", p.members); !c) return c;
                if (auto c = arrival_key(p.arrival); !c) return c;
                if (const auto* m = member(typed, "invite")) {
                    if (auto c = read_share(place_of(typed, *m), m->value, p.invite); !c) return c;
                }
                if (auto c = duration_key("invite_after", duration(0), p.invite_after, ""); !c) return c;
                if (auto c = length_at_least(p.within + p.invite_after, "within + invite_after", p.length); !c)
                    return c;
                out = p;
                return {};
            }
            default: {
                static constexpr std::string_view keys[] = {"kind", "duration"};
                if (auto c = check_keys(typed, keys); !c) return c;
                reconnect_storm_phase p;
                if (auto c = length_at_least(plan.reconnect.max, "reconnect.max, so every first attempt falls inside",
                                             p.length);
                    !c)
                    return c;
                out = p;
                return {};
            }
        }
    }

    // ---- thresholds

    check read_thresholds(const table_view& top, scenario& out) const {
        const document_member* m = member(top, "thresholds");
        if (m == nullptr) return {};
        const place at = place_of(top, *m);
        if (m->value.kind != type::array) {
            return error(scenario_error_kind::wrong_type, at,
                         "expected an array of thresholds like [\"join.p99<1s\"], got " + describe(m->value));
        }
        if (m->value.items.size() > max_thresholds) {
            return error(scenario_error_kind::out_of_range, at,
                         "more than " + std::to_string(max_thresholds) + " thresholds");
        }
        for (std::size_t i = 0; i < m->value.items.size(); ++i) {
            const document_node& item = m->value.items[i];
            const place item_place{"thresholds[" + std::to_string(i) + "]", item.position, &item};
            if (item.kind != type::string) {
                return error(scenario_error_kind::wrong_type, item_place,
                             "expected a threshold like \"join.p99<1s\", got " + describe(item));
            }
            auto parsed = parse_threshold(item.text);
            if (!parsed) {
                return error(scenario_error_kind::syntax, item_place,
                             describe(item) + ": " + parsed.error().message + " (at character " +
                                 std::to_string(parsed.error().offset + 1) + ")");
            }
            out.thresholds.push_back(std::move(*parsed));
        }
        return {};
    }

    std::string source_;
};

}  // namespace

result<scenario, scenario_error> read_scenario(const document_node& root, std::string_view source) {
    return scenario_reader(source).read(root);
}

}  // namespace stoa::loadgen::detail
