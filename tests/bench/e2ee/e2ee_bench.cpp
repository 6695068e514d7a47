// Costs of the e2ee hot paths (per 20 ms Opus frame) and of rekeys at room scale.
// Run: build/h-e2ee/tests/bench/e2ee/stoa_bench_e2ee
#include <benchmark/benchmark.h>

#include <memory>
#include <vector>

#include "stoa/common/random.hpp"
#include "stoa/e2ee/frame_crypto.hpp"
#include "stoa/e2ee/identity.hpp"
#include "stoa/e2ee/key_distributor.hpp"
#include "stoa/e2ee/keyring.hpp"
#include "stoa/e2ee/replay_window.hpp"
#include "stoa/e2ee/speaker_auth.hpp"

using namespace stoa;
using namespace stoa::e2ee;

namespace {

class bench_random final : public random_source {
public:
    void fill(std::span<std::uint8_t> out) override {
        for (auto& b : out) {
            state_ = state_ * 6364136223846793005ULL + 1442695040888963407ULL;
            b = static_cast<std::uint8_t>(state_ >> 56);
        }
    }

private:
    std::uint64_t state_ = 1;
};

constexpr std::size_t opus_size = 80;
const room_id bench_room{};

time_point at_ms(std::int64_t ms) { return from_micros(ms * 1000); }

keyring keyed_ring() {
    keyring ring(keyring_config{bench_room});
    epoch_keys keys;
    keys.epoch = epoch_id(1);
    for (auto& b : keys.epoch_secret.mutable_view()) b = 7;
    if (!ring.install(keys, at_ms(0))) throw std::logic_error("install");
    return ring;
}

void BM_frame_seal(benchmark::State& state) {
    const keyring ring = keyed_ring();
    frame_encryptor encryptor(sender_index(2));
    const bytes plaintext(opus_size, 0x42);
    bytes out(frame_encryptor::max_protected_size(opus_size));
    for (auto _ : state) {
        auto info = encryptor.protect(ring, plaintext, out, at_ms(1));
        benchmark::DoNotOptimize(info);
    }
}
BENCHMARK(BM_frame_seal);

// Full receive path: header parse, KID check, keyring lookup, replay window, AEAD open.
void BM_frame_open(benchmark::State& state) {
    const keyring ring = keyed_ring();
    frame_encryptor encryptor(sender_index(2));
    const bytes plaintext(opus_size, 0x42);
    constexpr std::size_t batch = 1 << 14;
    std::vector<bytes> frames(batch);
    for (auto& frame : frames) {
        frame.resize(frame_encryptor::max_protected_size(opus_size));
        frame.resize(encryptor.protect(ring, plaintext, frame, at_ms(1)).value().size);
    }
    auto decryptor = std::make_unique<frame_decryptor>();
    bytes out(opus_size + 64);
    std::size_t next = 0;
    for (auto _ : state) {
        if (next == batch) {  // counters must be fresh: start a new receiver over the same frames
            state.PauseTiming();
            decryptor = std::make_unique<frame_decryptor>();
            next = 0;
            state.ResumeTiming();
        }
        auto info = decryptor->unprotect(ring, sender_index(2), frames[next++], out, at_ms(2));
        if (!info) state.SkipWithError("unprotect failed");
        benchmark::DoNotOptimize(info);
    }
}
BENCHMARK(BM_frame_open);

void BM_frame_seal_and_open(benchmark::State& state) {
    const keyring ring = keyed_ring();
    frame_encryptor encryptor(sender_index(2));
    frame_decryptor decryptor;
    const bytes plaintext(opus_size, 0x42);
    bytes frame(frame_encryptor::max_protected_size(opus_size));
    bytes out(opus_size + 64);
    for (auto _ : state) {
        auto sealed = encryptor.protect(ring, plaintext, frame, at_ms(1));
        auto opened = decryptor.unprotect(ring, sender_index(2), byte_view(frame).first(sealed.value().size), out,
                                          at_ms(1));
        if (!opened) state.SkipWithError("unprotect failed");
        benchmark::DoNotOptimize(opened);
    }
}
BENCHMARK(BM_frame_seal_and_open);

void BM_replay_window_check_and_accept(benchmark::State& state) {
    replay_window window;
    std::uint64_t counter = 0;
    for (auto _ : state) {
        // Mostly in order, with a late frame every 4th: the common receive pattern.
        const std::uint64_t c = (counter % 4 == 3 && counter > 2) ? counter - 2 : counter;
        auto ok = window.check(c);
        if (ok) window.accept(c);
        benchmark::DoNotOptimize(ok);
        ++counter;
    }
}
BENCHMARK(BM_replay_window_check_and_accept);

// Sender side per frame: hash every frame, one Ed25519 signature per 10 frames.
void BM_speaker_sign_per_frame(benchmark::State& state) {
    bench_random random;
    const identity self = identity::generate(random);
    speaker_signer signer(self, sender_index(2), speaker_signer_config{bench_room});
    const bytes frame(opus_size + 22, 0x42);
    std::uint64_t counter = 0;
    for (auto _ : state) {
        auto due = signer.on_frame_sent(0x1000002, counter++, frame, at_ms(1));
        benchmark::DoNotOptimize(due);
    }
}
BENCHMARK(BM_speaker_sign_per_frame);

// Receiver side per frame: hash every frame, one Ed25519 verification per 10 frames.
void BM_speaker_verify_per_frame(benchmark::State& state) {
    bench_random random;
    const identity self = identity::generate(random);
    speaker_signer signer(self, sender_index(2), speaker_signer_config{bench_room});
    speaker_verifier verifier(speaker_verifier_config{bench_room});
    verifier.set_speaker_key(sender_index(2), self.key());
    // Pre-sign a long run so only verification is timed.
    constexpr std::uint64_t frames = 10'000;
    std::vector<bytes> frame_bytes(frames);
    std::vector<bytes> signatures;
    for (std::uint64_t c = 0; c < frames; ++c) {
        frame_bytes[c] = bytes(opus_size + 22, static_cast<std::uint8_t>(c));
        for (auto& m : signer.on_frame_sent(0x1000002, c, frame_bytes[c], at_ms(1))) signatures.push_back(m);
    }
    std::uint64_t c = 0;
    std::uint64_t round = 0;
    for (auto _ : state) {
        if (c == frames) {
            state.PauseTiming();
            verifier = speaker_verifier(speaker_verifier_config{bench_room});
            verifier.set_speaker_key(sender_index(2), self.key());
            c = 0;
            ++round;
            state.ResumeTiming();
        }
        auto events = verifier.on_frame_accepted(sender_index(2), 0x1000002, c, frame_bytes[c], at_ms(1));
        benchmark::DoNotOptimize(events);
        if (c % 10 == 9) {
            auto outcome = verifier.on_signature(sender_index(2), signatures[c / 10], at_ms(1));
            if (!outcome || outcome->verified != 10) state.SkipWithError("verification failed");
        }
        ++c;
    }
    benchmark::DoNotOptimize(round);
}
BENCHMARK(BM_speaker_verify_per_frame);

void BM_ed25519_verify(benchmark::State& state) {
    bench_random random;
    const identity self = identity::generate(random);
    const bytes message(200, 1);
    const signature sig = self.sign(message);
    for (auto _ : state) {
        auto ok = verify_signature(self.key(), message, sig);
        benchmark::DoNotOptimize(ok);
    }
}
BENCHMARK(BM_ed25519_verify);

struct big_room {
    bench_random random;
    identity host = identity::generate(random);
    std::vector<public_key> keys;
    std::unique_ptr<key_distributor> distributor;

    explicit big_room(std::uint32_t members) {
        keys.reserve(members + 20'000);
        distributor = std::make_unique<key_distributor>(host, sender_index(0), distributor_config{bench_room},
                                                        random, epoch_id(1));
        for (std::uint32_t i = 1; i <= members; ++i) add(at_ms(0));
        (void)distributor->tick(at_ms(0));
    }
    sender_index add(time_point now) {
        keys.push_back(identity::generate(random).key());
        const sender_index index(static_cast<std::uint32_t>(keys.size()));
        if (!distributor->member_added(index, keys.back(), now)) throw std::logic_error("add");
        return index;
    }
};

// One leave in a 10,000-member room: a fresh epoch sealed to the 9,999 others, one signature.
void BM_leave_rekey_10000_members(benchmark::State& state) {
    big_room room(10'000);
    std::int64_t t = 1000;
    std::uint32_t leaver = 1;
    std::size_t seals = 0;
    for (auto _ : state) {
        state.PauseTiming();
        // Keep the room at 10,000: a replacement joins, and the next leave's fresh epoch covers it.
        room.add(at_ms(t));
        if (!room.distributor->member_removed(sender_index(leaver++), at_ms(t))) state.SkipWithError("remove");
        t += 500;
        state.ResumeTiming();
        auto out = room.distributor->tick(at_ms(t));
        seals = out.packages.size();
        benchmark::DoNotOptimize(out);
        t += 10;
    }
    state.counters["seals"] = static_cast<double>(seals);
}
BENCHMARK(BM_leave_rekey_10000_members)->Unit(benchmark::kMillisecond)->Iterations(5);

// A batch of 1,000 joiners into a 10,000-member room: key checks at admission, one ratchet step,
// one signature, one announcement and 1,000 seals.
void BM_join_batch_1000(benchmark::State& state) {
    big_room room(10'000);
    std::int64_t t = 1000;
    std::size_t seals = 0;
    for (auto _ : state) {
        state.PauseTiming();
        std::vector<public_key> fresh(1000);
        for (auto& key : fresh) key = identity::generate(room.random).key();
        state.ResumeTiming();
        for (const auto& key : fresh) {
            room.keys.push_back(key);
            if (!room.distributor->member_added(sender_index(static_cast<std::uint32_t>(room.keys.size())), key,
                                                at_ms(t))) {
                state.SkipWithError("add");
            }
        }
        t += 250;
        auto out = room.distributor->tick(at_ms(t));
        seals = out.packages.size();
        benchmark::DoNotOptimize(out);
        t += 10;
    }
    state.counters["seals"] = static_cast<double>(seals);
}
BENCHMARK(BM_join_batch_1000)->Unit(benchmark::kMillisecond)->Iterations(5);

// A member receiving its sealed package: open, parse, commitment, signature check, install.
void BM_member_handle_package(benchmark::State& state) {
    bench_random random;
    const identity host = identity::generate(random);
    const identity member = identity::generate(random);
    key_distributor distributor(host, sender_index(0), distributor_config{bench_room}, random, epoch_id(1));
    if (!distributor.member_added(sender_index(1), member.key(), at_ms(0))) state.SkipWithError("add");
    const auto out = distributor.tick(at_ms(0));
    const distributor_ref ref{sender_index(0), host.key()};
    for (auto _ : state) {
        keyring ring(keyring_config{bench_room});
        auto installed = ring.handle_package(sender_index(0), out.packages[0].blob, ref, member, at_ms(1));
        if (!installed) state.SkipWithError("package");
        benchmark::DoNotOptimize(installed);
    }
}
BENCHMARK(BM_member_handle_package);

}  // namespace

BENCHMARK_MAIN();
