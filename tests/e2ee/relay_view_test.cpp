// Everything the e2ee APIs hand to the relay, gathered over a whole room session, must never
// contain a display name or profile text, nor any epoch or roster secret.
#include <catch2/catch.hpp>

#include <algorithm>

#include "e2ee_test_support.hpp"
#include "stoa/e2ee/profile_crypto.hpp"
#include "stoa/e2ee/speaker_auth.hpp"

using namespace stoa;
using namespace stoa::e2ee;
using test::at_ms;

namespace {
bool contains(const bytes& haystack, byte_view needle) {
    return std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end()) != haystack.end();
}
}  // namespace

TEST_CASE("relay-visible bytes contain no display name and no secret", "[e2ee][relay_view]") {
    test::room_harness room;
    std::vector<bytes> relay_saw;
    auto record = [&](const distributor_output& out) {
        if (out.announcement) relay_saw.push_back(*out.announcement);
        for (const auto& p : out.packages) relay_saw.push_back(p.blob);
    };
    auto& alice = room.add(2, at_ms(0));
    room.add(3, at_ms(0));
    record(room.tick_and_deliver(at_ms(0)));
    room.add(4, at_ms(10));
    record(room.tick_and_deliver(at_ms(260)));
    room.remove(3, at_ms(300));
    record(room.tick_and_deliver(at_ms(800)));

    const std::string name = "Grace Hopper";
    const std::string text = "Nanoseconds are 30 cm of wire";
    const epoch_keys& keys = *alice.ring.newest_keys();
    relay_saw.push_back(seal_profile(profile{name, text}, alice.self, alice.index, room.room(), keys.generation,
                                     keys.roster_secret, room.random())
                            .value());

    // Speech whose plaintext happens to be the name itself: still only ciphertext on the wire.
    speaker_signer signer(alice.self, alice.index, speaker_signer_config{room.room()});
    for (int i = 0; i < 20; ++i) {
        const time_point now = at_ms(1200 + 20 * i);
        bytes frame(frame_encryptor::max_protected_size(name.size()));
        auto info = alice.encryptor.protect(alice.ring, as_bytes(name), frame, now).value();
        frame.resize(info.size);
        relay_saw.push_back(frame);
        for (auto& m : signer.on_frame_sent(info.kid, info.counter, frame, now)) relay_saw.push_back(m);
    }
    REQUIRE(relay_saw.size() > 25);

    for (const auto& message : relay_saw) {
        CHECK_FALSE(contains(message, as_bytes(name)));
        CHECK_FALSE(contains(message, as_bytes(text)));
        CHECK_FALSE(contains(message, as_bytes("Grace")));
        for (std::uint64_t e = 1; e <= 3; ++e) {
            const secret_key* secret = room.host().ring.epoch_secret(epoch_id(e), at_ms(1200));
            if (secret != nullptr) CHECK_FALSE(contains(message, secret->view()));
        }
        CHECK_FALSE(contains(message, keys.roster_secret.view()));
    }
}
