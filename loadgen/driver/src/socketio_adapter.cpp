#include "stoa/loadgen/driver/socketio_adapter.hpp"

#include <iterator>
#include <string>

#include "stoa/loadgen/driver/fanout_error.hpp"
#include "stoa/loadgen/driver/fanout_session.hpp"
#include "stoa/loadgen/driver/socketio_packet.hpp"

namespace stoa::loadgen {
namespace {

constexpr std::string_view audio_event = "audio";  // the one event baseline_socketio.js relays

const std::string& frame_header() {
    static const std::string header = socketio::write_binary_event_header(audio_event);
    return header;
}

class socketio_member final : public member_protocol {
public:
    socketio_member(const member_profile& profile, media_sink& sink) : session_(profile, sink) {}

    void on_open(time_point) override { reset_connection(); }  // the server speaks first (Engine.IO open)

    void on_text(std::string_view text, time_point) override {
        if (attachments_due_ > 0) {
            // An event's attachments come straight after it; text first means they never will.
            attachments_due_ = 0;
            frame_due_ = false;
            session_.report(fanout_error::bad_message);
        }
        const auto engine = socketio::read_engine_packet(text);
        if (!engine) return session_.report(engine.error());
        switch (engine->type) {
            case socketio::engine_type::open:
                if (engine->data.empty() || engine->data.front() != '{')
                    return session_.report(fanout_error::bad_message);
                if (!namespace_asked_) {
                    namespace_asked_ = true;
                    send(std::string(socketio::connect_main_namespace));
                }
                return;
            case socketio::engine_type::close:
                return session_.relay_shutdown();
            case socketio::engine_type::ping:
                return send(socketio::pong_for(engine->data));
            case socketio::engine_type::pong:
            case socketio::engine_type::noop:
                return;
            case socketio::engine_type::upgrade:
                return session_.report(fanout_error::unknown_packet);
            case socketio::engine_type::message:
                return on_packet(engine->data);
        }
    }

    void on_binary(byte_view message, time_point now) override {
        if (attachments_due_ == 0) return session_.report(fanout_error::unexpected_binary);
        --attachments_due_;
        if (!frame_due_) return;  // an attachment of an event already reported
        frame_due_ = false;
        session_.on_frame(message, now);
    }

    void on_closed(time_point) override {
        session_.transport_closed();
        reset_connection();
    }
    void tick(time_point) override {}  // Engine.IO v4 servers ping; the client only answers

    void take_outbound(std::vector<wire_message>& out) override {
        drain_session();
        std::move(outbound_.begin(), outbound_.end(), std::back_inserter(out));
        outbound_.clear();
    }
    void take_notes(std::vector<member_note>& out) override { session_.take_notes(out); }

    void open_room(std::string_view title, bool) override { session_.open_room(title); }
    void look_up_room(std::string_view title) override { session_.look_up_room(title); }
    void join(const room_ref& room, std::string_view display_name) override { session_.join(room, display_name); }
    void leave() override {
        session_.leave();
        if (namespace_connected_) {
            namespace_connected_ = false;
            send(std::string(socketio::disconnect_main_namespace));
        }
    }
    void raise_hand() override {}  // no one would read it: invitations follow the plan, not hands
    bool invite(std::uint64_t identity_seed) override { return session_.invite(identity_seed); }
    void accept_invite() override { session_.accept_invite(); }
    void step_down() override { session_.step_down(); }

    bool send_frame(byte_view opus, time_point at) override { return session_.send_frame(opus, at); }
    void playout(time_point) override {}  // nothing decodes: the payload is the driver's sample, unencrypted

    member_counters counters() const override { return {}; }
    std::size_t approximate_bytes() const override {
        std::size_t total = sizeof(*this) - sizeof(session_) + session_.approximate_bytes();
        total += outbound_.capacity() * sizeof(wire_message);
        for (const auto& message : outbound_) total += message.data.capacity();
        return total;
    }

private:
    void on_packet(std::string_view text) {
        const auto packet = socketio::read_packet(text);
        if (!packet) return session_.report(packet.error());
        // A binary packet's attachments follow whatever it turns out to be; they are consumed.
        attachments_due_ = packet->attachments;
        frame_due_ = false;
        if (packet->name_space != "/") return session_.report(fanout_error::bad_message);
        switch (packet->type) {
            case socketio::packet_type::connect:
                if (!packet->data.empty() && packet->data.front() != '{')
                    return session_.report(fanout_error::bad_message);
                namespace_connected_ = true;
                return session_.transport_ready();
            case socketio::packet_type::disconnect:
                namespace_connected_ = false;
                return session_.removed_by_server();
            case socketio::packet_type::event: {
                const auto argument = socketio::event_argument(packet->data, audio_event);
                if (!argument) return session_.report(fanout_error::bad_message);
                return session_.on_control(*argument);
            }
            case socketio::packet_type::connect_error:
                return session_.report(fanout_error::connect_refused);
            case socketio::packet_type::binary_event:
                frame_due_ = packet->attachments == 1 &&
                             socketio::event_argument(packet->data, audio_event) == socketio::placeholder_argument;
                if (!frame_due_) session_.report(fanout_error::bad_message);
                return;
            case socketio::packet_type::ack:
            case socketio::packet_type::binary_ack:
                return session_.report(fanout_error::unknown_packet);  // this client never asks for one
        }
    }

    // The session's announcements and frames, as "audio" events, ahead of anything sent after them.
    void drain_session() {
        pending_.clear();
        session_.take_outbound(pending_);
        for (auto& message : pending_) {
            if (message.binary) {
                outbound_.push_back(wire_message{false, frame_header()});
                outbound_.push_back(std::move(message));
            } else {
                outbound_.push_back(wire_message{false, socketio::write_event(audio_event, message.data)});
            }
        }
        pending_.clear();
    }

    void send(std::string text) {
        drain_session();
        outbound_.push_back(wire_message{false, std::move(text)});
    }

    void reset_connection() {
        namespace_asked_ = false;
        namespace_connected_ = false;
        attachments_due_ = 0;
        frame_due_ = false;
        outbound_.clear();
    }

    fanout_session session_;
    std::vector<wire_message> outbound_;
    std::vector<wire_message> pending_;
    bool namespace_asked_ = false;
    bool namespace_connected_ = false;
    std::uint32_t attachments_due_ = 0;
    bool frame_due_ = false;  // the next attachment is a frame
};

class socketio_adapter final : public protocol_adapter {
public:
    [[nodiscard]] std::string_view name() const override { return "socketio"; }
    std::unique_ptr<member_protocol> make_member(const member_profile& profile, media_sink& sink) override {
        return std::make_unique<socketio_member>(profile, sink);
    }
    [[nodiscard]] std::vector<std::string_view> error_names() const override {
        std::vector<std::string_view> names;
        names.reserve(all_fanout_errors.size());
        for (const fanout_error error : all_fanout_errors) names.push_back(to_string(error));
        return names;
    }
};

}  // namespace

std::unique_ptr<protocol_adapter> make_socketio_adapter() {
    return std::make_unique<socketio_adapter>();
}

}  // namespace stoa::loadgen
