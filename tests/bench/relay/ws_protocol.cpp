// The `ws` baseline's protocol: nothing but binary WebSocket messages broadcast to everyone else.
#include <vector>

#include "baseline_payload.hpp"
#include "bench_protocol.hpp"

namespace stoa::bench {

namespace {

class ws_protocol final : public bench_protocol {
public:
    explicit ws_protocol(bench_context& context) : context_(context) {}

    std::string target() const override { return "/"; }
    void add_member(std::shared_ptr<bench_connection> connection) override { members_.push_back(std::move(connection)); }
    std::uint32_t ready_members() const override { return ready_; }
    bool prepare_to_talk() override { return true; }
    void tick() override {}

    void speak(std::uint32_t speaker, std::uint32_t seq, std::int64_t scheduled_us) override {
        auto& connection = *members_[speaker];
        if (!connection.open()) return;
        make_baseline_payload(payload_, speaker, seq, context_.payload_bytes);
        context_.frame_sent(payload_, scheduled_us);
        connection.send_binary(payload_);
    }

    void on_open(bench_connection& connection) override {
        connection.user = this;  // marks it as opened
        ++ready_;
    }
    void on_text(bench_connection&, std::string_view) override { ++unexpected_text_; }
    void on_binary(bench_connection& connection, byte_span data) override { context_.frame_received(data, connection); }
    void on_closed(bench_connection& connection, std::string_view) override {
        ++context_.closed_connections;
        if (connection.user != nullptr) --ready_;
        connection.user = nullptr;
    }

    nlohmann::json report() const override { return {{"unexpected_text", unexpected_text_}}; }

private:
    bench_context& context_;
    std::vector<std::shared_ptr<bench_connection>> members_;
    std::vector<std::uint8_t> payload_;
    std::uint32_t ready_ = 0;
    std::uint64_t unexpected_text_ = 0;
};

}  // namespace

std::unique_ptr<bench_protocol> make_ws_protocol(bench_context& context) { return std::make_unique<ws_protocol>(context); }

}  // namespace stoa::bench
