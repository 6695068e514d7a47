// Names for e2ee_error, for logs and diagnostics.
#include "stoa/e2ee/e2ee_error.hpp"

namespace stoa::e2ee {

std::string_view to_string(e2ee_error error) noexcept {
    switch (error) {
        case e2ee_error::truncated: return "truncated";
        case e2ee_error::bad_header: return "bad_header";
        case e2ee_error::unknown_epoch: return "unknown_epoch";
        case e2ee_error::unknown_kid: return "unknown_kid";
        case e2ee_error::replay: return "replay";
        case e2ee_error::too_old: return "too_old";
        case e2ee_error::auth_failed: return "auth_failed";
        case e2ee_error::bad_signature: return "bad_signature";
        case e2ee_error::not_distributor: return "not_distributor";
        case e2ee_error::invalid_public_key: return "invalid_public_key";
        case e2ee_error::counter_exhausted: return "counter_exhausted";
        case e2ee_error::too_large: return "too_large";
        case e2ee_error::bad_version: return "bad_version";
        case e2ee_error::wrong_room: return "wrong_room";
        case e2ee_error::stale_epoch: return "stale_epoch";
        case e2ee_error::commitment_mismatch: return "commitment_mismatch";
        case e2ee_error::sender_mismatch: return "sender_mismatch";
        case e2ee_error::buffer_too_small: return "buffer_too_small";
        case e2ee_error::unknown_sender: return "unknown_sender";
        case e2ee_error::no_sending_key: return "no_sending_key";
        case e2ee_error::too_many_senders: return "too_many_senders";
        case e2ee_error::unknown_member: return "unknown_member";
        case e2ee_error::duplicate_member: return "duplicate_member";
        case e2ee_error::sender_index_out_of_range: return "sender_index_out_of_range";
        case e2ee_error::bad_profile: return "bad_profile";
        case e2ee_error::wrong_session: return "wrong_session";
        case e2ee_error::not_admitted: return "not_admitted";
    }
    return "unknown e2ee_error";
}

}  // namespace stoa::e2ee
