// The real protocol: every member is a stoa::client::client_session over its own connection. The
// host opens the room and speaks; other speakers are invited on stage, accept and unmute; they
// encode a speech-like signal with Opus and encrypt every frame. Listeners follow the room and
// take their keys; one in `decrypt_every` decrypts and authenticates every frame it receives.
#include <cstdio>
#include <optional>
#include <variant>
#include <vector>

#include "bench_protocol.hpp"
#include "speech_signal.hpp"
#include "stoa/client/client_session.hpp"
#include "stoa/e2ee/system_random.hpp"
#include "stoa/proto/binary.hpp"

namespace stoa::bench {

namespace {

using client::client_session;
namespace event = client::event;

constexpr std::size_t speech_frames = 250;  // 5 s of signal, looped
// Listeners' timers (key expiry, unverified-frame deadlines) need no 20 ms precision.
constexpr std::uint32_t listener_tick_spread = 10;

time_point core_now() { return from_micros(now_us()); }

class stoa_protocol final : public bench_protocol {
public:
    stoa_protocol(bench_context& context, stoa_options options) : context_(context), options_(std::move(options)) {}

    std::string target() const override { return "/ws"; }

    void add_member(std::shared_ptr<bench_connection> connection) override {
        const std::uint32_t i = connection->index();
        auto m = std::make_unique<member>();
        m->connection = std::move(connection);
        m->speaker = i < context_.speakers;
        m->decrypts = m->speaker || (i % options_.decrypt_every == 0);
        client::client_config config;
        config.relay_context = options_.auth_context;
        config.client_name = "stoa_relay_bench";
        config.decode_audio = false;
        config.verify_speakers = false;
        config.bitrate_bps = options_.bitrate_bps;
        m->session = std::make_unique<client_session>(e2ee::identity::generate(random_), config, random_);
        if (m->speaker) m->speech = make_speech_frames(speech_frames, options_.seed * 1000 + i);
        members_.push_back(std::move(m));
    }

    std::uint32_t ready_members() const override { return joined_; }

    bool prepare_to_talk() override {
        const auto now = core_now();
        member& host = *members_[0];
        bool all_ready = true;
        for (std::uint32_t i = 0; i < context_.speakers; ++i) {
            member& m = *members_[i];
            const auto* entry = m.session->own_entry();
            if (i > 0 && !m.invited) {
                host.session->act(room::action::invite_to_stage{m.session->id()});
                m.invited = true;
            }
            if (entry != nullptr && room::is_on_stage(entry->member_role) && entry->self_muted && !m.unmute_asked) {
                m.session->act(room::action::set_self_muted{false});
                m.unmute_asked = true;
            }
            flush(m, now);
            const bool can_speak = entry != nullptr && room::is_on_stage(entry->member_role) && !entry->self_muted &&
                                   m.session->current_epoch().has_value();
            all_ready = all_ready && can_speak;
        }
        flush(host, now);
        // Listeners need the epoch key too, or the sample that decrypts would count failures.
        return all_ready && keyed_ >= joined_;
    }

    void speak(std::uint32_t speaker, std::uint32_t seq, std::int64_t scheduled_us) override {
        member& m = *members_[speaker];
        if (!m.connection->open()) return;
        const auto now = core_now();
        m.scheduled_us = scheduled_us;
        if (auto sent = m.session->send_audio(m.speech[seq % m.speech.size()], now); !sent.ok()) {
            ++send_failures_;
            return;
        }
        flush(m, now);
        m.scheduled_us = 0;
    }

    void tick() override {
        const auto now = core_now();
        for (std::uint32_t i = 0; i < context_.speakers && i < members_.size(); ++i) tick_member(*members_[i], now);
        for (std::size_t i = context_.speakers + tick_phase_; i < members_.size(); i += listener_tick_spread) {
            tick_member(*members_[i], now);
        }
        tick_phase_ = (tick_phase_ + 1) % listener_tick_spread;
    }

    void on_open(bench_connection& connection) override {
        member& m = *members_[connection.index()];
        const auto now = core_now();
        m.session->on_connected(now);
        if (connection.index() == 0) {
            m.session->create_room(room::room_kind::open, false, std::string("relay benchmark"));
        } else if (room_) {
            m.session->join_room(*room_, std::nullopt, e2ee::profile{"bench " + std::to_string(connection.index()), ""});
        }
        flush(m, now);
    }

    void on_text(bench_connection& connection, std::string_view text) override {
        member& m = *members_[connection.index()];
        const auto now = core_now();
        m.session->receive_text(text, now);
        flush(m, now);
    }

    void on_binary(bench_connection& connection, byte_span data) override {
        member& m = *members_[connection.index()];
        const auto type = data.empty() ? 0 : data[0];
        const bool media = type == static_cast<std::uint8_t>(proto::binary_type::media);
        if (media) {
            context_.frame_received(data, connection);
            ++media_received_;
        }
        // Media and speaker signatures go to the sample that decrypts; key messages to everyone.
        if (!m.decrypts && (media || type == static_cast<std::uint8_t>(proto::binary_type::speaker_signature))) return;
        const auto now = core_now();
        m.session->receive_binary(data, now);
        flush(m, now);
    }

    void on_closed(bench_connection& connection, std::string_view why) override {
        ++context_.closed_connections;
        member& m = *members_[connection.index()];
        if (m.joined) --joined_;
        m.joined = false;
        if (closes_reported_++ < 5) std::fprintf(stderr, "stoa: member %u closed: %.*s\n", connection.index(), static_cast<int>(why.size()), why.data());
    }

    nlohmann::json report() const override {
        client::session_stats sum{};
        std::uint64_t sampled = 0;
        std::size_t session_bytes = 0;
        for (const auto& m : members_) {
            session_bytes += m->session->approximate_bytes();
            if (m->speaker || !m->decrypts) continue;
            ++sampled;
            const auto& s = m->session->stats();
            sum.frames_received += s.frames_received;
            sum.decrypt_failures += s.decrypt_failures;
            sum.no_key_failures += s.no_key_failures;
            sum.bad_payloads += s.bad_payloads;
            sum.replays_rejected += s.replays_rejected;
        }
        std::uint64_t frames_sent = 0;
        for (std::uint32_t i = 0; i < context_.speakers && i < members_.size(); ++i) {
            frames_sent += members_[i]->session->stats().frames_sent;
        }
        return {{"listeners_decrypting", sampled},
                {"decrypted_frames", sum.frames_received},
                {"decrypt_failures", sum.decrypt_failures},
                {"no_key_failures", sum.no_key_failures},
                {"bad_payloads", sum.bad_payloads},
                {"speaker_frames_encrypted", frames_sent},
                {"send_audio_failures", send_failures_},
                {"media_messages_received", media_received_},
                {"relay_errors", relay_errors_},
                {"members_removed", removed_},
                {"members_keyed", keyed_},
                {"client_session_bytes_total", session_bytes}};
    }

private:
    struct member {
        std::shared_ptr<bench_connection> connection;
        std::unique_ptr<client_session> session;
        std::vector<audio::pcm_frame> speech;
        std::int64_t scheduled_us = 0;  // set while a speaker's frame is being flushed
        bool speaker = false;
        bool decrypts = false;
        bool joined = false;
        bool keyed = false;
        bool invited = false;
        bool unmute_asked = false;
    };

    void tick_member(member& m, time_point now) {
        if (!m.connection->open()) return;
        m.session->tick(now);
        flush(m, now);
    }

    // Moves the session's messages to its socket and reacts to its events.
    void flush(member& m, time_point now) {
        if (m.session->has_outbound() && m.connection->open()) {
            for (auto& out : m.session->take_outbound()) {
                const byte_span bytes(reinterpret_cast<const std::uint8_t*>(out.data.data()), out.data.size());
                if (out.binary) {
                    if (out.media && !out.data.empty() && out.data[0] == static_cast<char>(proto::binary_type::media)) {
                        context_.frame_sent(bytes, m.scheduled_us != 0 ? m.scheduled_us : now_us());
                    }
                    m.connection->send_binary(bytes);
                } else {
                    m.connection->send_text(out.data);
                }
            }
        }
        for (auto& e : m.session->take_events()) handle_event(m, e, now);
    }

    void handle_event(member& m, const client::client_event& e, time_point now) {
        if (const auto* created = std::get_if<event::room_created>(&e)) {
            room_ = created->room;
            m.session->join_room(*room_, std::nullopt, e2ee::profile{"bench host", ""});
            flush(m, now);
        } else if (std::holds_alternative<event::joined>(e)) {
            if (!m.joined) ++joined_;
            m.joined = true;
        } else if (std::holds_alternative<event::keys_changed>(e)) {
            if (!m.keyed) ++keyed_;
            m.keyed = true;
        } else if (std::holds_alternative<event::invited_to_stage>(e)) {
            m.session->act(room::action::accept_invite{});
            flush(m, now);
        } else if (const auto* error = std::get_if<event::error>(&e)) {
            ++relay_errors_;
            ++context_.errors;
            if (relay_errors_ <= 5) {
                std::fprintf(stderr, "stoa: member %u error %u %s: %s\n", m.connection->index(), error->code,
                             error->name.c_str(), error->message.c_str());
            }
        } else if (std::holds_alternative<event::removed>(e)) {
            ++removed_;
        }
    }

    bench_context& context_;
    stoa_options options_;
    e2ee::system_random random_;
    std::vector<std::unique_ptr<member>> members_;
    std::optional<room_id> room_;
    std::uint32_t joined_ = 0;
    std::uint32_t keyed_ = 0;
    std::uint32_t tick_phase_ = 0;
    std::uint64_t send_failures_ = 0;
    std::uint64_t media_received_ = 0;
    std::uint64_t relay_errors_ = 0;
    std::uint64_t removed_ = 0;
    std::uint32_t closes_reported_ = 0;
};

}  // namespace

std::unique_ptr<bench_protocol> make_stoa_protocol(bench_context& context, stoa_options options) {
    return std::make_unique<stoa_protocol>(context, std::move(options));
}

}  // namespace stoa::bench
