// stoa-bot: a member that is a real client over the real protocol. It connects to a relay over
// WebSocket, creates (or joins) a room and, given a voice (a looped 48 kHz PCM sample or a sine
// tone), takes the stage and talks, encoding, encrypting and signing every 20 ms frame like a
// browser would. As a listener it decodes and mixes what it hears and reports it once a second as
// a JSON line, so end-to-end tests can use it as a native peer. The demo room of the README's main
// command is one of these.
#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>  // before Boost 1.74's asio, whose awaitable.hpp uses std::exchange unincluded
#include <vector>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include "stoa/audio/format.hpp"
#include "stoa/audio/level_meter.hpp"
#include "stoa/audio/tone.hpp"
#include "stoa/client/client_error.hpp"
#include "stoa/client/client_session.hpp"
#include "stoa/e2ee/system_random.hpp"
#include "stoa/proto/room_json.hpp"

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using json = nlohmann::ordered_json;
using namespace std::chrono_literals;

namespace {

constexpr double tone_amplitude = 0.3;  // of full scale: about -13.5 dBFS
constexpr int frames_per_report = 50;   // one listening report a second

// One relay the bot may use: --server ws://HOST:PORT, or --host/--port.
struct relay_address {
    std::string host;
    std::string port;
    std::string context;  // signed at login: --context, or http://HOST:PORT
};

struct bot_options {
    std::string host = "127.0.0.1";
    std::string port = "8080";
    std::vector<std::string> server_urls;  // --server, repeatable; tried in turn after a loss
    std::vector<relay_address> relays;     // the --server list, or --host/--port
    std::string context;  // the relay's origin; empty: http://HOST:PORT, a loopback relay's default
    std::string pcm_path;
    std::optional<double> tone_hz;
    std::string title = "Stoa demo room";
    std::string name = "Stoa bot";
    std::optional<std::string> room_hex;    // --room: an existing room, where the bot takes the stage
    std::optional<std::string> join_hex;    // --join: an existing room, as a listener
    std::optional<std::string> invite_hex;  // --invite: the capability for a closed room
    // --admission: a closed room's admission secret (the link's fragment); the host gives keys only
    // to joiners who prove it. --host-key: the host key the link names (an alarm if another hosts).
    std::optional<std::string> admission_hex;
    std::optional<std::string> host_key_hex;
    std::string room_file;                  // where to write the room id once the room exists
    bool listen = false;
    bool accept_invite = false;
    bool invite_raised_hands = false;  // as host: invite whoever raises a hand (the demo room)
    bool print_room = false;
    bool json_events = false;  // stdout carries JSON lines only (implied by --listen and --print-room)
    std::optional<double> duration_s;
};

void usage() {
    std::cerr
        << "usage: stoa-bot [--pcm FILE | --tone HZ] [--host H] [--port P | --server ws://H:P ...] [--context C]\n"
           "                [--title T] [--name N]\n"
           "                [--room HEX | --join HEX [--invite HEX]] [--room-file PATH] [--print-room]\n"
           "                [--listen] [--accept-invite] [--invite-raised-hands] [--json] [--duration SECONDS]\n"
           "  --server URL     a relay as ws://HOST:PORT (repeatable): after losing its relay the bot tries\n"
           "                   them in turn with exponential backoff and jitter, and rejoins its room (a\n"
           "                   host re-creates it under the same id); overrides --host/--port\n"
           "  --context C      the relay's --origin, signed at login (default http://HOST:PORT, what a\n"
           "                   loopback stoa-server without --origin uses)\n"
           "  --pcm FILE       speak FILE, raw signed 16-bit little-endian mono PCM at 48 kHz (looped)\n"
           "  --tone HZ        speak a continuous sine tone at 0.3 of full scale\n"
           "  (neither)        stay silent\n"
           "  --room HEX       join an existing room and speak there (a stage-only room)\n"
           "  --join HEX       join an existing room as a listener; --invite HEX for a closed room\n"
           "                   (and --admission HEX, the link's secret, so the host gives it keys);\n"
           "                   --host-key HEX: the host key the link names (an alarm if another hosts)\n"
           "  (neither)        create an open room titled T and speak in it as its host\n"
           "  --listen         decode the room's audio and print one JSON line a second:\n"
           "                   t_ms, frames_decrypted, frequency_hz, level_dbfs, epoch, in_room, role\n"
           "  --accept-invite  accept an invitation to the stage and unmute\n"
           "  --invite-raised-hands  as host or moderator, invite to the stage whoever raises a hand\n"
           "  --print-room     print {\"event\":\"room_created\",\"room\":..,\"invite\":..} once the room exists\n"
           "  --json           print every notable event as a JSON line on stdout (implied by the two above)\n"
           "  --duration S     exit by itself after S seconds (SIGINT/SIGTERM also end it cleanly)\n";
}

std::optional<double> parse_number(const std::string& text) {
    try {
        std::size_t used = 0;
        const double value = std::stod(text, &used);
        if (used != text.size() || !(value > 0.0)) return std::nullopt;
        return value;
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

// ws://HOST:PORT[/ws] or ws://[V6]:PORT; the path, if any, must be /ws (the relay's only one).
std::optional<relay_address> parse_server_url(std::string_view url) {
    constexpr std::string_view scheme = "ws://";
    if (!url.starts_with(scheme)) return std::nullopt;
    url.remove_prefix(scheme.size());
    if (const auto slash = url.find('/'); slash != std::string_view::npos) {
        if (url.substr(slash) != "/ws") return std::nullopt;
        url = url.substr(0, slash);
    }
    relay_address out;
    std::string_view rest;
    if (url.starts_with('[')) {
        const auto close = url.find(']');
        if (close == std::string_view::npos) return std::nullopt;
        out.host = std::string(url.substr(1, close - 1));
        rest = url.substr(close + 1);
    } else {
        const auto colon = url.rfind(':');
        if (colon == std::string_view::npos) return std::nullopt;
        out.host = std::string(url.substr(0, colon));
        rest = url.substr(colon);
    }
    if (!rest.starts_with(':') || rest.size() < 2 || out.host.empty()) return std::nullopt;
    rest.remove_prefix(1);
    if (!std::all_of(rest.begin(), rest.end(), [](char c) { return c >= '0' && c <= '9'; }) || rest.size() > 5) {
        return std::nullopt;
    }
    out.port = std::string(rest);
    return out;
}

std::optional<bot_options> parse(int argc, char** argv) {
    bot_options o;
    const std::map<std::string_view, bool*> switches{{"--listen", &o.listen},
                                                     {"--accept-invite", &o.accept_invite},
                                                     {"--invite-raised-hands", &o.invite_raised_hands},
                                                     {"--print-room", &o.print_room},
                                                     {"--json", &o.json_events}};
    const std::map<std::string_view, std::string*> texts{
        {"--host", &o.host},   {"--port", &o.port}, {"--context", &o.context},    {"--pcm", &o.pcm_path},
        {"--title", &o.title}, {"--name", &o.name}, {"--room-file", &o.room_file}};
    const std::map<std::string_view, std::optional<std::string>*> ids{
        {"--room", &o.room_hex},           {"--join", &o.join_hex}, {"--invite", &o.invite_hex},
        {"--admission", &o.admission_hex}, {"--host-key", &o.host_key_hex}};
    const std::map<std::string_view, std::optional<double>*> numbers{{"--tone", &o.tone_hz},
                                                                     {"--duration", &o.duration_s}};
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (const auto flag = switches.find(arg); flag != switches.end()) {
            *flag->second = true;
            continue;
        }
        if (i + 1 >= argc) return std::nullopt;  // --help and unknown switches land here too
        const std::string value = argv[++i];
        if (arg == "--server") {
            o.server_urls.push_back(value);
        } else if (const auto text = texts.find(arg); text != texts.end()) {
            *text->second = value;
        } else if (const auto id = ids.find(arg); id != ids.end()) {
            *id->second = value;
        } else if (const auto number = numbers.find(arg); number != numbers.end()) {
            if (!(*number->second = parse_number(value))) return std::nullopt;
        } else {
            return std::nullopt;
        }
    }
    if (o.tone_hz && *o.tone_hz >= 24'000.0) return std::nullopt;  // above Nyquist at 48 kHz
    if (!o.pcm_path.empty() && o.tone_hz) return std::nullopt;     // one voice at most
    if (o.room_hex && o.join_hex) return std::nullopt;
    if ((o.invite_hex || o.admission_hex || o.host_key_hex) && !o.join_hex) return std::nullopt;
    if (o.listen || o.print_room) o.json_events = true;
    const auto origin_of = [](const std::string& host, const std::string& port) {
        const bool v6 = host.find(':') != std::string::npos;
        return "http://" + (v6 ? "[" + host + "]" : host) + (port == "80" ? "" : ":" + port);
    };
    for (const auto& url : o.server_urls) {
        auto address = parse_server_url(url);
        if (!address) return std::nullopt;
        address->context = o.context.empty() ? origin_of(address->host, address->port) : o.context;
        o.relays.push_back(std::move(*address));
    }
    if (o.relays.empty()) o.relays.push_back({o.host, o.port, o.context.empty() ? origin_of(o.host, o.port) : o.context});
    o.host = o.relays.front().host;
    o.port = o.relays.front().port;
    o.context = o.relays.front().context;
    return o;
}

std::optional<std::vector<std::int16_t>> load_pcm(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    std::vector<char> raw((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (raw.size() < 2 * stoa::audio::frame_samples) return std::nullopt;
    std::vector<std::int16_t> samples(raw.size() / 2);
    for (std::size_t i = 0; i < samples.size(); ++i) {
        const auto lo = static_cast<std::uint8_t>(raw[2 * i]);
        const auto hi = static_cast<std::uint8_t>(raw[2 * i + 1]);
        samples[i] = static_cast<std::int16_t>(static_cast<std::uint16_t>(lo | (hi << 8)));
    }
    return samples;
}

template <typename Strong>
std::optional<Strong> parse_id(const std::string& hex) {
    const auto raw = stoa::from_hex(hex);
    if (!raw || raw->size() != Strong::size) return std::nullopt;
    Strong id;
    std::copy(raw->begin(), raw->end(), id.value.begin());
    return id;
}

// What the bot says: a looped sample, a tone, or nothing.
class voice {
public:
    voice() = default;
    explicit voice(std::vector<std::int16_t> pcm) : pcm_(std::move(pcm)) {}
    explicit voice(double hz) : tone_(std::in_place, hz, tone_amplitude) {}

    [[nodiscard]] bool silent() const noexcept { return pcm_.empty() && !tone_; }

    void fill(stoa::audio::pcm_frame& frame) {
        if (tone_) {
            tone_->fill(frame);
            return;
        }
        for (auto& sample : frame) {
            sample = pcm_[position_];
            position_ = (position_ + 1) % pcm_.size();
        }
    }

private:
    std::vector<std::int16_t> pcm_;
    std::optional<stoa::audio::sine_generator> tone_;
    std::size_t position_ = 0;
};

// The last second of what the bot played out, for the listening report.
class listening_window {
public:
    void add(const stoa::audio::pcm_frame& frame) {
        for (const auto sample : frame) {
            samples_[position_] = sample;
            position_ = (position_ + 1) % samples_.size();
        }
    }
    // Oldest first.
    [[nodiscard]] std::vector<std::int16_t> ordered() const {
        std::vector<std::int16_t> out(samples_.begin() + static_cast<std::ptrdiff_t>(position_), samples_.end());
        out.insert(out.end(), samples_.begin(), samples_.begin() + static_cast<std::ptrdiff_t>(position_));
        return out;
    }

private:
    std::vector<std::int16_t> samples_ = std::vector<std::int16_t>(stoa::audio::sample_rate_hz, 0);
    std::size_t position_ = 0;
};

std::atomic<bool> stop_requested{false};
std::optional<std::chrono::steady_clock::time_point> deadline;  // from --duration
const auto program_start = std::chrono::steady_clock::now();

bool should_stop() {
    if (deadline && std::chrono::steady_clock::now() >= *deadline) stop_requested = true;
    return stop_requested.load();
}

std::int64_t ms_since_start() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - program_start)
        .count();
}

// The session's clock: one for the bot's whole life, since the session outlives its connections.
stoa::time_point session_now() {
    return stoa::from_micros(std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() -
                                                                                   program_start)
                                 .count() +
                             1'000'000);
}

// One JSON line on stdout, flushed at once (a test reads it while the bot runs).
void print_json_event(const bot_options& options, const json& line) {
    if (!options.json_events) return;
    json out{{"t_ms", ms_since_start()}};
    out.update(line);
    std::cout << out.dump() << std::endl;
}

// Exit codes: 0 for a requested stop, the end of --duration, or removal from a joined room.
enum class outcome { reconnect, finished, fatal };

// Where the bot is across reconnects. The session itself remembers the room it is in and
// rejoins it (or, as its creator, re-creates it) after a loss; this is what the bot asked for.
struct bot_state {
    bool requested = false;  // the first join or create went out
    std::optional<stoa::room_id> room;
    std::optional<stoa::invite_token> invite;
    std::optional<stoa::e2ee::admission_secret> admission;
    std::optional<stoa::public_key> host_key;
    bool joins_existing = false;  // --join or --room: never make a room of its own
};

// One connection's life: connect, drive the session until the socket closes or a stop is asked.
class bot_connection {
public:
    bot_connection(net::io_context& io, const bot_options& options, const relay_address& relay,
                   stoa::client::client_session& session, voice& speech, bot_state& state)
        : io_(io), options_(options), relay_(relay), session_(session), voice_(speech), state_(state), ws_(io),
          timer_(io) {}

    // True once the WebSocket was up: the backoff starts over after a connection that worked.
    [[nodiscard]] bool connected() const noexcept { return connected_; }

    outcome run() {
        beast::error_code ec;
        tcp::resolver resolver(io_);
        const auto endpoints = resolver.resolve(relay_.host, relay_.port, ec);
        if (ec) return fail("resolve", ec);
        beast::get_lowest_layer(ws_).connect(endpoints, ec);
        if (ec) return fail("connect", ec);
        ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
        ws_.handshake(relay_.host + ":" + relay_.port, "/ws", ec);
        if (ec) return fail("websocket handshake", ec);
        connected_ = true;
        session_.set_relay_context(relay_.context);
        session_.on_connected(now());
        if (!state_.requested) {
            state_.requested = true;
            if (state_.room) {
                session_.join_room(*state_.room, state_.invite, profile(), state_.admission, state_.host_key);
            } else {
                session_.create_room(stoa::room::room_kind::open, false, options_.title);
            }
        } else if (!session_.rejoining() && !session_.in_room()) {
            // Lost before the session had a room to come back to (between create and join).
            if (state_.room) {
                session_.join_room(*state_.room, state_.invite, profile(), state_.admission, state_.host_key);
            } else {
                session_.create_room(stoa::room::room_kind::open, false, options_.title);
            }
        }
        flush();
        read();
        schedule_tick();
        io_.restart();
        io_.run();
        // A stop the user asked for (--duration, a signal) closed the transport: nothing was lost.
        if (should_stop()) return result_ == outcome::fatal ? result_ : outcome::finished;
        // The transport is gone: the session says connection_lost and will rejoin on the next one.
        session_.on_disconnected(now());
        handle_events();
        return result_;
    }

private:
    static stoa::time_point now() { return session_now(); }

    stoa::e2ee::profile profile() const {
        return {options_.name, voice_.silent() ? "I listen." : "I read a sample, over and over."};
    }

    outcome fail(const char* what, const beast::error_code& ec) {
        std::cerr << "stoa-bot: " << what << ": " << ec.message() << "\n";
        print_event({{"event", "error"},
                     {"code", 0},
                     {"name", "transport"},
                     {"message", std::string(what) + ": " + ec.message()}});
        return outcome::reconnect;
    }

    void print_event(const json& line) const { print_json_event(options_, line); }

    void read() {
        ws_.async_read(buffer_, [this](beast::error_code ec, std::size_t) {
            if (ec) {
                if (!stop_requested && result_ == outcome::reconnect) {
                    std::cerr << "stoa-bot: connection closed: " << ec.message() << "\n";
                }
                // The flag, not only cancel(): a tick already queued to run would not see the
                // cancellation and would keep the loop (and this dead connection) alive for good.
                transport_closed_ = true;
                timer_.cancel();
                return;
            }
            const auto data = buffer_.data();
            const auto* bytes = static_cast<const std::uint8_t*>(data.data());
            if (ws_.got_text()) {
                session_.receive_text(std::string_view(reinterpret_cast<const char*>(bytes), data.size()), now());
            } else {
                session_.receive_binary(stoa::byte_view(bytes, data.size()), now());
            }
            buffer_.consume(buffer_.size());
            handle_events();
            flush();
            read();
        });
    }

    // On stage with something to say (or told to take the stage): open the microphone.
    void unmute_if_on_stage(stoa::room::role role) {
        if (!stoa::room::is_on_stage(role)) return;
        if (voice_.silent() && !options_.accept_invite) return;
        session_.act(stoa::room::action::set_self_muted{false});
    }

    void handle_events() {
        namespace event = stoa::client::event;
        for (auto& any : session_.take_events()) {
            if (const auto* created = std::get_if<event::room_created>(&any)) {
                state_.room = created->room;
                state_.invite = created->invite;
                const std::string id = stoa::to_hex(created->room.value);
                json line{{"event", "room_created"},
                          {"room", id},
                          {"invite", nullptr},
                          {"host_key", stoa::to_hex(session_.identity().key().value)}};
                if (created->invite) line["invite"] = stoa::to_hex(created->invite->value);
                print_event(line);
                session_.join_room(created->room, created->invite, profile());
            } else if (const auto* joined = std::get_if<event::joined>(&any)) {
                const std::string id = stoa::to_hex(joined->room.value);
                if (options_.json_events) {
                    std::cerr << "stoa-bot: in room " << id << " as sender " << joined->index.value << std::endl;
                } else {
                    std::cout << "stoa-bot: in room " << id << " as sender " << joined->index.value << std::endl;
                }
                print_event({{"event", "joined"},
                             {"room", id},
                             {"id", stoa::to_hex(session_.id().value)},
                             {"index", joined->index.value},
                             {"role", stoa::proto::to_string(joined->member_role)}});
                if (!options_.room_file.empty()) std::ofstream(options_.room_file) << id << "\n";
                unmute_if_on_stage(joined->member_role);
            } else if (std::holds_alternative<event::invited_to_stage>(any)) {
                // The session reports an invitation both from the relay's notice and from the
                // roster; accept it once.
                const auto* self = session_.own_entry();
                if (options_.accept_invite && !accepting_ && self != nullptr &&
                    !stoa::room::is_on_stage(self->member_role)) {
                    accepting_ = true;
                    print_event({{"event", "invited_to_stage"}, {"accepting", true}});
                    session_.act(stoa::room::action::accept_invite{});
                } else if (!options_.accept_invite && !told_invited_) {
                    told_invited_ = true;
                    print_event({{"event", "invited_to_stage"}, {"accepting", false}});
                }
            } else if (const auto* keys = std::get_if<event::keys_changed>(&any)) {
                json line{{"event", "keys_changed"}, {"epoch", keys->epoch.value}};
                // The room's security code in its three forms, as the browser shows it (all from
                // core/e2ee, so a member comparing a bot's with a browser's sees the same).
                if (const auto code = session_.security_code(now())) {
                    std::string emoji;
                    for (const auto symbol : code->emoji) emoji += (emoji.empty() ? "" : " ") + std::string(symbol);
                    line["security_code"] = code->digits;
                    line["security_words"] = code->words;
                    line["security_emoji"] = emoji;
                    std::cerr << "stoa-bot: security code " << code->digits << " (" << code->words << ")\n";
                }
                print_event(line);
            } else if (const auto* reaction = std::get_if<event::reaction>(&any)) {
                const auto kind = stoa::client::reaction_from_byte(reaction->kind);
                print_event({{"event", "reaction"},
                             {"member", stoa::to_hex(reaction->member.value)},
                             {"sender", reaction->index.value},
                             {"kind", kind ? stoa::client::to_string(*kind) : "unknown"}});
            } else if (const auto* error = std::get_if<event::error>(&any)) {
                std::cerr << "stoa-bot: error " << error->code << " " << error->name << ": " << error->message << "\n";
                print_event(
                    {{"event", "error"}, {"code", error->code}, {"name", error->name}, {"message", error->message}});
                // A room that is not there at the first join: nothing to wait for. (After a loss the
                // session handles room_not_found itself and reports no error.)
                if (error->code == 505 && state_.joins_existing && !session_.rejoining()) {
                    result_ = outcome::fatal;
                    close();
                }
            } else if (const auto* removed = std::get_if<event::removed>(&any)) {
                std::cerr << "stoa-bot: removed from the room (" << stoa::proto::to_string(removed->reason) << ")\n";
                print_event({{"event", "removed"}, {"reason", stoa::proto::to_string(removed->reason)}});
                if (removed->reason != stoa::room::leave_reason::disconnected) {
                    // A member put out of someone else's room stays out; the creator makes a new one.
                    if (state_.joins_existing) result_ = outcome::finished;
                    close();
                }
            } else if (const auto* alarm = std::get_if<event::speaker_alarm>(&any)) {
                print_event({{"event", "speaker_alarm"}, {"sender", alarm->sender.value}, {"forged", alarm->forged}});
            } else if (const auto* security = std::get_if<event::security_alarm>(&any)) {
                print_event({{"event", "security_alarm"},
                             {"kind", stoa::client::event::to_string(security->kind)},
                             {"member", stoa::to_hex(security->member.value)},
                             {"sender", security->index.value}});
                std::cerr << "stoa-bot: security alarm " << stoa::client::event::to_string(security->kind)
                          << " about sender "
                          << security->index.value << std::endl;
            } else if (const auto* lost = std::get_if<event::connection_lost>(&any)) {
                std::cerr << "stoa-bot: lost the relay; will rejoin " << stoa::to_hex(lost->room.value) << "\n";
                print_event({{"event", "connection_lost"}, {"room", stoa::to_hex(lost->room.value)}});
            } else if (const auto* back = std::get_if<event::rejoined>(&any)) {
                std::cerr << "stoa-bot: back in room " << stoa::to_hex(back->room.value)
                          << (back->recreated ? " (re-created)" : "") << "\n";
                print_event({{"event", "rejoined"},
                             {"room", stoa::to_hex(back->room.value)},
                             {"index", back->index.value},
                             {"role", stoa::proto::to_string(back->member_role)},
                             {"recreated", back->recreated}});
            } else if (const auto* failed = std::get_if<event::rejoin_failed>(&any)) {
                std::cerr << "stoa-bot: gave up rejoining " << stoa::to_hex(failed->room.value) << "\n";
                print_event(
                    {{"event", "rejoin_failed"}, {"room", stoa::to_hex(failed->room.value)}, {"code", failed->code}});
                result_ = outcome::fatal;
                close();
            } else if (const auto* shutdown = std::get_if<event::relay_shutdown>(&any)) {
                std::cerr << "stoa-bot: the relay is shutting down\n";
                print_event(
                    {{"event", "relay_shutdown"},
                     {"reconnect_after_ms",
                      std::chrono::duration_cast<std::chrono::milliseconds>(shutdown->reconnect_after).count()}});
            }
        }
        notice_role_change();
        invite_raised_hands();
    }

    // The demo room's host asks every raised hand up, once per raise: a member who declines keeps
    // the hand up and is not asked again until they lower and raise it.
    void invite_raised_hands() {
        if (!options_.invite_raised_hands || !session_.in_room()) return;
        if (!stoa::room::is_privileged(session_.role())) return;
        const auto hands = session_.raised_hands();
        std::erase_if(invited_, [&](const stoa::member_id& id) {
            return std::none_of(hands.begin(), hands.end(), [&](const auto& m) { return m.id == id; });
        });
        for (const auto& member : hands) {
            if (member.invited_to_stage || !invited_.insert(member.id).second) continue;
            print_event({{"event", "inviting"}, {"member", stoa::to_hex(member.id.value)}});
            session_.act(stoa::room::action::invite_to_stage{member.id});
        }
    }

    // The session says role_changed only when the member switches roster streams (to or from
    // moderator); a listener going on stage shows only in the roster. So the role is compared here.
    void notice_role_change() {
        if (!session_.in_room()) {
            role_.reset();
            return;
        }
        const auto* self = session_.own_entry();
        if (self == nullptr) return;  // the snapshot with our own entry is still on its way
        const auto role = self->member_role;
        if (role_ == role) return;
        const bool first = !role_.has_value();  // the joined event told it already
        role_ = role;
        accepting_ = false;
        told_invited_ = false;
        if (first) return;
        print_event({{"event", "role_changed"}, {"role", stoa::proto::to_string(role)}});
        if (options_.accept_invite) unmute_if_on_stage(role);
    }

    void report_listening() {
        const auto heard = window_.ordered();
        const auto& stats = session_.stats();
        const float level = stoa::audio::rms_dbfs(heard);
        const double frequency = level > stoa::audio::silence_floor_dbfs ? stoa::audio::dominant_frequency(heard) : 0.0;
        const auto epoch = session_.current_epoch();
        json line{{"t_ms", ms_since_start()},
                  {"frames_decrypted", stats.frames_received},
                  {"frequency_hz", frequency},
                  {"level_dbfs", level},
                  {"epoch", nullptr},
                  {"in_room", session_.in_room()},
                  {"role", nullptr},
                  {"frames_sent", stats.frames_sent},
                  {"decrypt_failures", stats.decrypt_failures},
                  {"forged_frames", stats.forged_frames},
                  {"unverified_frames", stats.unverified_frames}};
        if (epoch) line["epoch"] = epoch->value;
        if (session_.in_room()) line["role"] = stoa::proto::to_string(session_.role());
        std::cout << line.dump() << std::endl;
    }

    void schedule_tick() {
        next_tick_ = next_tick_ == std::chrono::steady_clock::time_point{} ? std::chrono::steady_clock::now() + 20ms
                                                                           : next_tick_ + 20ms;
        timer_.expires_at(next_tick_);
        timer_.async_wait([this](beast::error_code ec) {
            if (ec || transport_closed_) return;
            if (should_stop()) {
                close();
                return;
            }
            const auto t = now();
            session_.tick(t);
            if (session_.in_room() && !voice_.silent()) {
                stoa::audio::pcm_frame frame{};
                voice_.fill(frame);
                (void)session_.send_audio(frame, t);  // refused until keys arrive and the bot is unmuted
            }
            if (options_.listen) {
                stoa::audio::pcm_frame heard{};
                session_.pull_audio(t, heard);
                window_.add(heard);
                if (++frames_since_report_ == frames_per_report) {
                    frames_since_report_ = 0;
                    report_listening();
                }
            }
            handle_events();
            flush();
            schedule_tick();
        });
    }

    void flush() {
        for (auto& message : session_.take_outbound()) outbox_.push_back(std::move(message));
        if (!writing_) write_next();
    }

    void write_next() {
        if (outbox_.empty() || closing_) {
            writing_ = false;
            return;
        }
        writing_ = true;
        ws_.binary(outbox_.front().binary);
        ws_.async_write(net::buffer(outbox_.front().data), [this](beast::error_code ec, std::size_t) {
            outbox_.pop_front();
            if (ec) {
                writing_ = false;
                return;
            }
            write_next();
        });
    }

    void close() {
        if (closing_) return;
        closing_ = true;
        timer_.cancel();
        ws_.async_close(websocket::close_code::normal, [](beast::error_code) {});
    }

    net::io_context& io_;
    const bot_options& options_;
    const relay_address& relay_;
    stoa::client::client_session& session_;
    voice& voice_;
    bot_state& state_;
    websocket::stream<beast::tcp_stream> ws_;
    net::steady_timer timer_;
    beast::flat_buffer buffer_;
    std::deque<stoa::client::outbound> outbox_;
    bool writing_ = false;
    bool closing_ = false;
    bool accepting_ = false;
    bool told_invited_ = false;
    std::set<stoa::member_id> invited_;  // hands this host has asked up and that are still raised
    std::optional<stoa::room::role> role_;
    outcome result_ = outcome::reconnect;
    listening_window window_;
    int frames_since_report_ = 0;
    std::chrono::steady_clock::time_point next_tick_{};
    bool connected_ = false;
    bool transport_closed_ = false;
};

}  // namespace

int main(int argc, char** argv) {
    const auto options = parse(argc, argv);
    if (!options) {
        usage();
        return 2;
    }
    voice speech;
    if (!options->pcm_path.empty()) {
        auto pcm = load_pcm(options->pcm_path);
        if (!pcm) {
            std::cerr << "stoa-bot: cannot read PCM from " << options->pcm_path << "\n";
            return 2;
        }
        speech = voice(std::move(*pcm));
    } else if (options->tone_hz) {
        speech = voice(*options->tone_hz);
    }
    bot_state state;
    if (const auto& hex = options->room_hex ? options->room_hex : options->join_hex) {
        state.room = parse_id<stoa::room_id>(*hex);
        if (!state.room) {
            std::cerr << "stoa-bot: " << (options->room_hex ? "--room" : "--join") << " takes 32 hex digits\n";
            return 2;
        }
        state.joins_existing = true;
    }
    if (options->invite_hex) {
        state.invite = parse_id<stoa::invite_token>(*options->invite_hex);
        if (!state.invite) {
            std::cerr << "stoa-bot: --invite takes 64 hex digits\n";
            return 2;
        }
    }
    if (options->admission_hex) {
        const auto raw = stoa::from_hex(*options->admission_hex);
        if (!raw || raw->size() != stoa::e2ee::admission_secret::size) {
            std::cerr << "stoa-bot: --admission takes 64 hex digits\n";
            return 2;
        }
        state.admission = stoa::e2ee::admission_secret(std::span<const std::uint8_t, 32>(raw->data(), 32));
    }
    if (options->host_key_hex) {
        state.host_key = parse_id<stoa::public_key>(*options->host_key_hex);
        if (!state.host_key) {
            std::cerr << "stoa-bot: --host-key takes 64 hex digits\n";
            return 2;
        }
    }
    if (options->duration_s) {
        deadline = program_start + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                       std::chrono::duration<double>(*options->duration_s));
    }
    std::signal(SIGINT, [](int) { stop_requested = true; });
    std::signal(SIGTERM, [](int) { stop_requested = true; });

    stoa::e2ee::system_random random;
    stoa::client::client_config config;
    config.relay_context = options->context;
    config.decode_audio = options->listen;
    config.verify_speakers = options->listen;  // a listener checks every speaker's signatures
    // One identity and session for the bot's life: after a lost relay the session rejoins its
    // room, and a host re-creates it under the same id (its key and claim make the id).
    stoa::client::client_session session(stoa::e2ee::identity::generate(random), config, random);
    constexpr auto first_backoff = 100ms;
    constexpr auto max_backoff = 2s;
    auto backoff = std::chrono::milliseconds(first_backoff);
    std::size_t next_relay = 0;
    while (!should_stop()) {
        const relay_address& relay = options->relays[next_relay];
        net::io_context io;
        bot_connection connection(io, *options, relay, session, speech, state);
        const outcome ended = connection.run();
        if (ended == outcome::fatal) return 1;
        if (ended == outcome::finished || should_stop()) break;
        if (connection.connected()) {
            backoff = first_backoff;  // it worked until it broke: come back quickly, same relay first
        } else {
            next_relay = (next_relay + 1) % options->relays.size();  // unreachable: try the next one
        }
        // Equal jitter: half the delay fixed, half random, so a room's members do not all return
        // at the same instant.
        const auto half = backoff.count() / 2;
        const auto delay = std::chrono::milliseconds(half + static_cast<std::int64_t>(
                                                                random.uniform(static_cast<std::uint64_t>(half) + 1)));
        const relay_address& target = options->relays[next_relay];
        std::cerr << "stoa-bot: reconnecting to " << target.host << ":" << target.port << " in " << delay.count()
                  << " ms\n";
        print_json_event(*options, {{"event", "reconnecting"},
                                    {"server", "ws://" + target.host + ":" + target.port},
                                    {"in_ms", delay.count()},
                                    {"room", session.rejoining() ? json(stoa::to_hex(session.rejoining()->value))
                                                                 : json(nullptr)}});
        // A reconnect backoff, not synchronisation; cut short by a stop. The session's timers run
        // meanwhile, so it gives up on its room in time even with no relay to talk to.
        const auto resume = std::chrono::steady_clock::now() + delay;
        while (std::chrono::steady_clock::now() < resume && !should_stop()) {
            session.tick(session_now());
            for (const auto& any : session.take_events()) {
                if (const auto* failed = std::get_if<stoa::client::event::rejoin_failed>(&any)) {
                    std::cerr << "stoa-bot: gave up rejoining " << stoa::to_hex(failed->room.value) << "\n";
                    print_json_event(*options, {{"event", "rejoin_failed"},
                                                {"room", stoa::to_hex(failed->room.value)},
                                                {"code", failed->code}});
                    return 1;
                }
            }
            (void)session.take_outbound();  // nothing can go out without a relay
            std::this_thread::sleep_for(20ms);
        }
        backoff = std::min<std::chrono::milliseconds>(backoff * 2, max_backoff);
    }
    return 0;
}
