// Speaker authenticity: a member holding the room key forges another speaker's audio, and the
// verifier flags it; genuine audio verifies under loss and reordering; memory stays bounded.
#include <catch2/catch.hpp>

#include "e2ee_test_support.hpp"
#include "stoa/e2ee/speaker_auth.hpp"

using namespace stoa;
using namespace stoa::e2ee;
using test::at_ms;

namespace {
const bytes opus_frame(80, 0x42);

struct stage {
    test::room_harness room;
    test::member_client& alice;    // the genuine speaker
    test::member_client& mallory;  // a member with the room key
    test::member_client& bob;      // a listener
    speaker_signer signer;
    speaker_verifier verifier;
    stage()
        : alice(room.add(2, at_ms(0))),
          mallory(room.add(3, at_ms(0))),
          bob(room.add(4, at_ms(0))),
          signer(alice.self, alice.index, speaker_signer_config{room.room()}),
          verifier(speaker_verifier_config{room.room()}) {
        room.tick_and_deliver(at_ms(0));
        verifier.set_speaker_key(alice.index, alice.self.key());
        verifier.set_speaker_key(mallory.index, mallory.self.key());
    }

    // Alice sends one frame; returns the frame and any signature messages now due.
    std::pair<bytes, std::vector<bytes>> alice_sends(time_point now) {
        bytes frame(frame_encryptor::max_protected_size(opus_frame.size()));
        auto info = alice.encryptor.protect(alice.ring, opus_frame, frame, now).value();
        frame.resize(info.size);
        return {frame, signer.on_frame_sent(info.kid, info.counter, frame, now)};
    }

    // Bob decrypts and, if accepted, records the frame with the verifier.
    std::vector<speaker_event> bob_receives(sender_index stamped, const bytes& frame, time_point now) {
        bytes out(frame.size());
        auto info = bob.decryptor.unprotect(bob.ring, stamped, frame, out, now);
        if (!info) return {};
        return verifier.on_frame_accepted(info->sender, info->kid, info->counter, frame, now);
    }
};
}  // namespace

TEST_CASE("genuine speech verifies: one signature per 10 frames vouches for each frame", "[e2ee][speaker]") {
    stage s;
    std::size_t messages = 0, verified = 0;
    for (int i = 0; i < 100; ++i) {
        auto [frame, due] = s.alice_sends(at_ms(20 * i));
        CHECK(s.bob_receives(s.alice.index, frame, at_ms(20 * i + 5)).empty());
        for (const auto& message : due) {
            ++messages;
            CHECK(message.size() == speaker_message_size(10));
            auto outcome = s.verifier.on_signature(s.alice.index, message, at_ms(20 * i + 6));
            REQUIRE(outcome.ok());
            CHECK(outcome->forged.empty());
            verified += outcome->verified;
        }
    }
    CHECK(messages == 10);
    CHECK(verified == 100);
    CHECK(s.verifier.pending_frames() == 0);
    CHECK(s.verifier.tick(at_ms(10'000)).empty());
}

TEST_CASE("a member with the room key forging another speaker's audio is detected", "[e2ee][speaker]") {
    stage s;
    // Alice's frames 0..9 are sent; Mallory, holding the epoch secret, derives Alice's sender key and
    // makes her own frame with Alice's KID and counter 3, which a colluding relay delivers first and
    // stamps as Alice.
    std::vector<bytes> alice_frames;
    std::vector<bytes> due;
    for (int i = 0; i < 10; ++i) {
        auto [frame, messages] = s.alice_sends(at_ms(20 * i));
        alice_frames.push_back(frame);
        for (auto& m : messages) due.push_back(m);
    }
    REQUIRE(due.size() == 1);

    const secret_key* epoch_secret = s.mallory.ring.epoch_secret(epoch_id(1), at_ms(0));
    REQUIRE(epoch_secret != nullptr);
    const std::uint64_t alice_kid = make_kid(epoch_id(1), s.alice.index).value();
    const sframe_key stolen = sframe_key::derive(sender_base_key(*epoch_secret, s.alice.index), alice_kid);
    const bytes fake_audio(80, 0x66);
    bytes forged(protected_size(sframe_max_header_size, fake_audio.size()));
    forged.resize(stolen.seal(3, fake_audio, forged).value());

    // The forged frame decrypts: the room key alone cannot tell it from Alice's.
    for (int i = 0; i < 10; ++i) {
        const bytes& frame = i == 3 ? forged : alice_frames[static_cast<std::size_t>(i)];
        CHECK(s.bob_receives(s.alice.index, frame, at_ms(20 * i + 5)).empty());
    }
    // Alice's genuine frame 3 arrives later and is a replay to the decryptor: dropped.
    bytes out(alice_frames[3].size());
    CHECK(s.bob.decryptor.unprotect(s.bob.ring, s.alice.index, alice_frames[3], out, at_ms(210)).error() ==
          e2ee_error::replay);

    auto outcome = s.verifier.on_signature(s.alice.index, due[0], at_ms(215));
    REQUIRE(outcome.ok());
    CHECK(outcome->verified == 9);
    REQUIRE(outcome->forged.size() == 1);
    CHECK(outcome->forged[0].verdict == frame_verdict::forged);
    CHECK(outcome->forged[0].sender == s.alice.index);
    CHECK(outcome->forged[0].counter == 3);
}

TEST_CASE("a forged frame ahead of the speaker is flagged when the signature arrives or the deadline passes",
          "[e2ee][speaker]") {
    stage s;
    const secret_key* epoch_secret = s.mallory.ring.epoch_secret(epoch_id(1), at_ms(0));
    const std::uint64_t alice_kid = make_kid(epoch_id(1), s.alice.index).value();
    const sframe_key stolen = sframe_key::derive(sender_base_key(*epoch_secret, s.alice.index), alice_kid);
    bytes forged(protected_size(sframe_max_header_size, 80));
    forged.resize(stolen.seal(500, opus_frame, forged).value());
    CHECK(s.bob_receives(s.alice.index, forged, at_ms(10)).empty());
    CHECK(s.verifier.tick(at_ms(1009)).empty());
    const auto events = s.verifier.tick(at_ms(1010));
    REQUIRE(events.size() == 1);
    CHECK(events[0].verdict == frame_verdict::unverified);
    CHECK(events[0].counter == 500);
}

TEST_CASE("signature messages that are not the speaker's own are refused", "[e2ee][speaker]") {
    stage s;
    std::vector<bytes> due;
    for (int i = 0; i < 10; ++i) {
        auto [frame, messages] = s.alice_sends(at_ms(20 * i));
        for (auto& m : messages) due.push_back(m);
    }
    REQUIRE(due.size() == 1);
    const bytes& genuine = due[0];

    SECTION("Mallory signs a list in Alice's name") {
        speaker_signer impostor(s.mallory.self, s.alice.index, speaker_signer_config{s.room.room()});
        std::vector<bytes> fake;
        for (std::uint64_t c = 0; c < 10; ++c) {
            for (auto& m : impostor.on_frame_sent(make_kid(epoch_id(1), s.alice.index).value(), c, opus_frame,
                                                  at_ms(0))) {
                fake.push_back(m);
            }
        }
        REQUIRE(fake.size() == 1);
        CHECK(s.verifier.on_signature(s.alice.index, fake[0], at_ms(300)).error() == e2ee_error::bad_signature);
    }
    SECTION("a hash changed in transit") {
        bytes tampered = genuine;
        tampered[1 + 4 + 8 + 8 + 1 + 5] ^= 1;
        CHECK(s.verifier.on_signature(s.alice.index, tampered, at_ms(300)).error() == e2ee_error::bad_signature);
    }
    SECTION("relayed under another sender index") {
        CHECK(s.verifier.on_signature(s.mallory.index, genuine, at_ms(300)).error() == e2ee_error::sender_mismatch);
    }
    SECTION("a speaker the roster does not know") {
        speaker_verifier fresh(speaker_verifier_config{s.room.room()});
        CHECK(fresh.on_signature(s.alice.index, genuine, at_ms(300)).error() == e2ee_error::unknown_sender);
    }
    SECTION("from another room") {
        speaker_verifier elsewhere(speaker_verifier_config{test::make_room(80)});
        elsewhere.set_speaker_key(s.alice.index, s.alice.self.key());
        CHECK(elsewhere.on_signature(s.alice.index, genuine, at_ms(300)).error() == e2ee_error::bad_signature);
    }
    SECTION("malformed") {
        CHECK(parse_speaker_message(byte_view(genuine).first(20)).error() == e2ee_error::truncated);
        bytes zero_count = genuine;
        zero_count[1 + 4 + 8 + 8] = 0;
        CHECK(parse_speaker_message(zero_count).error() == e2ee_error::bad_header);
        bytes longer = genuine;
        longer.push_back(0);
        CHECK(parse_speaker_message(longer).error() == e2ee_error::bad_header);
    }
}

TEST_CASE("verification works under loss and when the signature overtakes its frames", "[e2ee][speaker]") {
    stage s;
    std::vector<bytes> frames;
    std::vector<bytes> due;
    for (int i = 0; i < 10; ++i) {
        auto [frame, messages] = s.alice_sends(at_ms(20 * i));
        frames.push_back(frame);
        for (auto& m : messages) due.push_back(m);
    }
    // Frames 0-4 arrive, frames 5 and 6 are lost, the signature arrives, then frames 7-9 arrive late.
    for (int i = 0; i < 5; ++i) CHECK(s.bob_receives(s.alice.index, frames[static_cast<std::size_t>(i)], at_ms(100)).empty());
    auto outcome = s.verifier.on_signature(s.alice.index, due[0], at_ms(210));
    REQUIRE(outcome.ok());
    CHECK(outcome->verified == 5);
    for (int i = 7; i < 10; ++i) CHECK(s.bob_receives(s.alice.index, frames[static_cast<std::size_t>(i)], at_ms(220)).empty());
    CHECK(s.verifier.pending_frames() == 0);
    // Hashes for the lost frames are forgotten after the deadline: nothing is reported for loss.
    CHECK(s.verifier.tick(at_ms(5000)).empty());
    CHECK(s.verifier.signed_hashes() == 0);
}

TEST_CASE("a partial batch is signed when the speaker stops", "[e2ee][speaker]") {
    stage s;
    for (int i = 0; i < 3; ++i) CHECK(s.alice_sends(at_ms(20 * i)).second.empty());
    CHECK(s.signer.next_deadline() == at_ms(200));
    CHECK(s.signer.tick(at_ms(199)).empty());
    const auto due = s.signer.tick(at_ms(200));
    REQUIRE(due.size() == 1);
    CHECK(due[0].size() == speaker_message_size(3));
    CHECK_FALSE(s.signer.next_deadline().has_value());
}

TEST_CASE("speaker verifier memory is bounded", "[e2ee][speaker]") {
    stage s;
    speaker_verifier small(speaker_verifier_config{s.room.room(), std::chrono::seconds(1), 16, 16});
    std::size_t evicted = 0;
    for (std::uint64_t c = 0; c < 100; ++c) {
        const bytes frame{static_cast<std::uint8_t>(c)};
        for (const auto& e : small.on_frame_accepted(s.alice.index, 1, c, frame, at_ms(0))) {
            CHECK(e.verdict == frame_verdict::unverified);
            ++evicted;
        }
        CHECK(small.pending_frames() <= 16);
    }
    CHECK(evicted == 84);
}
