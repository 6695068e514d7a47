// The one error type of the e2ee module. Values 300-399 are wire error codes: never renumber,
// only append.
#pragma once

#include <cstdint>
#include <string_view>

namespace stoa::e2ee {

enum class e2ee_error : std::uint16_t {
    truncated = 300,            // input ends before a field it announces
    bad_header = 301,           // malformed or non-minimal SFrame header, trailing bytes
    unknown_epoch = 302,        // no key for this epoch (never had it, or its grace period ran out)
    unknown_kid = 303,          // KID does not decode to an epoch and sender index we use
    replay = 304,               // counter already accepted
    too_old = 305,              // counter behind the replay window
    auth_failed = 306,          // AEAD tag or sealed box did not verify
    bad_signature = 307,        // Ed25519 signature did not verify
    not_distributor = 308,      // key material from someone other than the room's distributor
    invalid_public_key = 309,   // not a valid Ed25519 point, or low order
    counter_exhausted = 310,    // the sender's counter for this key is used up
    too_large = 311,            // over a size limit
    bad_version = 312,          // unknown format version or message kind
    wrong_room = 313,           // bound to another room
    stale_epoch = 314,          // not newer than the epoch already held
    commitment_mismatch = 315,  // secrets do not match the signed commitment
    sender_mismatch = 316,      // KID sender index differs from the relay-stamped sender index
    buffer_too_small = 317,     // caller's output buffer cannot hold the result
    unknown_sender = 318,       // no public key known for this sender index
    no_sending_key = 319,       // no epoch installed yet
    too_many_senders = 320,     // per-epoch receive state is full
    unknown_member = 321,       // sender index not in the distributor's member set
    duplicate_member = 322,     // sender index already in the member set
    sender_index_out_of_range = 323,  // does not fit the 24 bits the KID gives it
    bad_profile = 324,          // decrypted profile is malformed
    wrong_session = 325,        // a key package sealed for another session of this member (a replay)
    not_admitted = 326,         // a closed room's joiner without a valid admission tag
};

[[nodiscard]] std::string_view to_string(e2ee_error error) noexcept;

}  // namespace stoa::e2ee
