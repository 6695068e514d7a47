// Shared signature verdicts: one Ed25519 verification per distinct (key, message, signature), its
// verdict reused by every other receiver of the same bytes, never by a receiver of different bytes.
// Then the listeners of one room sharing a cache: genuine speech verifies once for all of them,
// and each tampered batch or forged frame is still caught by every listener it reaches.
#include <catch2/catch.hpp>

#include <algorithm>
#include <latch>
#include <thread>
#include <vector>

#include "e2ee_test_support.hpp"
#include "stoa/e2ee/signature_cache.hpp"
#include "stoa/e2ee/speaker_auth.hpp"

using namespace stoa;
using namespace stoa::e2ee;
using test::at_ms;

namespace {

struct signed_message {
    public_key key;
    bytes message;
    signature sig;
};

signed_message sign(const identity& signer, bytes message) {
    const signature sig = signer.sign(message);
    return {signer.key(), std::move(message), sig};
}

bool same_stats(const signature_cache_stats& stats, std::uint64_t verified, std::uint64_t shared) {
    return stats.verified == verified && stats.shared == shared;
}

}  // namespace

// ---- the cache alone ----

TEST_CASE("a valid signature is verified once and its verdict shared with every later caller",
          "[e2ee][signature_cache]") {
    test::seeded_random random(11);
    const identity alice = identity::generate(random);
    const signed_message genuine = sign(alice, bytes{1, 2, 3, 4, 5});
    signature_cache cache;
    constexpr int callers = 8;
    for (int i = 0; i < callers; ++i) {
        CAPTURE(i);
        CHECK(cache.verify(genuine.key, genuine.message, genuine.sig).ok());
    }
    CHECK(cache.stats().verified == 1);
    CHECK(cache.stats().shared == callers - 1);
}

TEST_CASE("a bad signature is refused by every caller, its verdict shared too", "[e2ee][signature_cache]") {
    test::seeded_random random(12);
    const identity alice = identity::generate(random);
    const identity mallory = identity::generate(random);
    const bytes message{1, 2, 3, 4, 5};
    signature flipped = alice.sign(message);
    flipped[10] ^= 0x01;
    struct example {
        const char* name;
        signature sig;
    };
    const std::vector<example> examples = {
        {"a signature with one bit flipped", flipped},
        {"another key's signature over the same message", mallory.sign(message)},
        {"all zeros", signature{}},
    };
    for (const auto& [name, sig] : examples) {
        CAPTURE(name);
        signature_cache cache;
        constexpr int callers = 5;
        for (int i = 0; i < callers; ++i) {
            const auto verdict = cache.verify(alice.key(), message, sig);
            REQUIRE_FALSE(verdict.ok());
            CHECK(verdict.error() == e2ee_error::bad_signature);
        }
        CHECK(same_stats(cache.stats(), 1, callers - 1));
    }
}

TEST_CASE("bytes that differ from a stored verdict's in any way are verified on their own", "[e2ee][signature_cache]") {
    test::seeded_random random(13);
    const identity alice = identity::generate(random);
    const identity mallory = identity::generate(random);
    const bytes message{10, 20, 30, 40, 50, 60, 70, 80};
    const signed_message genuine = sign(alice, message);

    const auto with_byte = [&](std::size_t at) {
        bytes changed = message;
        changed[at] ^= 0x80;
        return changed;
    };
    signature other_sig = genuine.sig;
    other_sig[63] ^= 0x01;
    const bytes longer = [&] {
        bytes out = message;
        out.push_back(0);
        return out;
    }();
    const bytes shorter(message.begin(), message.end() - 1);

    struct example {
        const char* name;
        public_key key;
        bytes message;
        signature sig;
        bool valid;
    };
    const std::vector<example> examples = {
        {"the message's first byte changed", alice.key(), with_byte(0), genuine.sig, false},
        {"a middle byte changed", alice.key(), with_byte(4), genuine.sig, false},
        {"the last byte changed", alice.key(), with_byte(7), genuine.sig, false},
        {"one byte longer", alice.key(), longer, genuine.sig, false},
        {"one byte shorter", alice.key(), shorter, genuine.sig, false},
        {"another key", mallory.key(), message, genuine.sig, false},
        {"another signature", alice.key(), message, other_sig, false},
        {"another key's own valid signature over the same message", mallory.key(), message, mallory.sign(message),
         true},
        {"the same key's valid signature over another message", alice.key(), with_byte(4), alice.sign(with_byte(4)),
         true},
    };
    for (const auto& [name, key, variant, sig, valid] : examples) {
        CAPTURE(name);
        SECTION("after the genuine verdict is stored, the variant is checked itself") {
            signature_cache cache;
            REQUIRE(cache.verify(genuine.key, genuine.message, genuine.sig).ok());
            CHECK(cache.verify(key, variant, sig).ok() == valid);
            CHECK(same_stats(cache.stats(), 2, 0));
        }
        SECTION("after the variant's verdict is stored, the genuine bytes are checked themselves") {
            signature_cache cache;
            CHECK(cache.verify(key, variant, sig).ok() == valid);
            CHECK(cache.verify(genuine.key, genuine.message, genuine.sig).ok());
            CHECK(same_stats(cache.stats(), 2, 0));
        }
    }
}

TEST_CASE("a full cache evicts its oldest verdict first, and an evicted verdict is recomputed, not guessed",
          "[e2ee][signature_cache]") {
    test::seeded_random random(14);
    const identity alice = identity::generate(random);
    const signed_message a = sign(alice, bytes{'a'});
    const signed_message b = sign(alice, bytes{'b'});
    const signed_message c = sign(alice, bytes{'c'});
    signed_message forged = sign(alice, bytes{'f'});
    forged.message[0] = 'F';

    struct step {
        const signed_message* checked;
        bool valid;
        std::uint64_t verified;  // totals after the step
        std::uint64_t shared;
    };
    // Capacity 2, evicted in insertion order: a use does not make a verdict younger.
    const std::vector<step> steps = {
        {&a, true, 1, 0},                          // {a}
        {&forged, false, 2, 0},                    // {a, forged}
        {&a, true, 2, 1},                          // shared
        {&forged, false, 2, 2},                    // shared, still refused
        {&b, true, 3, 2},                          // evicts a: {forged, b}
        {&a, true, 4, 2},                          // verified again; evicts forged: {b, a}
        {&forged, false, 5, 2},                    // verified again and refused again; evicts b: {a, forged}
        {&a, true, 5, 3},       {&c, true, 6, 3},  // evicts a: {forged, c}
        {&forged, false, 6, 4}, {&c, true, 6, 5},
    };
    signature_cache cache(2);
    for (std::size_t i = 0; i < steps.size(); ++i) {
        CAPTURE(i);
        const auto& [checked, valid, verified, shared] = steps[i];
        CHECK(cache.verify(checked->key, checked->message, checked->sig).ok() == valid);
        CHECK(cache.stats().verified == verified);
        CHECK(cache.stats().shared == shared);
    }
}

TEST_CASE("a cache needs room for one verdict", "[e2ee][signature_cache]") {
    CHECK_THROWS_AS(signature_cache(0), std::invalid_argument);
    test::seeded_random random(15);
    const identity alice = identity::generate(random);
    const signed_message a = sign(alice, bytes{'a'});
    const signed_message b = sign(alice, bytes{'b'});
    signature_cache one(1);
    CHECK(one.verify(a.key, a.message, a.sig).ok());
    CHECK(one.verify(b.key, b.message, b.sig).ok());
    CHECK(one.verify(b.key, b.message, b.sig).ok());
    CHECK(one.verify(a.key, a.message, a.sig).ok());
    CHECK(same_stats(one.stats(), 3, 1));
}

TEST_CASE("two threads sharing a cache each get every verdict right", "[e2ee][signature_cache]") {
    test::seeded_random random(16);
    const identity alice = identity::generate(random);
    std::vector<signed_message> messages;
    std::vector<bool> valid;
    for (std::uint8_t i = 0; i < 32; ++i) {
        signed_message m = sign(alice, bytes{i, static_cast<std::uint8_t>(i * 3)});
        if (i % 3 == 0) m.sig[0] ^= 1;  // a third are forged
        messages.push_back(m);
        valid.push_back(i % 3 != 0);
    }
    constexpr int rounds = 20;
    signature_cache cache(64);
    std::latch start(2);
    std::vector<int> wrong(2, 0);
    const auto run = [&](std::size_t thread) {
        start.arrive_and_wait();
        for (int round = 0; round < rounds; ++round) {
            for (std::size_t k = 0; k < messages.size(); ++k) {
                // The two threads walk the list in opposite orders to meet in the middle.
                const std::size_t i = thread == 0 ? k : messages.size() - 1 - k;
                if (cache.verify(messages[i].key, messages[i].message, messages[i].sig).ok() != valid[i]) {
                    ++wrong[thread];
                }
            }
        }
    };
    std::thread first(run, 0);
    std::thread second(run, 1);
    first.join();
    second.join();
    CHECK(wrong[0] == 0);
    CHECK(wrong[1] == 0);
    const auto stats = cache.stats();
    CHECK(stats.verified + stats.shared == 2 * rounds * messages.size());
    // Each distinct triple is verified at least once and at most once per thread (a race on a
    // new triple only costs a second verification).
    CHECK(stats.verified >= messages.size());
    CHECK(stats.verified <= 2 * messages.size());
}

// ---- listeners of one room sharing verdicts ----

namespace {
const bytes opus_frame(80, 0x42);

// One room as stoa-load runs it: Alice speaks, Mallory holds the room key, and several listeners in
// the same process each run their own decryptor and speaker_verifier over one shared cache.
struct shared_room {
    static constexpr std::uint32_t listener_count = 4;

    test::room_harness room;
    test::member_client& alice;
    test::member_client& mallory;
    std::vector<test::member_client*> listeners;
    signature_cache verdicts;
    std::vector<speaker_verifier> verifiers;
    speaker_signer signer;

    shared_room()
        : alice(room.add(2, at_ms(0))),
          mallory(room.add(3, at_ms(0))),
          signer(alice.self, alice.index, speaker_signer_config{room.room()}) {
        for (std::uint32_t i = 0; i < listener_count; ++i) {
            listeners.push_back(&room.add(10 + i, at_ms(0)));
            speaker_verifier_config config{room.room()};
            config.shared_verdicts = &verdicts;
            verifiers.emplace_back(config);
            verifiers.back().set_speaker_key(alice.index, alice.self.key());
            verifiers.back().set_speaker_key(mallory.index, mallory.self.key());
        }
        room.tick_and_deliver(at_ms(0));
    }

    // Alice sends ten frames (one batch); returns them and the one signature message.
    std::pair<std::vector<bytes>, bytes> alice_speaks() {
        std::vector<bytes> frames;
        std::vector<bytes> due;
        for (int i = 0; i < 10; ++i) {
            bytes frame(frame_encryptor::max_protected_size(opus_frame.size()));
            auto info = alice.encryptor.protect(alice.ring, opus_frame, frame, at_ms(20 * i)).value();
            frame.resize(info.size);
            for (auto& m : signer.on_frame_sent(info.kid, info.counter, frame, at_ms(20 * i))) due.push_back(m);
            frames.push_back(std::move(frame));
        }
        REQUIRE(due.size() == 1);
        return {frames, due[0]};
    }

    // Mallory's own audio under Alice's KID and `counter`: it decrypts for every member.
    bytes mallory_forges(std::uint64_t counter) {
        const secret_key* epoch_secret = mallory.ring.epoch_secret(epoch_id(1), at_ms(0));
        REQUIRE(epoch_secret != nullptr);
        const std::uint64_t alice_kid = make_kid(epoch_id(1), alice.index).value();
        const sframe_key stolen = sframe_key::derive(sender_base_key(*epoch_secret, alice.index), alice_kid);
        const bytes fake_audio(80, 0x66);
        bytes forged(protected_size(sframe_max_header_size, fake_audio.size()));
        forged.resize(stolen.seal(counter, fake_audio, forged).value());
        return forged;
    }

    // Listener `l` decrypts a frame stamped as Alice's and hands it to its verifier.
    std::vector<speaker_event> receives(std::size_t l, const bytes& frame, time_point now) {
        test::member_client& listener = *listeners[l];
        bytes out(frame.size());
        auto info = listener.decryptor.unprotect(listener.ring, alice.index, frame, out, now);
        REQUIRE(info.ok());
        return verifiers[l].on_frame_accepted(info->sender, info->kid, info->counter, frame, now);
    }

    void receives_all(std::size_t l, const std::vector<bytes>& frames) {
        for (std::size_t i = 0; i < frames.size(); ++i)
            CHECK(receives(l, frames[i], at_ms(5 + 20 * static_cast<int>(i))).empty());
    }
};

bytes with_hash_byte_changed(const bytes& message) {
    bytes tampered = message;
    tampered[1 + 4 + 8 + 8 + 1 + 5] ^= 1;  // inside the first frame's hash
    return tampered;
}
}  // namespace

TEST_CASE("listeners sharing a cache verify a speaker's batch with one Ed25519 verification for all of them",
          "[e2ee][signature_cache][speaker]") {
    shared_room r;
    auto [frames, batch] = r.alice_speaks();
    for (std::size_t l = 0; l < r.listeners.size(); ++l) {
        CAPTURE(l);
        r.receives_all(l, frames);
        auto outcome = r.verifiers[l].on_signature(r.alice.index, batch, at_ms(210));
        REQUIRE(outcome.ok());
        CHECK(outcome->verified == 10);
        CHECK(outcome->forged.empty());
    }
    CHECK(r.verdicts.stats().verified == 1);
    CHECK(r.verdicts.stats().shared == r.listeners.size() - 1);
    for (std::size_t l = 0; l < r.listeners.size(); ++l) {
        CAPTURE(l);
        CHECK(r.verifiers[l].pending_frames() == 0);
        CHECK(r.verifiers[l].tick(at_ms(10'000)).empty());
    }
}

TEST_CASE("a batch the relay altered is refused by every listener it reaches, whoever verified the genuine one",
          "[e2ee][signature_cache][speaker]") {
    // Which listeners the relay hands the altered batch, and in what order everyone's batch arrives.
    struct example {
        const char* name;
        std::vector<bool> tampered;  // per listener
        std::vector<std::size_t> order;
    };
    const std::vector<example> examples = {
        {"two listeners get the altered batch after two verified the genuine one",
         {false, false, true, true},
         {0, 1, 2, 3}},
        {"the altered batch arrives first, the genuine one after", {true, false, true, false}, {0, 2, 1, 3}},
        {"interleaved", {false, true, false, true}, {0, 1, 2, 3}},
        {"every listener gets the altered batch", {true, true, true, true}, {3, 2, 1, 0}},
    };
    for (const auto& [name, tampered, order] : examples) {
        CAPTURE(name);
        shared_room r;
        auto [frames, batch] = r.alice_speaks();
        const bytes altered = with_hash_byte_changed(batch);
        for (std::size_t l = 0; l < r.listeners.size(); ++l) r.receives_all(l, frames);

        for (const std::size_t l : order) {
            CAPTURE(l);
            auto outcome = r.verifiers[l].on_signature(r.alice.index, tampered[l] ? altered : batch, at_ms(210));
            if (tampered[l]) {
                REQUIRE_FALSE(outcome.ok());
                CHECK(outcome.error() == e2ee_error::bad_signature);
            } else {
                REQUIRE(outcome.ok());
                CHECK(outcome->verified == 10);
            }
        }
        // A listener whose batch was refused vouches for none of its frames: each comes out unverified.
        for (std::size_t l = 0; l < r.listeners.size(); ++l) {
            CAPTURE(l);
            CHECK(r.verifiers[l].tick(at_ms(1004)).empty());  // before the first frame's deadline
            const auto events = r.verifiers[l].tick(at_ms(10'000));
            if (tampered[l]) {
                REQUIRE(events.size() == 10);
                for (std::size_t i = 0; i < events.size(); ++i) {
                    CHECK(events[i].verdict == frame_verdict::unverified);
                    CHECK(events[i].sender == r.alice.index);
                }
            } else {
                CHECK(events.empty());
            }
        }
        // One or two distinct batches, each verified once.
        const bool both = std::count(tampered.begin(), tampered.end(), true) > 0 &&
                          std::count(tampered.begin(), tampered.end(), false) > 0;
        const std::uint64_t distinct = both ? 2 : 1;
        CHECK(r.verdicts.stats().verified == distinct);
        CHECK(r.verdicts.stats().shared == r.listeners.size() - distinct);
    }
}

TEST_CASE("batches signed by someone else or meant for another room are refused by every listener",
          "[e2ee][signature_cache][speaker]") {
    shared_room r;
    auto [frames, batch] = r.alice_speaks();
    for (std::size_t l = 0; l < 2; ++l) REQUIRE(r.verifiers[l].on_signature(r.alice.index, batch, at_ms(210)).ok());

    SECTION("Mallory signs Alice's list in Alice's name") {
        speaker_signer impostor(r.mallory.self, r.alice.index, speaker_signer_config{r.room.room()});
        std::vector<bytes> fake;
        for (std::size_t i = 0; i < frames.size(); ++i) {
            auto header = parse_header(frames[i]).value().header;
            for (auto& m : impostor.on_frame_sent(header.kid, header.counter, frames[i], at_ms(0))) fake.push_back(m);
        }
        REQUIRE(fake.size() == 1);
        for (std::size_t l = 0; l < r.listeners.size(); ++l) {
            CAPTURE(l);
            CHECK(r.verifiers[l].on_signature(r.alice.index, fake[0], at_ms(220)).error() == e2ee_error::bad_signature);
        }
    }
    SECTION("Alice's genuine batch replayed into another room whose listeners share the same cache") {
        for (std::uint8_t l = 0; l < 3; ++l) {
            CAPTURE(l);
            speaker_verifier_config config{test::make_room(80)};
            config.shared_verdicts = &r.verdicts;
            speaker_verifier elsewhere(config);
            elsewhere.set_speaker_key(r.alice.index, r.alice.self.key());
            CHECK(elsewhere.on_signature(r.alice.index, batch, at_ms(220)).error() == e2ee_error::bad_signature);
        }
    }
    SECTION("a listener whose roster holds another key for Alice's index is not answered from her verdict") {
        speaker_verifier_config config{r.room.room()};
        config.shared_verdicts = &r.verdicts;
        speaker_verifier stale(config);
        stale.set_speaker_key(r.alice.index, r.mallory.self.key());
        CHECK(stale.on_signature(r.alice.index, batch, at_ms(220)).error() == e2ee_error::bad_signature);
    }
}

TEST_CASE(
    "a frame forged by another key holder under a genuine signed batch is reported forged by each listener "
    "that received it",
    "[e2ee][signature_cache][speaker]") {
    shared_room r;
    auto [frames, batch] = r.alice_speaks();
    // Mallory's own audio with the KID and counter of Alice's fourth frame.
    const std::uint64_t forged_counter = parse_header(frames[3]).value().header.counter;
    const bytes forged = r.mallory_forges(forged_counter);
    REQUIRE(parse_header(forged).value().header == parse_header(frames[3]).value().header);
    REQUIRE(forged != frames[3]);

    // Listeners 1 and 2 get Mallory's frame in place of Alice's frame 3 (delivered first, so the
    // genuine one is a replay to their decryptors); listener 3 gets it after the signature arrived.
    const std::vector<bool> gets_forgery = {false, true, true, true};
    for (std::size_t l = 0; l < 3; ++l) {
        for (std::size_t i = 0; i < frames.size(); ++i) {
            const bytes& frame = (gets_forgery[l] && i == 3) ? forged : frames[i];
            CHECK(r.receives(l, frame, at_ms(5 + 20 * static_cast<int>(i))).empty());
        }
    }
    for (std::size_t l = 0; l < 3; ++l) {
        CAPTURE(l);
        auto outcome = r.verifiers[l].on_signature(r.alice.index, batch, at_ms(210));
        REQUIRE(outcome.ok());
        if (gets_forgery[l]) {
            CHECK(outcome->verified == 9);
            REQUIRE(outcome->forged.size() == 1);
            CHECK(outcome->forged[0].verdict == frame_verdict::forged);
            CHECK(outcome->forged[0].sender == r.alice.index);
            CHECK(outcome->forged[0].counter == forged_counter);
        } else {
            CHECK(outcome->verified == 10);
            CHECK(outcome->forged.empty());
        }
    }
    // Listener 3: the signature first (answered from the shared verdict), then the frames.
    auto early = r.verifiers[3].on_signature(r.alice.index, batch, at_ms(100));
    REQUIRE(early.ok());
    CHECK(early->verified == 0);
    for (std::size_t i = 0; i < frames.size(); ++i) {
        CAPTURE(i);
        const auto events = r.receives(3, i == 3 ? forged : frames[i], at_ms(150 + static_cast<int>(i)));
        if (i == 3) {
            REQUIRE(events.size() == 1);
            CHECK(events[0].verdict == frame_verdict::forged);
            CHECK(events[0].sender == r.alice.index);
            CHECK(events[0].counter == forged_counter);
        } else {
            CHECK(events.empty());
        }
    }
    CHECK(r.verdicts.stats().verified == 1);
    CHECK(r.verdicts.stats().shared == 3);
    for (std::size_t l = 0; l < r.listeners.size(); ++l) {
        CAPTURE(l);
        CHECK(r.verifiers[l].tick(at_ms(10'000)).empty());
    }
}
