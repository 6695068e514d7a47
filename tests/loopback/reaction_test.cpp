// Emoji reactions through the relay engine and real client sessions: any member reacts, everyone
// else gets it decrypted and authenticated, the relay sees only ciphertext, and forgeries,
// replays, unknown kinds and floods are refused.
#include <catch2/catch.hpp>

#include <algorithm>
#include <vector>

#include "room_fixture.hpp"
#include "stoa/client/reaction.hpp"
#include "stoa/e2ee/reaction_crypto.hpp"
#include "stoa/proto/binary.hpp"

using namespace std::chrono_literals;
using stoa::test::room_fixture;
using stoa::test::room_member;
namespace client = stoa::client;
namespace e2ee = stoa::e2ee;
namespace proto = stoa::proto;

namespace {

std::vector<client::event::reaction> reactions_of(const room_member& m) {
    std::vector<client::event::reaction> out;
    for (const auto& e : m.events) {
        if (const auto* r = std::get_if<client::event::reaction>(&e)) out.push_back(*r);
    }
    return out;
}

// A host, a stage speaker and two listeners with keys.
struct reaction_room {
    room_fixture f;
    room_member& host = f.create_room();
    room_member& speaker = f.join("Speaker");
    room_member& alice = f.join("Alice");
    room_member& bob = f.join("Bob");

    reaction_room() {
        f.bring_to_stage(host, speaker);
        f.advance_frames(600ms);
    }

    // The last reaction message the relay sent to `member`, as it went on the wire.
    const stoa::bytes& capture_reactions_to(const room_member& member) {
        f.network.observer = [this, &member](stoa::loopback::flow direction, stoa::relay::connection_id c, bool binary,
                                             stoa::byte_view data) {
            if (direction == stoa::loopback::flow::relay_to_client && binary && c == member.connection &&
                data[0] == static_cast<std::uint8_t>(proto::binary_type::reaction)) {
                captured.assign(data.begin(), data.end());
            }
        };
        return captured;
    }
    stoa::bytes captured;
};

// The epoch keys a member was sent, kept by whoever controls that member (an insider).
struct insider_keys {
    explicit insider_keys(const stoa::room_id& room) : ring(e2ee::keyring_config{room}) {}
    e2ee::keyring ring;
    void watch(room_fixture& f, const room_member& host, const room_member& member) {
        f.network.observer = [this, &f, &host, &member](stoa::loopback::flow direction, stoa::relay::connection_id c,
                                                        bool binary, stoa::byte_view data) {
            if (direction != stoa::loopback::flow::relay_to_client || !binary || c != member.connection) return;
            auto header = proto::peek_binary_header(data);
            if (!header.ok() || header->type != proto::binary_type::key_package) return;
            const e2ee::distributor_ref ref{host.session->index(), host.session->identity().key()};
            (void)ring.handle_package(header->sender, data.subspan(proto::binary_header_size), ref,
                                      member.session->identity(), f.now, member.session->session());
        };
    }
};

stoa::bytes reaction_message(stoa::sender_index as, const stoa::bytes& sealed) {
    return proto::encode_binary(proto::reaction_message{as, sealed});
}

}  // namespace

TEST_CASE("a listener's reaction reaches every other member decrypted", "[loopback][reaction]") {
    reaction_room r;
    std::vector<stoa::bytes> seen_by_relay;
    r.f.network.observer = [&](stoa::loopback::flow, stoa::relay::connection_id, bool binary, stoa::byte_view data) {
        if (binary && !data.empty() && data[0] == static_cast<std::uint8_t>(proto::binary_type::reaction)) {
            seen_by_relay.emplace_back(data.begin(), data.end());
        }
    };
    REQUIRE(r.alice.session->send_reaction(client::reaction_kind::clap, r.f.now).ok());
    r.f.run();

    for (room_member* other : {&r.host, &r.speaker, &r.bob}) {
        const auto got = reactions_of(*other);
        REQUIRE(got.size() == 1);
        CHECK(got[0].member == r.alice.session->id());
        CHECK(got[0].index == r.alice.session->index());
        CHECK(got[0].kind == static_cast<std::uint8_t>(client::reaction_kind::clap));
    }
    CHECK(reactions_of(r.alice).empty());  // the relay does not echo it to its sender
    CHECK(r.f.network.engine().stats().reactions_forwarded == 1);

    // What the relay saw: one message in, three out, each the routing header and a ciphertext of
    // the one fixed size, without the sender's key or the kind in the clear.
    REQUIRE(seen_by_relay.size() == 4);
    const auto& key = r.alice.session->identity().key().value;
    for (const auto& message : seen_by_relay) {
        CHECK(message.size() == proto::binary_header_size + e2ee::sealed_reaction_size);
        CHECK(std::search(message.begin(), message.end(), key.begin(), key.end()) == message.end());
    }

    SECTION("a stage speaker's reaction too") {
        REQUIRE(r.speaker.session->send_reaction(client::reaction_kind::heart, r.f.now).ok());
        r.f.run();
        const auto got = reactions_of(r.bob);
        REQUIRE(got.size() == 2);
        CHECK(got[1].member == r.speaker.session->id());
        CHECK(got[1].kind == static_cast<std::uint8_t>(client::reaction_kind::heart));
    }
}

TEST_CASE("a replayed reaction is refused", "[loopback][reaction]") {
    reaction_room r;
    const stoa::bytes& captured = r.capture_reactions_to(r.bob);
    REQUIRE(r.alice.session->send_reaction(client::reaction_kind::party, r.f.now).ok());
    r.f.run();
    REQUIRE_FALSE(captured.empty());
    REQUIRE(reactions_of(r.bob).size() == 1);
    r.f.advance(2s);  // the rate limits are not what refuses it
    r.bob.session->receive_binary(captured, r.f.now);
    r.f.collect();
    CHECK(reactions_of(r.bob).size() == 1);
    CHECK(r.bob.session->stats().reactions_replayed == 1);
}

TEST_CASE("a reaction forged by the relay or by an insider is refused", "[loopback][reaction]") {
    reaction_room r;
    const stoa::bytes& captured = r.capture_reactions_to(r.bob);
    REQUIRE(r.alice.session->send_reaction(client::reaction_kind::laugh, r.f.now).ok());
    r.f.run();
    REQUIRE(captured.size() > proto::binary_header_size);
    r.f.advance(2s);
    const auto refused = r.bob.session->stats().reactions_refused;

    SECTION("the relay moves Alice's reaction to the speaker's index") {
        stoa::bytes moved = captured;
        const auto index = r.speaker.session->index().value;
        moved[1] = static_cast<std::uint8_t>(index >> 24);
        moved[2] = static_cast<std::uint8_t>(index >> 16);
        moved[3] = static_cast<std::uint8_t>(index >> 8);
        moved[4] = static_cast<std::uint8_t>(index);
        r.bob.session->receive_binary(moved, r.f.now);
    }
    SECTION("the relay flips a ciphertext byte") {
        stoa::bytes flipped = captured;
        flipped.back() ^= 0x01;
        r.bob.session->receive_binary(flipped, r.f.now);
    }
    r.f.collect();
    CHECK(reactions_of(r.bob).size() == 1);
    CHECK(r.bob.session->stats().reactions_refused == refused + 1);
}

TEST_CASE("a member holding the epoch key cannot react as a stage speaker", "[loopback][reaction]") {
    room_fixture f;
    room_member& host = f.create_room();
    room_member& speaker = f.join("Speaker");
    insider_keys mallory_keys(f.room);
    room_member& bob = f.join("Bob");
    f.bring_to_stage(host, speaker);
    room_member& mallory = f.connect();
    mallory_keys.watch(f, host, mallory);
    mallory.session->join_room(f.room, f.invite, {"Mallory", ""});
    f.run();
    f.advance_frames(600ms);
    f.network.observer = nullptr;
    const auto epoch = mallory_keys.ring.newest_epoch();
    REQUIRE(epoch);
    const auto* secret = mallory_keys.ring.epoch_secret(*epoch, f.now);
    REQUIRE(secret != nullptr);

    const auto forged_as_speaker = e2ee::seal_reaction(static_cast<std::uint8_t>(client::reaction_kind::heart), 1,
                                                       mallory.session->identity(), speaker.session->index(), f.room,
                                                       *epoch, *secret, f.random);
    bob.session->receive_binary(reaction_message(speaker.session->index(), forged_as_speaker), f.now);
    f.collect();
    CHECK(reactions_of(bob).empty());
    CHECK(bob.session->stats().reactions_refused == 1);

    SECTION("an unknown kind, even authentic, is counted and ignored") {
        const auto odd = e2ee::seal_reaction(200, 1, mallory.session->identity(), mallory.session->index(), f.room,
                                             *epoch, *secret, f.random);
        bob.session->receive_binary(reaction_message(mallory.session->index(), odd), f.now);
        f.collect();
        CHECK(reactions_of(bob).empty());
        CHECK(bob.session->stats().reactions_unknown_kind == 1);
    }
    SECTION("a flood from one sender is cut to the per-sender burst") {
        for (std::uint64_t counter = 10; counter < 30; ++counter) {
            const auto sealed = e2ee::seal_reaction(static_cast<std::uint8_t>(client::reaction_kind::clap), counter,
                                                    mallory.session->identity(), mallory.session->index(), f.room,
                                                    *epoch, *secret, f.random);
            bob.session->receive_binary(reaction_message(mallory.session->index(), sealed), f.now);
        }
        f.collect();
        const client::reaction_limits limits;
        CHECK(reactions_of(bob).size() == static_cast<std::size_t>(limits.receive_burst_per_sender));
        CHECK(bob.session->stats().reactions_dropped_rate_limited == 20 - reactions_of(bob).size());
    }
}

TEST_CASE("reactions are rate-limited by the sender and by the relay", "[loopback][reaction]") {
    reaction_room r;
    const client::reaction_limits limits;
    std::size_t accepted = 0;
    for (int i = 0; i < 10; ++i) {
        const auto sent = r.alice.session->send_reaction(client::reaction_kind::thumbs_up, r.f.now);
        if (sent.ok()) {
            ++accepted;
        } else {
            CHECK(sent.error() == client::client_error::rate_limited);
        }
    }
    CHECK(accepted == static_cast<std::size_t>(limits.send_burst));
    r.f.run();
    CHECK(reactions_of(r.bob).size() == accepted);
    r.f.advance(1s);
    CHECK(r.alice.session->send_reaction(client::reaction_kind::thumbs_up, r.f.now).ok());

    SECTION("a client without the limit meets the relay's") {
        // Alice's client is modified: it sends sealed reactions as fast as it likes.
        std::vector<stoa::bytes> sealed;
        r.f.network.observer = [&](stoa::loopback::flow direction, stoa::relay::connection_id c, bool binary,
                                   stoa::byte_view data) {
            if (direction == stoa::loopback::flow::client_to_relay && binary && c == r.alice.connection &&
                data[0] == static_cast<std::uint8_t>(proto::binary_type::reaction)) {
                sealed.emplace_back(data.begin(), data.end());
            }
        };
        r.f.run();
        REQUIRE(sealed.size() == 1);
        const auto forwarded = r.f.network.engine().stats().reactions_forwarded;
        const auto dropped = r.f.network.engine().stats().reactions_dropped_rate_limited;
        // The relay's bucket had refilled to at most its burst of 3, minus the one just sent.
        for (int i = 0; i < 10; ++i) {
            r.f.network.engine().on_binary(r.alice.connection, stoa::relay::make_message(
                std::string(sealed[0].begin(), sealed[0].end()), stoa::relay::payload_kind::binary,
                stoa::relay::traffic_class::media), r.f.now);
        }
        CHECK(r.f.network.engine().stats().reactions_forwarded - forwarded <= 2);
        CHECK(r.f.network.engine().stats().reactions_dropped_rate_limited - dropped >= 8);
    }
    CHECK(r.alice.session->send_reaction(static_cast<client::reaction_kind>(99), r.f.now).error() ==
          client::client_error::unknown_reaction);
}
