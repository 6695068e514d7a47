// Fixed-size secret byte strings that wipe themselves (sodium_memzero) when destroyed.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace stoa::e2ee {

namespace detail {
// sodium_memzero, kept out of this header so users need not include sodium.h.
void wipe(void* data, std::size_t size) noexcept;
// sodium_memcmp: constant-time equality.
[[nodiscard]] bool constant_time_equal(const void* a, const void* b, std::size_t size) noexcept;
}  // namespace detail

template <std::size_t N>
class secret_bytes {
public:
    static constexpr std::size_t size = N;

    secret_bytes() = default;
    explicit secret_bytes(std::span<const std::uint8_t, N> value) noexcept {
        for (std::size_t i = 0; i < N; ++i) data_[i] = value[i];
    }
    // Copies are allowed (a keyring and a distributor each hold the epoch secret); each copy wipes itself.
    secret_bytes(const secret_bytes&) = default;
    secret_bytes& operator=(const secret_bytes&) = default;
    ~secret_bytes() { detail::wipe(data_.data(), N); }

    [[nodiscard]] std::span<const std::uint8_t, N> view() const noexcept { return std::span<const std::uint8_t, N>(data_); }
    [[nodiscard]] std::span<std::uint8_t, N> mutable_view() noexcept { return std::span<std::uint8_t, N>(data_); }
    [[nodiscard]] const std::uint8_t* data() const noexcept { return data_.data(); }
    [[nodiscard]] std::uint8_t* data() noexcept { return data_.data(); }

    [[nodiscard]] friend bool operator==(const secret_bytes& a, const secret_bytes& b) noexcept {
        return detail::constant_time_equal(a.data_.data(), b.data_.data(), N);
    }

private:
    std::array<std::uint8_t, N> data_{};
};

// An epoch secret, a roster secret, a derived key: all 32 bytes.
using secret_key = secret_bytes<32>;

}  // namespace stoa::e2ee
