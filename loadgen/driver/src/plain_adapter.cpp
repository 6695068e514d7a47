#include "stoa/loadgen/driver/plain_adapter.hpp"

#include "stoa/loadgen/driver/fanout_error.hpp"
#include "stoa/loadgen/driver/fanout_session.hpp"

namespace stoa::loadgen {
namespace {

// The session's announcements and frames are already the plain protocol's messages.
class plain_member final : public member_protocol {
public:
    plain_member(const member_profile& profile, media_sink& sink) : session_(profile, sink) {}

    void on_open(time_point) override { session_.transport_ready(); }
    void on_text(std::string_view text, time_point) override { session_.on_control(text); }
    void on_binary(byte_view message, time_point now) override { session_.on_frame(message, now); }
    void on_closed(time_point) override { session_.transport_closed(); }
    void tick(time_point) override {}
    void take_outbound(std::vector<wire_message>& out) override { session_.take_outbound(out); }
    void take_notes(std::vector<member_note>& out) override { session_.take_notes(out); }

    void open_room(std::string_view title, bool) override { session_.open_room(title); }
    void look_up_room(std::string_view title) override { session_.look_up_room(title); }
    void join(const room_ref& room, std::string_view display_name) override { session_.join(room, display_name); }
    void leave() override { session_.leave(); }
    void raise_hand() override {}  // no one would read it: invitations follow the plan, not hands
    bool invite(std::uint64_t identity_seed) override { return session_.invite(identity_seed); }
    void accept_invite() override { session_.accept_invite(); }
    void step_down() override { session_.step_down(); }

    bool send_frame(byte_view opus, time_point at) override { return session_.send_frame(opus, at); }
    void playout(time_point) override {}  // nothing decodes: the payload is the driver's sample, unencrypted

    member_counters counters() const override { return {}; }  // no decryption, so nothing fails it
    std::size_t approximate_bytes() const override {
        return sizeof(*this) - sizeof(session_) + session_.approximate_bytes();
    }

private:
    fanout_session session_;
};

class plain_adapter final : public protocol_adapter {
public:
    [[nodiscard]] std::string_view name() const override { return "plain"; }
    std::unique_ptr<member_protocol> make_member(const member_profile& profile, media_sink& sink) override {
        return std::make_unique<plain_member>(profile, sink);
    }
    [[nodiscard]] std::vector<std::string_view> error_names() const override {
        return {to_string(fanout_error::bad_message), to_string(fanout_error::bad_frame),
                to_string(fanout_error::truncated_frame), to_string(fanout_error::bad_room_ref)};
    }
};

}  // namespace

std::unique_ptr<protocol_adapter> make_plain_adapter() {
    return std::make_unique<plain_adapter>();
}

}  // namespace stoa::loadgen
