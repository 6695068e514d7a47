#include "stoa/client/client_error.hpp"

namespace stoa::client {

std::string_view to_string(client_error error) noexcept {
    switch (error) {
        case client_error::not_in_room: return "not_in_room";
        case client_error::not_on_stage: return "not_on_stage";
        case client_error::muted: return "muted";
        case client_error::no_sending_key: return "no_sending_key";
        case client_error::bad_media_payload: return "bad_media_payload";
        case client_error::wrong_state: return "wrong_state";
        case client_error::unknown_sender: return "unknown_sender";
        case client_error::too_large: return "too_large";
        case client_error::missing_admission_secret: return "missing_admission_secret";
        case client_error::rejoin_timed_out: return "rejoin_timed_out";
        case client_error::unknown_reaction: return "unknown_reaction";
        case client_error::rate_limited: return "rate_limited";
    }
    return "unknown_client_error";
}

}  // namespace stoa::client
