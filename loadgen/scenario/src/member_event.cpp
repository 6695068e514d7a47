// Names of member events, for logs and reports.
#include "stoa/loadgen/scenario/member_event.hpp"

namespace stoa::loadgen {

const char* to_string(member_event_kind kind) noexcept {
    switch (kind) {
        case member_event_kind::open_room:
            return "open_room";
        case member_event_kind::join:
            return "join";
        case member_event_kind::leave:
            return "leave";
        case member_event_kind::raise_hand:
            return "raise_hand";
        case member_event_kind::invite_to_stage:
            return "invite_to_stage";
        case member_event_kind::move_to_audience:
            return "move_to_audience";
        case member_event_kind::disconnect:
            return "disconnect";
        case member_event_kind::reconnect:
            return "reconnect";
    }
    return "unknown";
}

}  // namespace stoa::loadgen
