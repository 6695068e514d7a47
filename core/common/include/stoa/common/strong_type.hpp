// Strong types for ids, epochs, counters and sequence numbers, so a member id can never be
// passed where a sender index is expected. Wrapping counters get serial-number comparison.
#pragma once

#include <array>
#include <compare>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <type_traits>

namespace stoa {

// An integer with a distinct type per Tag. Ordered like its representation.
template <typename Tag, std::unsigned_integral Rep>
struct strong_int {
    using rep = Rep;
    Rep value{};

    constexpr strong_int() = default;
    constexpr explicit strong_int(Rep v) noexcept : value(v) {}

    friend constexpr auto operator<=>(strong_int, strong_int) = default;
    friend constexpr bool operator==(strong_int, strong_int) = default;

    [[nodiscard]] constexpr strong_int next() const noexcept { return strong_int(static_cast<Rep>(value + 1)); }
};

// A sequence number that wraps (RFC 1982 serial arithmetic): a is "before" b when b is
// ahead of a by less than half the number space. Never compare these with operator<.
template <typename Tag, std::unsigned_integral Rep>
struct serial_number {
    using rep = Rep;
    Rep value{};

    constexpr serial_number() = default;
    constexpr explicit serial_number(Rep v) noexcept : value(v) {}

    friend constexpr bool operator==(serial_number, serial_number) = default;

    // Signed distance from a to b (positive when b is ahead of a).
    [[nodiscard]] static constexpr std::make_signed_t<Rep> distance(serial_number a, serial_number b) noexcept {
        return static_cast<std::make_signed_t<Rep>>(static_cast<Rep>(b.value - a.value));
    }
    [[nodiscard]] constexpr bool is_before(serial_number other) const noexcept { return distance(*this, other) > 0; }
    [[nodiscard]] constexpr bool is_after(serial_number other) const noexcept { return distance(*this, other) < 0; }
    [[nodiscard]] constexpr serial_number next() const noexcept {
        return serial_number(static_cast<Rep>(value + 1));
    }
};

// A fixed-size opaque byte string with a distinct type per Tag (ids derived from hashes, tokens).
template <typename Tag, std::size_t N>
struct strong_bytes {
    static constexpr std::size_t size = N;
    std::array<std::uint8_t, N> value{};

    // Written out rather than defaulted: the libc++ of Debian's Emscripten (14) has no <=> for
    // std::array, which would make a defaulted one deleted in the WebAssembly build.
    friend constexpr std::strong_ordering operator<=>(const strong_bytes& a, const strong_bytes& b) noexcept {
        for (std::size_t i = 0; i < N; ++i) {
            if (a.value[i] != b.value[i]) return a.value[i] < b.value[i] ? std::strong_ordering::less : std::strong_ordering::greater;
        }
        return std::strong_ordering::equal;
    }
    friend constexpr bool operator==(const strong_bytes&, const strong_bytes&) = default;
};

// Hashes for use in unordered containers.
struct strong_hash {
    template <typename Tag, typename Rep>
    std::size_t operator()(strong_int<Tag, Rep> v) const noexcept {
        return std::hash<Rep>{}(v.value);
    }
    template <typename Tag, std::size_t N>
    std::size_t operator()(const strong_bytes<Tag, N>& v) const noexcept {
        // The byte strings hashed here are uniformly distributed (hash outputs, random tokens),
        // so their first bytes already make a good hash.
        std::size_t h = 0;
        for (std::size_t i = 0; i < sizeof(std::size_t) && i < N; ++i) h = (h << 8) | v.value[i];
        return h;
    }
};

}  // namespace stoa
