// The receive path on its own: frames decrypt and play, a frame of an epoch newer than any held
// asks for keys, and signatures that overtake the roster are held, boundedly and briefly.
#include <catch2/catch.hpp>

#include <array>

#include "media_receiver.hpp"
#include "recording_io.hpp"
#include "stoa/client/media_payload.hpp"
#include "stoa/e2ee/sframe.hpp"
#include "test_random.hpp"

using namespace stoa;
using namespace stoa::client;
using namespace std::chrono_literals;

namespace {

// A frame as speaker `from` sends it under `ring`'s sending epoch.
bytes frame_from(sender_index from, const e2ee::keyring& ring, audio::frame_seq seq, time_point now) {
    const bytes opus(60, 0x42);
    bytes plain(max_media_payload_size);
    auto written = write_media_payload({seq, now, opus}, plain, false);
    REQUIRE(written.ok());
    e2ee::frame_encryptor encryptor(from);
    bytes frame(e2ee::frame_encryptor::max_protected_size(written.value()));
    auto info = encryptor.protect(ring, byte_view(plain).first(written.value()), frame, now);
    REQUIRE(info.ok());
    frame.resize(info->size);
    return frame;
}

struct receiver_fixture {
    receiver_fixture() : receiver(config, io, stats, scratch) { receiver.start(test::part_test_room); }

    time_point now = from_micros(1'000'000);
    client_config config{};
    test::recording_io io;
    session_stats stats;
    bytes scratch;
    media_receiver receiver;
};

}  // namespace

TEST_CASE("a frame decrypts, is counted and plays", "[client][media_receiver]") {
    receiver_fixture f;
    e2ee::keyring ring(e2ee::keyring_config{test::part_test_room});
    REQUIRE(ring.install(test::keys_for(1), f.now).ok());
    const sender_index speaker(3);
    const auto frame = frame_from(speaker, ring, audio::frame_seq(1), f.now);
    CHECK(f.receiver.receive_frame(speaker, frame, ring, f.now) == media_receiver::frame_outcome::done);
    CHECK(f.stats.frames_received == 1);
    // The same frame again is a replay.
    CHECK(f.receiver.receive_frame(speaker, frame, ring, f.now) == media_receiver::frame_outcome::done);
    CHECK(f.stats.replays_rejected == 1);
    std::array<std::int16_t, audio::frame_samples> out{};
    f.receiver.pull_audio(f.now + 100ms, out);
    CHECK(f.receiver.approximate_bytes() > 0);  // one speaker's player
}

TEST_CASE("a frame of an epoch newer than any held asks for keys; an older one does not", "[client][media_receiver]") {
    receiver_fixture f;
    e2ee::keyring held(e2ee::keyring_config{test::part_test_room});
    REQUIRE(held.install(test::keys_for(3), f.now).ok());
    e2ee::keyring newer(e2ee::keyring_config{test::part_test_room});
    REQUIRE(newer.install(test::keys_for(5), f.now).ok());
    e2ee::keyring older(e2ee::keyring_config{test::part_test_room});
    REQUIRE(older.install(test::keys_for(2), f.now).ok());
    const sender_index speaker(3);

    CHECK(f.receiver.receive_frame(speaker, frame_from(speaker, newer, audio::frame_seq(1), f.now), held, f.now) ==
          media_receiver::frame_outcome::keys_missing);
    CHECK(f.receiver.receive_frame(speaker, frame_from(speaker, older, audio::frame_seq(2), f.now), held, f.now) ==
          media_receiver::frame_outcome::done);
    CHECK(f.stats.no_key_failures == 2);
    CHECK(f.stats.frames_received == 0);
}

TEST_CASE("signatures from speakers not yet on stage are held, boundedly and briefly", "[client][media_receiver]") {
    receiver_fixture f;
    test::seeded_random random(7);
    const auto speaker = e2ee::identity::generate(random);
    const sender_index index(4);
    e2ee::speaker_signer signer(speaker, index, e2ee::speaker_signer_config{test::part_test_room});
    const bytes frame(80, 0x11);
    for (std::uint64_t counter = 0; counter < 2 * media_receiver::max_held_signatures; ++counter) {
        (void)signer.on_frame_sent((std::uint64_t{1} << e2ee::kid_sender_bits) | index.value, counter * 10, frame,
                                   f.now);
        const auto signature = signer.flush();
        REQUIRE(signature.has_value());
        f.receiver.receive_signature(index, *signature, f.now);
    }
    CHECK(f.receiver.held_signature_count() == media_receiver::max_held_signatures);
    CHECK(f.io.events.empty());

    // The roster names the speaker: the held signatures are checked (their frames never came).
    f.receiver.update_speakers({{index.value, speaker.key()}}, f.now + 10ms);
    CHECK(f.receiver.held_signature_count() == 0);

    // Held past their life, for a speaker the roster never names, they are dropped.
    const sender_index stranger(9);
    e2ee::speaker_signer other(speaker, stranger, e2ee::speaker_signer_config{test::part_test_room});
    (void)other.on_frame_sent((std::uint64_t{1} << e2ee::kid_sender_bits) | stranger.value, 0, frame, f.now);
    f.receiver.receive_signature(stranger, *other.flush(), f.now);
    CHECK(f.receiver.held_signature_count() == 1);
    f.receiver.update_speakers({{index.value, speaker.key()}}, f.now + media_receiver::held_signature_life + 1ms);
    CHECK(f.receiver.held_signature_count() == 0);
}
