// stoa-bot: a speaker that is a real client over the real protocol. It connects to a relay over
// WebSocket, creates (or joins) a room, takes the stage and talks: it loops a 48 kHz mono speech
// sample, encoding, encrypting and signing every 20 ms frame like a browser would. The demo room
// of the README's main command is one of these.
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
#include <optional>
#include <string>
#include <thread>
#include <utility>  // before Boost 1.74's asio, whose awaitable.hpp uses std::exchange unincluded
#include <vector>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include "stoa/audio/format.hpp"
#include "stoa/client/client_session.hpp"
#include "stoa/e2ee/system_random.hpp"

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using namespace std::chrono_literals;

namespace {

struct bot_options {
    std::string host = "127.0.0.1";
    std::string port = "8080";
    std::string context = "stoa relay";
    std::string pcm_path;
    std::string title = "Stoa demo room";
    std::string name = "Stoa bot";
    std::optional<std::string> room_hex;
    std::string room_file;  // where to write the room id once the room exists
};

void usage() {
    std::cerr << "usage: stoa-bot --pcm FILE [--host H] [--port P] [--context C] [--title T] [--name N]\n"
                 "                [--room HEX] [--room-file PATH]\n"
                 "  FILE is raw signed 16-bit little-endian mono PCM at 48 kHz (looped).\n";
}

std::optional<bot_options> parse(int argc, char** argv) {
    bot_options o;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        auto value = [&]() -> std::optional<std::string> {
            if (i + 1 >= argc) return std::nullopt;
            return std::string(argv[++i]);
        };
        std::optional<std::string> v;
        if (arg == "--help" || arg == "-h") return std::nullopt;
        if (!(v = value())) return std::nullopt;
        if (arg == "--host") o.host = *v;
        else if (arg == "--port") o.port = *v;
        else if (arg == "--context") o.context = *v;
        else if (arg == "--pcm") o.pcm_path = *v;
        else if (arg == "--title") o.title = *v;
        else if (arg == "--name") o.name = *v;
        else if (arg == "--room") o.room_hex = *v;
        else if (arg == "--room-file") o.room_file = *v;
        else return std::nullopt;
    }
    if (o.pcm_path.empty()) return std::nullopt;
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

std::atomic<bool> stop_requested{false};

// One connection's life: connect, drive the session until the socket closes or a stop is asked.
class bot_connection {
public:
    bot_connection(net::io_context& io, const bot_options& options, stoa::client::client_session& session,
                   const std::vector<std::int16_t>& pcm, std::optional<stoa::room_id>& room)
        : io_(io), options_(options), session_(session), pcm_(pcm), room_(room), ws_(io), timer_(io) {}

    // Returns when the connection ends; true if it ended because a stop was requested.
    bool run() {
        beast::error_code ec;
        tcp::resolver resolver(io_);
        const auto endpoints = resolver.resolve(options_.host, options_.port, ec);
        if (ec) return fail("resolve", ec);
        beast::get_lowest_layer(ws_).connect(endpoints, ec);
        if (ec) return fail("connect", ec);
        ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
        ws_.handshake(options_.host + ":" + options_.port, "/ws", ec);
        if (ec) return fail("websocket handshake", ec);
        started_ = std::chrono::steady_clock::now();
        session_.on_connected(now());
        if (room_) {
            session_.join_room(*room_, std::nullopt, {options_.name, "I read a sample, over and over."});
        } else {
            session_.create_room(stoa::room::room_kind::open, false, options_.title);
        }
        flush();
        read();
        schedule_tick();
        io_.restart();
        io_.run();
        return stop_requested.load();
    }

private:
    stoa::time_point now() const {
        return stoa::from_micros(std::chrono::duration_cast<std::chrono::microseconds>(
                                     std::chrono::steady_clock::now() - started_).count() + 1'000'000);
    }

    bool fail(const char* what, const beast::error_code& ec) {
        std::cerr << "stoa-bot: " << what << ": " << ec.message() << "\n";
        return false;
    }

    void read() {
        ws_.async_read(buffer_, [this](beast::error_code ec, std::size_t) {
            if (ec) {
                if (!stop_requested) std::cerr << "stoa-bot: connection closed: " << ec.message() << "\n";
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

    void handle_events() {
        for (auto& event : session_.take_events()) {
            if (const auto* created = std::get_if<stoa::client::event::room_created>(&event)) {
                room_ = created->room;
                session_.join_room(created->room, std::nullopt, {options_.name, "I read a sample, over and over."});
            } else if (const auto* joined = std::get_if<stoa::client::event::joined>(&event)) {
                const std::string id = stoa::to_hex(joined->room.value);
                std::cout << "stoa-bot: in room " << id << " as sender " << joined->index.value << std::endl;
                if (!options_.room_file.empty()) std::ofstream(options_.room_file) << id << "\n";
                session_.act(stoa::room::action::set_self_muted{false});
            } else if (const auto* error = std::get_if<stoa::client::event::error>(&event)) {
                std::cerr << "stoa-bot: error " << error->code << " " << error->name << ": " << error->message << "\n";
                if (error->code == 505 && room_) {  // room_not_found: the relay restarted; make a new one
                    room_.reset();
                    session_.create_room(stoa::room::room_kind::open, false, options_.title);
                }
            } else if (const auto* removed = std::get_if<stoa::client::event::removed>(&event)) {
                std::cerr << "stoa-bot: removed from the room (reason " << static_cast<int>(removed->reason) << ")\n";
                if (removed->reason != stoa::room::leave_reason::disconnected) close();
            } else if (std::holds_alternative<stoa::client::event::relay_shutdown>(event)) {
                std::cerr << "stoa-bot: the relay is shutting down\n";
            }
        }
    }

    void schedule_tick() {
        next_tick_ += 20ms;
        if (next_tick_ == std::chrono::steady_clock::time_point{} + 20ms) next_tick_ = std::chrono::steady_clock::now() + 20ms;
        timer_.expires_at(next_tick_);
        timer_.async_wait([this](beast::error_code ec) {
            if (ec) return;
            if (stop_requested) {
                close();
                return;
            }
            const auto t = now();
            session_.tick(t);
            if (session_.in_room()) {
                std::array<std::int16_t, stoa::audio::frame_samples> frame{};
                for (auto& sample : frame) {
                    sample = pcm_[position_];
                    position_ = (position_ + 1) % pcm_.size();
                }
                (void)session_.send_audio(frame, t);  // refused until keys arrive and the bot is unmuted
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
        if (outbox_.empty()) {
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
        timer_.cancel();
        ws_.async_close(websocket::close_code::normal, [](beast::error_code) {});
    }

    net::io_context& io_;
    const bot_options& options_;
    stoa::client::client_session& session_;
    const std::vector<std::int16_t>& pcm_;
    std::optional<stoa::room_id>& room_;
    websocket::stream<beast::tcp_stream> ws_;
    net::steady_timer timer_;
    beast::flat_buffer buffer_;
    std::deque<stoa::client::outbound> outbox_;
    bool writing_ = false;
    std::chrono::steady_clock::time_point started_{};
    std::chrono::steady_clock::time_point next_tick_{};
    std::size_t position_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
    const auto options = parse(argc, argv);
    if (!options) {
        usage();
        return 2;
    }
    const auto pcm = load_pcm(options->pcm_path);
    if (!pcm) {
        std::cerr << "stoa-bot: cannot read PCM from " << options->pcm_path << "\n";
        return 2;
    }
    std::optional<stoa::room_id> room;
    if (options->room_hex) {
        const auto raw = stoa::from_hex(*options->room_hex);
        if (!raw || raw->size() != stoa::room_id::size) {
            std::cerr << "stoa-bot: --room takes 32 hex digits\n";
            return 2;
        }
        room.emplace();
        std::copy(raw->begin(), raw->end(), room->value.begin());
    }
    std::signal(SIGINT, [](int) { stop_requested = true; });
    std::signal(SIGTERM, [](int) { stop_requested = true; });

    stoa::e2ee::system_random random;
    stoa::client::client_config config;
    config.relay_context = options->context;
    config.decode_audio = false;  // the bot only talks
    config.verify_speakers = false;
    auto backoff = 500ms;
    while (!stop_requested) {
        // A fresh identity and session per connection: the room may have been lost with the relay.
        stoa::client::client_session session(stoa::e2ee::identity::generate(random), config, random);
        net::io_context io;
        bot_connection connection(io, *options, session, *pcm, room);
        if (connection.run()) break;
        if (stop_requested) break;
        std::cerr << "stoa-bot: reconnecting in " << backoff.count() << " ms\n";
        std::this_thread::sleep_for(backoff);  // a reconnect backoff, not synchronisation
        backoff = std::min<std::chrono::milliseconds>(backoff * 2, 10s);
    }
    return 0;
}
