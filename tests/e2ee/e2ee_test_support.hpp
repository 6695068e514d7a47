// Helpers shared by the e2ee tests: a seeded random source and a small in-memory room that passes
// the distributor's output to members the way the relay would (mlspp-style broadcast helper).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <stdexcept>
#include <vector>

#include "stoa/common/random.hpp"
#include "stoa/e2ee/frame_crypto.hpp"
#include "stoa/e2ee/identity.hpp"
#include "stoa/e2ee/key_distributor.hpp"
#include "stoa/e2ee/keyring.hpp"

namespace stoa::e2ee::test {

// splitmix64: deterministic, so every test run sees the same keys.
class seeded_random final : public random_source {
public:
    explicit seeded_random(std::uint64_t seed) : state_(seed) {}
    void fill(std::span<std::uint8_t> out) override {
        for (auto& b : out) {
            if (available_ == 0) {
                state_ += 0x9e3779b97f4a7c15ULL;
                std::uint64_t z = state_;
                z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
                z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
                buffer_ = z ^ (z >> 31);
                available_ = 8;
            }
            b = static_cast<std::uint8_t>(buffer_ >> (8 * --available_));
        }
    }

private:
    std::uint64_t state_;
    std::uint64_t buffer_ = 0;
    int available_ = 0;
};

inline room_id make_room(std::uint8_t tag) {
    room_id room;
    for (std::size_t i = 0; i < room.value.size(); ++i) room.value[i] = static_cast<std::uint8_t>(tag + i);
    return room;
}

inline time_point at_ms(std::int64_t ms) { return from_micros(ms * 1000); }

// One member's client: identity, keyring, own encryptor and a decryptor.
struct member_client {
    member_client(random_source& random, sender_index own_index, const room_id& room)
        : self(identity::generate(random)),
          index(own_index),
          session(fresh_session_nonce(random)),
          ring(keyring_config{room}),
          encryptor(own_index) {}
    identity self;
    sender_index index;
    session_nonce session;  // this client's join: packages are sealed to it
    keyring ring;
    frame_encryptor encryptor;
    frame_decryptor decryptor;
    std::size_t packages_received = 0;
    std::size_t announcements_received = 0;
};

// A room driven without a network: the host runs the distributor, deliver() plays the relay.
class room_harness {
public:
    explicit room_harness(std::uint64_t seed = 7, room_id room = make_room(1))
        : random_(seed), room_(room) {
        host_ = std::make_unique<member_client>(random_, sender_index(1), room_);
        distributor_ = std::make_unique<key_distributor>(host_->self, host_->index, distributor_config{room_},
                                                         random_, epoch_id(1));
    }

    member_client& add(std::uint32_t index, time_point now) {
        auto client = std::make_unique<member_client>(random_, sender_index(index), room_);
        if (!distributor_->member_added(client->index, client->self.key(), now, client->session)) {
            throw std::logic_error("member_added failed");
        }
        auto& ref = *client;
        members_[index] = std::move(client);
        return ref;
    }
    // The member stays reachable (to show what it can no longer do) but gets nothing more.
    void remove(std::uint32_t index, time_point now) {
        if (!distributor_->member_removed(sender_index(index), now)) throw std::logic_error("member_removed failed");
        removed_[index] = std::move(members_.at(index));
        members_.erase(index);
    }

    distributor_output tick_and_deliver(time_point now) {
        distributor_output out = distributor_->tick(now);
        deliver(out, now);
        return out;
    }

    void deliver(const distributor_output& out, time_point now) {
        const distributor_ref ref{host_->index, host_->self.key()};
        if (out.own_epoch) {
            if (!host_->ring.install(*out.own_epoch, now)) throw std::logic_error("host install failed");
        }
        if (out.announcement) {
            for (auto& [index, client] : members_) {
                // Joiners of this batch also see the broadcast; for them it is stale or a gap.
                auto handled = client->ring.handle_announcement(host_->index, *out.announcement, ref, now);
                if (handled) ++client->announcements_received;
            }
        }
        for (const auto& package : out.packages) {
            auto& client = *members_.at(package.recipient.value);
            auto handled = client.ring.handle_package(host_->index, package.blob, ref, client.self, now, client.session);
            if (!handled) throw std::logic_error("package rejected");
            ++client.packages_received;
        }
    }

    member_client& host() { return *host_; }
    member_client& member(std::uint32_t index) { return *members_.at(index); }
    member_client& removed(std::uint32_t index) { return *removed_.at(index); }
    key_distributor& distributor() { return *distributor_; }
    const room_id& room() const { return room_; }
    random_source& random() { return random_; }

private:
    seeded_random random_;
    room_id room_;
    std::unique_ptr<member_client> host_;
    std::unique_ptr<key_distributor> distributor_;
    std::map<std::uint32_t, std::unique_ptr<member_client>> members_;
    std::map<std::uint32_t, std::unique_ptr<member_client>> removed_;
};

// Seals `plaintext` as `from` and returns the protected bytes (what the relay carries).
inline bytes send(member_client& from, byte_view plaintext, time_point now) {
    bytes out(frame_encryptor::max_protected_size(plaintext.size()));
    auto info = from.encryptor.protect(from.ring, plaintext, out, now);
    if (!info) throw std::logic_error("protect failed");
    out.resize(info->size);
    return out;
}

// The epoch a protected frame claims (from its KID), as the relay could read it.
inline epoch_id receive_epoch(byte_view frame) { return split_kid(parse_header(frame).value().header.kid).epoch; }

}  // namespace stoa::e2ee::test
