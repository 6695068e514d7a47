// The Socket.IO baseline's protocol, spoken natively: Engine.IO v4 over the websocket transport
// (open `0{...}`, ping `2` / pong `3`) carrying Socket.IO v5 packets (connect `40`, binary event
// `451-[...]` followed by its attachment as one binary WebSocket message).
#include <string>
#include <vector>

#include "baseline_payload.hpp"
#include "bench_protocol.hpp"

namespace stoa::bench {

namespace {

constexpr std::string_view audio_event_header = R"(451-["audio",{"_placeholder":true,"num":0}])";

class socketio_protocol final : public bench_protocol {
public:
    explicit socketio_protocol(bench_context& context) : context_(context) {}

    std::string target() const override { return "/socket.io/?EIO=4&transport=websocket"; }
    void add_member(std::shared_ptr<bench_connection> connection) override {
        members_.push_back(std::move(connection));
        state_.push_back(member_state{});
    }
    std::uint32_t ready_members() const override { return ready_; }
    bool prepare_to_talk() override { return true; }
    void tick() override {}

    void speak(std::uint32_t speaker, std::uint32_t seq, std::int64_t scheduled_us) override {
        auto& connection = *members_[speaker];
        if (!connection.open() || !state_[speaker].connected) return;
        make_baseline_payload(payload_, speaker, seq, context_.payload_bytes);
        context_.frame_sent(payload_, scheduled_us);
        connection.send_text(audio_event_header);
        connection.send_binary(payload_);
    }

    void on_open(bench_connection&) override {}

    void on_text(bench_connection& connection, std::string_view text) override {
        auto& state = state_[connection.index()];
        if (text.empty()) return;
        switch (text[0]) {
            case '0':  // Engine.IO open: connect to the main namespace
                connection.send_text("40");
                return;
            case '2':  // Engine.IO ping from the server
                connection.send_text("3");
                ++pings_;
                return;
            case '4':
                break;
            default:
                ++unexpected_;
                return;
        }
        if (text.rfind("40", 0) == 0) {
            if (!state.connected) {
                state.connected = true;
                ++ready_;
            }
        } else if (text.rfind("451-", 0) == 0) {
            state.attachments_due = 1;
        } else if (text.rfind("44", 0) == 0) {
            ++context_.errors;
        } else {
            ++unexpected_;
        }
    }

    void on_binary(bench_connection& connection, byte_span data) override {
        auto& state = state_[connection.index()];
        if (state.attachments_due == 0) {
            ++unexpected_;
            return;
        }
        --state.attachments_due;
        context_.frame_received(data, connection);
    }

    void on_closed(bench_connection& connection, std::string_view) override {
        ++context_.closed_connections;
        if (state_[connection.index()].connected) --ready_;
        state_[connection.index()].connected = false;
    }

    nlohmann::json report() const override { return {{"engine_io_pings_answered", pings_}, {"unexpected_messages", unexpected_}}; }

private:
    struct member_state {
        bool connected = false;
        std::uint8_t attachments_due = 0;
    };
    bench_context& context_;
    std::vector<std::shared_ptr<bench_connection>> members_;
    std::vector<member_state> state_;
    std::vector<std::uint8_t> payload_;
    std::uint32_t ready_ = 0;
    std::uint64_t pings_ = 0;
    std::uint64_t unexpected_ = 0;
};

}  // namespace

std::unique_ptr<bench_protocol> make_socketio_protocol(bench_context& context) {
    return std::make_unique<socketio_protocol>(context);
}

}  // namespace stoa::bench
