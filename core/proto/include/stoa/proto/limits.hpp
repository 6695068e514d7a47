// Every size the protocol bounds, in one place so docs/protocol.md, the relay and tests agree.
#pragma once

#include <cstddef>
#include <cstdint>

namespace stoa::proto {

inline constexpr std::uint32_t protocol_version = 1;

// ---- Binary messages ----
inline constexpr std::size_t binary_header_size = 5;  // type u8 + sender_index u32
inline constexpr std::size_t max_media_payload = 1200;
inline constexpr std::size_t max_speaker_signature_payload = 1024;
inline constexpr std::size_t max_key_announcement_payload = 1024;
inline constexpr std::size_t max_key_request_payload = 8;  // u64 newest epoch held
// A sealed emoji reaction (core/e2ee/reaction_crypto.hpp: 146 bytes today), with room to grow.
inline constexpr std::size_t max_reaction_payload = 256;
inline constexpr std::size_t max_key_blob = 1024;  // one recipient's blob in a key_bundle / key_package
inline constexpr std::size_t max_key_bundle_entries = 1024;
inline constexpr std::size_t max_key_bundle_size = 256 * 1024;  // whole message; distributors split beyond it
inline constexpr std::size_t key_bundle_prefix_size = binary_header_size + 2;  // + entry count u16
inline constexpr std::size_t key_bundle_entry_overhead = 6;                    // recipient u32 + length u16

// ---- JSON control messages ----
inline constexpr std::size_t max_client_message_size = 64 * 1024;   // client -> relay
inline constexpr std::size_t max_server_message_size = 2 * 1024 * 1024;  // relay -> client (snapshot parts)
inline constexpr std::size_t max_json_depth = 8;
inline constexpr std::size_t max_client_json_values = 1024;     // scalars + containers in one message
inline constexpr std::size_t max_server_json_values = 64 * 1024;
inline constexpr std::size_t max_profile_bytes = 1024;           // decoded encrypted profile blob
inline constexpr std::size_t max_admission_bytes = 64;           // a join's proof for the key distributor
inline constexpr std::size_t max_client_name_length = 64;
inline constexpr std::size_t max_client_version_length = 32;
inline constexpr std::size_t max_title_length = 120;             // bytes of UTF-8
inline constexpr std::size_t max_error_message_length = 256;
inline constexpr std::size_t max_error_name_length = 64;
inline constexpr std::size_t max_members_per_snapshot_part = 1000;
inline constexpr std::uint32_t max_snapshot_parts = 1024;  // bounds a reassembled full snapshot
inline constexpr std::size_t max_audience_page_members = 500;
inline constexpr std::size_t max_directory_rooms = 100;
inline constexpr std::uint32_t max_reconnect_after_ms = 3'600'000;
inline constexpr std::size_t auth_challenge_size = 32;
inline constexpr std::size_t auth_signature_size = 64;  // Ed25519
// JSON numbers are read by browsers as IEEE doubles: every integer on the wire stays exact.
inline constexpr std::uint64_t max_safe_integer = (std::uint64_t{1} << 53) - 1;

// ---- Length-prefixed framing (non-WebSocket transports and tests) ----
inline constexpr std::size_t frame_header_size = 5;  // kind u8 + length u32
inline constexpr std::size_t default_max_frame_payload = max_server_message_size;

}  // namespace stoa::proto
