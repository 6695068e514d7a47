// Speaker-signature flooding: signatures travel as never-dropped control traffic, and a recipient
// whose control queue overflows is disconnected. The relay forwards them only from the stage (and
// a short tail after leaving it) and rate-limits them; clients bound what they hold.
#include <catch2/catch.hpp>

#include "hostile_room.hpp"

using namespace stoa;
using namespace stoa::test;

namespace {
wire signature_from(sender_index index, std::size_t size, std::uint8_t fill) {
    const bytes message = proto::encode_binary(proto::speaker_signature_message{index, bytes(size, fill)});
    return wire{true, std::string(message.begin(), message.end())};
}
}  // namespace

TEST_CASE("a listener flooding speaker signatures reaches nobody and disconnects nobody",
          "[adversary][signatures]") {
    hostile_room r;
    hostile_member& host = r.create_room();
    hostile_member& flooder = r.join("Flooder");
    hostile_member& listener = r.join("Listener");
    r.advance_frames(600ms);
    host.session->act(room::action::set_self_muted{false});
    r.run();
    std::size_t signatures_to_listener = 0;
    r.relay.to_client = [&](relay::connection_id to, wire w) {
        if (to == listener.connection && binary_type_of(w) == proto::binary_type::speaker_signature) {
            ++signatures_to_listener;
        }
        return std::vector<wire>{std::move(w)};
    };
    for (int round = 0; round < 50; ++round) {
        for (int i = 0; i < 100; ++i) {
            r.relay.inject_to_relay(flooder.connection, signature_from(flooder.session->index(), 150, 0xab), r.now);
        }
        r.speak(host, 1);
    }
    CHECK(r.relay.closed_by_engine() == 0);
    CHECK(r.relay.is_connected(listener.connection));
    CHECK(r.relay.is_connected(host.connection));
    // The listener got the host's signatures only (about one per 10 frames), none of the 5,000.
    CHECK(signatures_to_listener <= 10);
    CHECK(listener.session->stats().signatures_verified >= 40);
    CHECK(listener.session->stats().forged_frames == 0);
}

TEST_CASE("a relay flooding a client with signatures from unknown senders costs it bounded memory",
          "[adversary][signatures]") {
    hostile_room r;
    r.create_room();
    hostile_member& listener = r.join("Listener");
    r.advance_frames(600ms);
    const std::size_t before = listener.session->approximate_bytes();
    for (std::uint32_t i = 0; i < 20'000; ++i) {
        r.relay.inject(listener.connection, signature_from(sender_index(1000 + (i % 5000)), 22 + 12 * 32 + 64,
                                                           static_cast<std::uint8_t>(i)));
        if (i % 1000 == 0) r.run();
    }
    r.run();
    r.advance_frames(2s);  // held signatures expire
    CHECK(listener.session->in_room());
    CHECK(listener.session->approximate_bytes() < before + 64 * 1024);
}
