// Speaker signatures through the relay engine: forwarded only from a member allowed to send media
// (or just after it was), at a bounded rate, so no member can flood the room's control queues.
#include <catch2/catch.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "engine_fixture.hpp"
#include "stoa/proto/binary.hpp"

using stoa::relay::connection_id;
using stoa::test::engine_fixture;
using stoa::test::recording_sink;

namespace {

// The size a speaker's client sends per batch of 10 frames; the relay reads only the 5-byte header.
stoa::bytes signature_from(stoa::sender_index sender) {
    return stoa::proto::encode_binary(stoa::proto::speaker_signature_message{sender, stoa::bytes(206, 0x5b)});
}

stoa::bytes frame_from(stoa::sender_index sender) {
    stoa::bytes frame;
    stoa::proto::encode_media(frame, sender, stoa::bytes(80, 0x5a));
    return frame;
}

// Signatures `c` received, optionally only those from `sender`; each must be queued as control.
std::size_t signatures_to(const recording_sink& sink, connection_id c,
                          std::optional<stoa::sender_index> sender = std::nullopt) {
    if (!sink.sent.contains(c.value)) return 0;
    std::size_t n = 0;
    for (const auto& m : sink.sent.at(c.value)) {
        if (m->kind != stoa::relay::payload_kind::binary) continue;
        const auto header = stoa::proto::peek_binary_header(m->bytes());
        REQUIRE(header.ok());
        if (header->type != stoa::proto::binary_type::speaker_signature) continue;
        CHECK(m->priority == stoa::relay::traffic_class::control);
        if (!sender || header->sender == *sender) ++n;
    }
    return n;
}

// Messages a send queue would keep whatever its backlog (and disconnect the recipient over).
std::size_t control_messages_to(const recording_sink& sink, connection_id c) {
    if (!sink.sent.contains(c.value)) return 0;
    std::size_t n = 0;
    for (const auto& m : sink.sent.at(c.value)) n += m->priority == stoa::relay::traffic_class::control ? 1 : 0;
    return n;
}

// A host (on stage, never unmuted), one speaker invited up and unmuted, and a few listeners.
struct speaker_room {
    engine_fixture f;
    stoa::room_id room{};
    connection_id host{};
    stoa::sender_index host_index{};
    connection_id speaker{};
    stoa::member_id speaker_id{};
    stoa::sender_index speaker_index{};
    std::vector<std::pair<connection_id, stoa::sender_index>> listeners;

    explicit speaker_room(stoa::relay::relay_config config, int listener_count = 3) : f(std::move(config)) {
        host = f.authenticated().first;
        room = f.create_room(host);
        host_index = f.join(host, room);
        auto [s, identity] = f.authenticated();
        speaker = s;
        speaker_id = identity.id();
        speaker_index = f.join(speaker, room);
        f.text(host, stoa::proto::room_action{stoa::room::action::invite_to_stage{speaker_id}});
        f.text(speaker, stoa::proto::room_action{stoa::room::action::accept_invite{}});
        f.text(speaker, stoa::proto::room_action{stoa::room::action::set_self_muted{false}});
        REQUIRE(f.engine.find_room(room)->find(speaker_id)->member_role == stoa::room::role::speaker);
        for (int i = 0; i < listener_count; ++i) {
            const connection_id c = f.authenticated().first;
            listeners.emplace_back(c, f.join(c, room));
        }
        f.sink.sent.clear();
    }

    // Everyone but `except`.
    [[nodiscard]] std::vector<connection_id> others(connection_id except) const {
        std::vector<connection_id> out;
        for (const connection_id c : {host, speaker}) {
            if (c != except) out.push_back(c);
        }
        for (const auto& [c, index] : listeners) {
            if (c != except) out.push_back(c);
        }
        return out;
    }
};

}  // namespace

TEST_CASE("a listener's speaker signatures reach nobody, and the listener gets no reply", "[relay][signatures]") {
    speaker_room r(stoa::test::generous());
    const auto [listener, listener_index] = r.listeners.front();
    r.f.binary(listener, signature_from(listener_index));
    for (const connection_id c : r.others(listener)) CHECK(signatures_to(r.f.sink, c) == 0);
    CHECK_FALSE(r.f.sink.sent.contains(listener.value));
    CHECK_FALSE(r.f.sink.closed.contains(listener.value));
    CHECK(r.f.engine.stats().speaker_signatures_in == 1);
    CHECK(r.f.engine.stats().speaker_signatures_dropped_not_on_stage == 1);

    SECTION("nor do those of a stage member who has never unmuted") {
        r.f.binary(r.host, signature_from(r.host_index));
        for (const connection_id c : r.others(r.host)) CHECK(signatures_to(r.f.sink, c) == 0);
        CHECK(r.f.engine.stats().speaker_signatures_dropped_not_on_stage == 2);
    }
}

TEST_CASE("an unmuted speaker's signature reaches every other member once, as control", "[relay][signatures]") {
    speaker_room r(stoa::test::generous());
    r.f.binary(r.speaker, signature_from(r.speaker_index));
    const auto others = r.others(r.speaker);
    for (const connection_id c : others) {
        REQUIRE(r.f.sink.sent[c.value].size() == 1);
        CHECK(signatures_to(r.f.sink, c, r.speaker_index) == 1);
        CHECK(r.f.sink.sent[c.value][0].get() == r.f.sink.sent[others.front().value][0].get());  // one shared buffer
    }
    CHECK_FALSE(r.f.sink.sent.contains(r.speaker.value));
    CHECK(r.f.engine.stats().speaker_signatures_dropped_not_on_stage == 0);
}

TEST_CASE("a speaker just muted or moved down gets its last batch's signature through, within the tail only",
          "[relay][signatures]") {
    const auto tail = stoa::relay::relay_config{}.speaker_signature_tail;
    speaker_room r(stoa::test::generous());
    const connection_id listener = r.listeners.front().first;
    const auto last_frame_at = r.f.now;
    r.f.binary(r.speaker, frame_from(r.speaker_index));
    REQUIRE(r.f.engine.stats().media_deliveries == r.others(r.speaker).size());

    SECTION("self-muted") {
        r.f.text(r.speaker, stoa::proto::room_action{stoa::room::action::set_self_muted{true}});
    }
    SECTION("muted by a moderator") {
        r.f.text(r.host, stoa::proto::room_action{stoa::room::action::moderator_mute{r.speaker_id}});
    }
    SECTION("moved down to the audience") {
        r.f.text(r.host, stoa::proto::room_action{stoa::room::action::move_to_audience{r.speaker_id}});
    }
    SECTION("stepped down") {
        r.f.text(r.speaker, stoa::proto::room_action{stoa::room::action::move_to_audience{r.speaker_id}});
    }
    r.f.sink.sent.clear();

    // A frame it sends now is refused and does not extend the tail.
    r.f.now = last_frame_at + std::chrono::milliseconds(100);
    r.f.binary(r.speaker, frame_from(r.speaker_index));
    CHECK(r.f.engine.stats().media_dropped_not_on_stage == 1);

    r.f.now = last_frame_at + std::chrono::milliseconds(200);  // the signer's latest for a batch
    r.f.binary(r.speaker, signature_from(r.speaker_index));
    CHECK(signatures_to(r.f.sink, listener) == 1);
    r.f.now = last_frame_at + tail;
    r.f.binary(r.speaker, signature_from(r.speaker_index));
    CHECK(signatures_to(r.f.sink, listener) == 2);
    r.f.now = last_frame_at + tail + std::chrono::milliseconds(1);
    r.f.binary(r.speaker, signature_from(r.speaker_index));
    CHECK(signatures_to(r.f.sink, listener) == 2);
    CHECK(r.f.engine.stats().speaker_signatures_dropped_not_on_stage == 1);
    CHECK_FALSE(r.f.sink.sent.contains(r.speaker.value));  // refused without a reply
}

TEST_CASE("a flooding speaker is held to its signature rate and the rest are counted", "[relay][signatures][limits]") {
    auto config = stoa::test::generous();
    const auto limit = stoa::relay::relay_config{}.speaker_signatures_per_connection;  // the default under test
    config.speaker_signatures_per_connection = limit;
    speaker_room r(config);
    const connection_id listener = r.listeners.front().first;

    constexpr int sent_at_once = 1000;
    for (int i = 0; i < sent_at_once; ++i) r.f.binary(r.speaker, signature_from(r.speaker_index));
    CHECK(signatures_to(r.f.sink, listener) == static_cast<std::size_t>(limit.burst));
    CHECK(r.f.engine.stats().speaker_signatures_dropped_rate_limited ==
          static_cast<std::uint64_t>(sent_at_once) - static_cast<std::uint64_t>(limit.burst));

    // Then one every millisecond for 5 s: the bucket refills at its rate and no faster.
    constexpr int seconds = 5;
    for (int i = 0; i < seconds * 1000; ++i) {
        r.f.now += std::chrono::milliseconds(1);
        r.f.binary(r.speaker, signature_from(r.speaker_index));
    }
    const auto forwarded = signatures_to(r.f.sink, listener);
    const double most = limit.burst + limit.per_second * seconds;
    CHECK(static_cast<double>(forwarded) <= most);
    CHECK(static_cast<double>(forwarded) >= most - 1.0);
    const auto& stats = r.f.engine.stats();
    CHECK(stats.speaker_signatures_in == static_cast<std::uint64_t>(sent_at_once + seconds * 1000));
    CHECK(stats.speaker_signatures_dropped_rate_limited == stats.speaker_signatures_in - forwarded);
    CHECK(stats.speaker_signatures_dropped_not_on_stage == 0);
    CHECK_FALSE(r.f.sink.sent.contains(r.speaker.value));  // refused without a reply
}

TEST_CASE("a signature flood cannot fill anyone's control queue", "[relay][signatures][limits]") {
    // The relay's defaults, as a server runs it.
    const stoa::relay::relay_config config;
    speaker_room r(config);
    const auto [flooder, flooder_index] = r.listeners.front();
    constexpr int seconds = 10;

    SECTION("a listener's thousands reach nobody, while the speaker is heard as usual") {
        std::size_t speaker_signatures = 0;
        for (int ms = 0; ms < seconds * 1000; ++ms) {
            r.f.now += std::chrono::milliseconds(1);
            r.f.binary(flooder, signature_from(flooder_index));
            if (ms % 20 == 0) r.f.binary(r.speaker, frame_from(r.speaker_index));
            if (ms % 200 == 0) {
                r.f.binary(r.speaker, signature_from(r.speaker_index));
                ++speaker_signatures;
            }
        }
        for (const connection_id c : r.others(flooder)) {
            CHECK(signatures_to(r.f.sink, c, flooder_index) == 0);
            // The only control traffic anyone got is the speaker's signatures.
            CHECK(control_messages_to(r.f.sink, c) == (c == r.speaker ? 0 : speaker_signatures));
            CHECK_FALSE(r.f.sink.closed.contains(c.value));
        }
        CHECK(signatures_to(r.f.sink, flooder, r.speaker_index) == speaker_signatures);
        CHECK(control_messages_to(r.f.sink, flooder) == speaker_signatures);  // no error reply per refusal
        CHECK(r.f.engine.stats().speaker_signatures_dropped_not_on_stage == seconds * 1000);
    }
    SECTION("a speaker's thousands reach each member at the bucket's rate at most") {
        for (int ms = 0; ms < seconds * 1000; ++ms) {
            r.f.now += std::chrono::milliseconds(1);
            r.f.binary(r.speaker, signature_from(r.speaker_index));
        }
        const double most = config.speaker_signatures_per_connection.burst +
                            config.speaker_signatures_per_connection.per_second * seconds;
        for (const connection_id c : r.others(r.speaker)) {
            CHECK(static_cast<double>(control_messages_to(r.f.sink, c)) <= most);
        }
    }
}
