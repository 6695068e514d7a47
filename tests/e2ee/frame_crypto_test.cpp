// Frame protection between members: replay, tampering, nonce uniqueness, forward and backward
// secrecy across joins and leaves, and no gap in decryption across a rekey.
#include <catch2/catch.hpp>

#include <set>

#include "e2ee_test_support.hpp"
#include "stoa/e2ee/frame_crypto.hpp"

using namespace stoa;
using namespace stoa::e2ee;
using test::at_ms;

namespace {
const bytes opus_frame = [] {
    bytes b(80);
    for (std::size_t i = 0; i < b.size(); ++i) b[i] = static_cast<std::uint8_t>(i * 7);
    return b;
}();

result<frame_info, e2ee_error> receive(test::member_client& to, sender_index from, byte_view frame, time_point now) {
    bytes out(frame.size());
    return to.decryptor.unprotect(to.ring, from, frame, out, now);
}

// Host + members 2 and 3, keyed by the first fresh epoch at t=0.
struct small_room {
    test::room_harness room;
    small_room() {
        room.add(2, at_ms(0));
        room.add(3, at_ms(0));
        room.tick_and_deliver(at_ms(0));
    }
};
}  // namespace

TEST_CASE("a member's frame decrypts for every other member", "[e2ee][frames]") {
    small_room s;
    auto& alice = s.room.member(2);
    const bytes frame = test::send(alice, opus_frame, at_ms(10));
    for (auto* receiver : {&s.room.host(), &s.room.member(3)}) {
        bytes out(frame.size());
        auto info = receiver->decryptor.unprotect(receiver->ring, alice.index, frame, out, at_ms(20));
        REQUIRE(info.ok());
        out.resize(info->size);
        CHECK(out == opus_frame);
        CHECK(info->sender == alice.index);
        CHECK(info->epoch == epoch_id(1));
        CHECK(info->counter == 0);
    }
}

TEST_CASE("a replayed frame is rejected", "[e2ee][frames]") {
    small_room s;
    auto& alice = s.room.member(2);
    auto& bob = s.room.member(3);
    const bytes first = test::send(alice, opus_frame, at_ms(10));
    const bytes second = test::send(alice, opus_frame, at_ms(30));
    REQUIRE(receive(bob, alice.index, second, at_ms(40)).ok());
    REQUIRE(receive(bob, alice.index, first, at_ms(41)).ok());  // late is fine
    CHECK(receive(bob, alice.index, first, at_ms(42)).error() == e2ee_error::replay);
    CHECK(receive(bob, alice.index, second, at_ms(43)).error() == e2ee_error::replay);
}

TEST_CASE("tampering with header, KID, counter, payload or tag is rejected", "[e2ee][frames]") {
    small_room s;
    auto& alice = s.room.member(2);
    auto& bob = s.room.member(3);
    // Counter 9 so the header carries a one-byte CTR field: header = config, 4-byte KID, 1-byte CTR.
    bytes frame;
    for (int i = 0; i < 10; ++i) frame = test::send(alice, opus_frame, at_ms(10 + i));
    REQUIRE(frame[0] == 0xb8);  // X=1 KLEN=4, Y=1 CLEN=1
    const std::size_t header_size = 6;

    struct row {
        const char* what;
        std::size_t offset;
        std::uint8_t mask;
        std::vector<e2ee_error> expected;
    };
    const row rows[] = {
        {"config byte", 0, 0x01, {e2ee_error::bad_header, e2ee_error::truncated, e2ee_error::sender_mismatch,
                                   e2ee_error::unknown_epoch, e2ee_error::auth_failed}},
        {"KID epoch bits", 1, 0x02, {e2ee_error::unknown_epoch}},
        {"KID sender bits (relay stamp unchanged)", 4, 0x01, {e2ee_error::sender_mismatch}},
        {"CTR", 5, 0x01, {e2ee_error::auth_failed}},
        {"payload", header_size + 3, 0x80, {e2ee_error::auth_failed}},
        {"tag", 0, 0x01, {e2ee_error::auth_failed}},  // offset patched below to the last byte
    };
    for (const auto& r : rows) {
        CAPTURE(r.what);
        bytes tampered = frame;
        const std::size_t offset = std::string_view(r.what) == "tag" ? tampered.size() - 1 : r.offset;
        tampered[offset] ^= r.mask;
        auto result = receive(bob, alice.index, tampered, at_ms(50));
        REQUIRE_FALSE(result.ok());
        CHECK(std::find(r.expected.begin(), r.expected.end(), result.error()) != r.expected.end());
    }
    SECTION("KID rewritten to another member and stamped as that member: wrong key") {
        bytes tampered = frame;
        tampered[4] = 3;  // sender index 3 = bob... pretend it came from member 3
        auto& host = s.room.host();
        CHECK(receive(host, sender_index(3), tampered, at_ms(50)).error() == e2ee_error::auth_failed);
    }
    SECTION("truncated frames") {
        CHECK(receive(bob, alice.index, byte_view(frame).first(header_size + 15), at_ms(50)).error() ==
              e2ee_error::truncated);
        CHECK(receive(bob, alice.index, byte_view(frame).first(3), at_ms(50)).error() == e2ee_error::truncated);
    }
    // A rejected frame changed nothing: the genuine one still decrypts.
    CHECK(receive(bob, alice.index, frame, at_ms(60)).ok());
}

TEST_CASE("nonces never repeat across many frames and epochs", "[e2ee][frames]") {
    test::room_harness room;
    room.add(2, at_ms(0));
    room.tick_and_deliver(at_ms(0));
    auto& alice = room.member(2);
    std::set<std::pair<std::uint64_t, std::uint64_t>> seen;  // (KID, CTR) identifies (key, nonce)
    std::int64_t t = 0;
    std::uint32_t next_member = 10;
    for (int epoch_change = 0; epoch_change < 6; ++epoch_change) {
        for (int i = 0; i < 300; ++i) {
            t += 20;
            bytes out(frame_encryptor::max_protected_size(opus_frame.size()));
            auto info = alice.encryptor.protect(alice.ring, opus_frame, out, at_ms(t));
            REQUIRE(info.ok());
            CHECK(seen.insert({info->kid, info->counter}).second);
        }
        // Alternate joins (ratchet) and leaves (fresh) to change the epoch.
        if (epoch_change % 2 == 0) {
            room.add(next_member++, at_ms(t));
            t += 250;
        } else {
            room.remove(next_member - 1, at_ms(t));
            t += 500;
        }
        room.tick_and_deliver(at_ms(t));
    }
    std::set<std::uint64_t> kids;
    for (const auto& [kid, counter] : seen) kids.insert(kid);
    CHECK(kids.size() >= 6);  // the frames really spanned several keys
}

TEST_CASE("a sender refuses to reuse a counter when the key is exhausted", "[e2ee][frames]") {
    test::room_harness room;
    room.tick_and_deliver(at_ms(0));
    auto& host = room.host();
    frame_encryptor tiny(host.index, 2);  // counters 0, 1, 2 then stop
    bytes out(frame_encryptor::max_protected_size(opus_frame.size()));
    for (std::uint64_t expected = 0; expected <= 2; ++expected) {
        CHECK(tiny.protect(host.ring, opus_frame, out, at_ms(1)).value().counter == expected);
    }
    CHECK(tiny.protect(host.ring, opus_frame, out, at_ms(2)).error() == e2ee_error::counter_exhausted);
    CHECK(tiny.protect(host.ring, opus_frame, out, at_ms(3)).error() == e2ee_error::counter_exhausted);
}

TEST_CASE("a removed member cannot decrypt audio sent after the leave rekey", "[e2ee][frames][leave]") {
    small_room s;
    auto& alice = s.room.member(2);
    s.room.remove(3, at_ms(1000));
    auto& removed_bob = s.room.removed(3);
    // Before the rekey lands, frames are still in the epoch Bob holds (the < 2 s window).
    CHECK(receive(removed_bob, alice.index, test::send(alice, opus_frame, at_ms(1100)), at_ms(1100)).ok());

    const auto out = s.room.tick_and_deliver(at_ms(1500));
    REQUIRE(out.own_epoch);
    CHECK(out.own_epoch->kind == epoch_kind::fresh);
    CHECK(out.packages.size() == 1);  // only Alice: Bob is gone, the host installs its own
    // After the switch delay Alice sends in the new epoch; Bob has no key for it.
    const bytes after = test::send(alice, opus_frame, at_ms(1500 + 300));
    CHECK(receive(removed_bob, alice.index, after, at_ms(1810)).error() == e2ee_error::unknown_epoch);
    CHECK(receive(s.room.host(), alice.index, after, at_ms(1810)).ok());
    // Bob cannot derive the new epoch from the old one either: a fresh epoch is random.
    const secret_key* old_secret = removed_bob.ring.epoch_secret(epoch_id(1), at_ms(1810));
    REQUIRE(old_secret != nullptr);
    CHECK_FALSE(join_ratchet(*old_secret, epoch_id(2)) == *s.room.host().ring.epoch_secret(epoch_id(2), at_ms(1810)));
}

TEST_CASE("a joiner cannot decrypt frames sent before it joined", "[e2ee][frames][join]") {
    small_room s;
    auto& alice = s.room.member(2);
    const bytes before = test::send(alice, opus_frame, at_ms(100));
    auto& carol = s.room.add(4, at_ms(200));
    const auto out = s.room.tick_and_deliver(at_ms(450));
    REQUIRE(out.announcement);
    REQUIRE(carol.ring.newest_epoch() == epoch_id(2));
    CHECK(receive(carol, alice.index, before, at_ms(460)).error() == e2ee_error::unknown_epoch);
    // Even a frame Alice sends just after the join, before switching, is in the old epoch.
    const bytes during_switch = test::send(alice, opus_frame, at_ms(460));
    CHECK(receive(carol, alice.index, during_switch, at_ms(470)).error() == e2ee_error::unknown_epoch);
    // Once Alice switches, Carol hears her.
    const bytes after = test::send(alice, opus_frame, at_ms(450 + 300));
    CHECK(receive(carol, alice.index, after, at_ms(760)).ok());
}

TEST_CASE("decryption never gaps across a rekey, and old keys stop after the grace period", "[e2ee][frames]") {
    small_room s;
    auto& alice = s.room.member(2);
    auto& bob = s.room.member(3);
    s.room.add(9, at_ms(100));  // a member to remove later
    s.room.tick_and_deliver(at_ms(350));  // epoch 2: join ratchet
    // Frames sent in epoch 2 and delayed in flight while the leave rekey happens.
    const bytes in_flight = test::send(alice, opus_frame, at_ms(900));
    const bytes in_flight_late = test::send(alice, opus_frame, at_ms(950));
    REQUIRE(test::receive_epoch(in_flight) == epoch_id(2));
    s.room.remove(9, at_ms(1000));
    s.room.tick_and_deliver(at_ms(1500));  // epoch 3: fresh
    REQUIRE(bob.ring.newest_epoch() == epoch_id(3));
    // Every frame Alice sends at any moment decrypts at Bob: no gap while she switches.
    std::set<std::uint64_t> epochs_seen;
    for (std::int64_t t = 1500; t <= 2500; t += 20) {
        CAPTURE(t);
        const bytes frame = test::send(alice, opus_frame, at_ms(t));
        epochs_seen.insert(test::receive_epoch(frame).value);
        CHECK(receive(bob, alice.index, frame, at_ms(t + 5)).ok());
    }
    CHECK(epochs_seen == std::set<std::uint64_t>{2, 3});
    CHECK(receive(bob, alice.index, in_flight, at_ms(4000)).ok());
    // The grace period (5 s after epoch 2 was superseded at 1500 ms) is over: old frames now fail.
    CHECK(receive(bob, alice.index, in_flight_late, at_ms(1500 + 5000)).error() == e2ee_error::unknown_epoch);
}

TEST_CASE("a frame from a sender the relay did not stamp is refused", "[e2ee][frames]") {
    small_room s;
    auto& alice = s.room.member(2);
    const bytes frame = test::send(alice, opus_frame, at_ms(10));
    CHECK(receive(s.room.member(3), sender_index(3), frame, at_ms(20)).error() == e2ee_error::sender_mismatch);
}

TEST_CASE("nothing to send with before the first epoch", "[e2ee][frames]") {
    test::seeded_random random(1);
    test::member_client lonely(random, sender_index(4), test::make_room(1));
    bytes out(frame_encryptor::max_protected_size(opus_frame.size()));
    CHECK(lonely.encryptor.protect(lonely.ring, opus_frame, out, at_ms(0)).error() == e2ee_error::no_sending_key);
}
