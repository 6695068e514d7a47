// Binary WebSocket messages: a 5-byte routing header (type, sender_index) the relay reads, then
// bytes that are opaque to it (SFrame media, signatures, sealed key blobs from core/e2ee).
#pragma once

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <span>
#include <vector>
#include <variant>

#include "stoa/common/bytes.hpp"
#include "stoa/common/ids.hpp"
#include "stoa/common/result.hpp"
#include "stoa/proto/errors.hpp"

namespace stoa::proto {

// Byte 0 of every binary message. Values never change; new types get new values.
enum class binary_type : std::uint8_t {
    media = 0x01,
    speaker_signature = 0x02,
    key_announcement = 0x03,
    key_bundle = 0x04,   // client -> relay only
    key_package = 0x05,  // relay -> client only
    // A member missed key material (a gap in announcements): the relay passes it to the host only,
    // which reseals the current epoch to that member. Payload: u64 newest epoch the member holds.
    key_request = 0x06,
    // An emoji reaction sealed under the epoch key (any member in the room may send one): the
    // relay forwards it to everyone else, rate-limited, as droppable traffic.
    reaction = 0x07,
};

[[nodiscard]] std::string_view to_string(binary_type t) noexcept;

// Who sent the bytes being decoded: some types may only travel one way.
enum class direction : std::uint8_t { client_to_relay = 0, relay_to_client = 1 };

struct binary_header {
    binary_type type = binary_type::media;
    sender_index sender{};  // the sender's index; for key messages the distributor's

    friend bool operator==(const binary_header&, const binary_header&) = default;
};

// The relay's hot path: reads type and sender_index and checks the size limits that need no
// scan (header present, known type, payload within [1, max] for single-payload types, total
// size for key_bundle). It does not walk key_bundle entries: use key_bundle_view for that.
[[nodiscard]] result<binary_header, decode_error> peek_binary_header(byte_view message) noexcept;

// ---- Owned messages (clients, tests) ----
struct media_message {
    sender_index sender{};
    bytes payload{};  // SFrame ciphertext
    friend bool operator==(const media_message&, const media_message&) = default;
};
struct speaker_signature_message {
    sender_index sender{};
    bytes payload{};
    friend bool operator==(const speaker_signature_message&, const speaker_signature_message&) = default;
};
struct key_announcement_message {
    sender_index distributor{};
    bytes payload{};
    friend bool operator==(const key_announcement_message&, const key_announcement_message&) = default;
};
struct key_bundle_entry {
    sender_index recipient{};
    bytes blob{};
    friend bool operator==(const key_bundle_entry&, const key_bundle_entry&) = default;
};
struct key_bundle_message {
    sender_index distributor{};
    std::vector<key_bundle_entry> entries{};
    friend bool operator==(const key_bundle_message&, const key_bundle_message&) = default;
};
struct key_package_message {
    sender_index distributor{};
    bytes blob{};
    friend bool operator==(const key_package_message&, const key_package_message&) = default;
};

struct key_request_message {
    sender_index requester{};
    bytes payload{};  // u64 big-endian: the newest epoch the requester holds
    friend bool operator==(const key_request_message&, const key_request_message&) = default;
};

struct reaction_message {
    sender_index sender{};
    bytes payload{};  // a sealed reaction (e2ee::seal_reaction)
    friend bool operator==(const reaction_message&, const reaction_message&) = default;
};

using binary_message = std::variant<media_message, speaker_signature_message, key_announcement_message,
                                    key_bundle_message, key_package_message, key_request_message, reaction_message>;

// Full decode with every check, including direction (a client may not send key_package, the relay
// may not send key_bundle).
[[nodiscard]] result<binary_message, decode_error> decode_binary(byte_view message, direction from);

// Encoders throw std::invalid_argument for programmer error (a payload over its limit or empty),
// so no caller can build a message the peer must reject.
[[nodiscard]] bytes encode_binary(const binary_message& message);
// Appends to `out`, so a caller can reuse one buffer per frame.
void encode_media(bytes& out, sender_index sender, byte_view payload);
void encode_key_package(bytes& out, sender_index distributor, byte_view blob);
// A distributor's key_bundle messages for any number of recipients: as few messages as the
// entry-count and size limits allow, entries in order.
[[nodiscard]] std::vector<bytes> split_key_bundle(sender_index distributor, std::span<const key_bundle_entry> entries);

// ---- Zero-copy key_bundle access for the relay ----
struct key_bundle_entry_view {
    sender_index recipient{};
    byte_view blob{};
};

// A validated key_bundle: parse() walks every entry once, so iteration afterwards cannot fail.
// Views point into the caller's buffer, which must outlive this object.
class key_bundle_view {
public:
    class iterator {
    public:
        using iterator_category = std::forward_iterator_tag;
        using value_type = key_bundle_entry_view;
        using difference_type = std::ptrdiff_t;
        using pointer = void;
        using reference = key_bundle_entry_view;

        iterator() = default;
        [[nodiscard]] key_bundle_entry_view operator*() const noexcept;
        iterator& operator++() noexcept;
        iterator operator++(int) noexcept {
            iterator copy = *this;
            ++*this;
            return copy;
        }
        friend bool operator==(const iterator& a, const iterator& b) noexcept { return a.at_ == b.at_; }

    private:
        friend class key_bundle_view;
        explicit iterator(const std::uint8_t* at) noexcept : at_(at) {}
        const std::uint8_t* at_ = nullptr;
    };

    [[nodiscard]] static result<key_bundle_view, decode_error> parse(byte_view message) noexcept;

    [[nodiscard]] sender_index distributor() const noexcept { return distributor_; }
    [[nodiscard]] std::size_t size() const noexcept { return count_; }
    [[nodiscard]] iterator begin() const noexcept { return iterator(entries_.data()); }
    [[nodiscard]] iterator end() const noexcept { return iterator(entries_.data() + entries_.size()); }

private:
    key_bundle_view(sender_index distributor, std::size_t count, byte_view entries) noexcept
        : distributor_(distributor), count_(count), entries_(entries) {}
    sender_index distributor_{};
    std::size_t count_ = 0;
    byte_view entries_{};
};

}  // namespace stoa::proto
