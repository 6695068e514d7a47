// What a driver that measures audio (the load generator, tests) learns of each frame: when it
// was decrypted and what the sender stamped inside it, and what each speaker's player did on
// every 20 ms tick. Called synchronously from receive_binary() and pull_audio(); must not call
// back into the session.
#pragma once

#include "stoa/audio/player.hpp"
#include "stoa/common/ids.hpp"
#include "stoa/common/time.hpp"

namespace stoa::client {

class media_observer {
public:
    virtual ~media_observer() = default;
    // A frame decrypted and authenticated: its sequence number and the sender's clock at sending.
    virtual void on_frame(sender_index from, audio::frame_seq seq, time_point sent_at, time_point now) = 0;
    // One speaker's playout on one pull_audio() tick (only while decode_audio is on).
    virtual void on_playout(sender_index from, const audio::player_output& played, time_point now) = 0;
};

}  // namespace stoa::client
