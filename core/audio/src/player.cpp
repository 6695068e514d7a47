// Executes jitter buffer decisions on a decoder.
#include "stoa/audio/player.hpp"

#include <algorithm>

namespace stoa::audio {

result<player, audio_error> player::create(const jitter_buffer_config& config) {
    auto decoder = opus_decoder::create();
    if (!decoder) return fail(decoder.error());
    return player(std::move(decoder).value(), config);
}

player_output player::pull(time_point now, std::span<std::int16_t, frame_samples> out) noexcept {
    const playout_decision decision = buffer_.pop(now);
    player_output output{decision.action, decision.seq, true};
    result<std::size_t, audio_error> decoded = std::size_t{0};
    switch (decision.action) {
        case playout_action::none:
            std::fill(out.begin(), out.end(), std::int16_t{0});
            output.audible = false;
            return output;
        case playout_action::decode:
            decoded = decoder_.decode(decision.packet, out);
            break;
        case playout_action::decode_fec:
            decoded = decoder_.decode_fec(decision.packet, out);
            break;
        case playout_action::conceal:
            decoded = decoder_.conceal(out);
            break;
    }
    if (!decoded) {
        ++decode_errors_;
        if (!decoder_.conceal(out)) {
            std::fill(out.begin(), out.end(), std::int16_t{0});
            output.audible = false;
        }
        output.action = playout_action::conceal;
    }
    return output;
}

}  // namespace stoa::audio
