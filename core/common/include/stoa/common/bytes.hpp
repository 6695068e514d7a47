// Byte buffers and bounds-checked big-endian reading and writing for binary wire formats.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <span>
#include <string_view>
#include <vector>

namespace stoa {

using bytes = std::vector<std::uint8_t>;
using byte_view = std::span<const std::uint8_t>;
using mutable_byte_view = std::span<std::uint8_t>;

inline byte_view as_bytes(std::string_view text) {
    return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

// Reads fixed-width big-endian integers and byte runs; every read is bounds-checked and
// a failed read leaves the reader positioned where it was.
class byte_reader {
public:
    explicit byte_reader(byte_view input) noexcept : input_(input) {}

    [[nodiscard]] std::size_t remaining() const noexcept { return input_.size() - offset_; }
    [[nodiscard]] std::size_t offset() const noexcept { return offset_; }
    [[nodiscard]] bool empty() const noexcept { return remaining() == 0; }

    [[nodiscard]] std::optional<std::uint64_t> read_uint(std::size_t width) noexcept {
        if (width == 0 || width > 8 || remaining() < width) return std::nullopt;
        std::uint64_t value = 0;
        for (std::size_t i = 0; i < width; ++i) value = (value << 8) | input_[offset_ + i];
        offset_ += width;
        return value;
    }
    [[nodiscard]] std::optional<std::uint8_t> read_u8() noexcept {
        auto v = read_uint(1);
        return v ? std::optional<std::uint8_t>(static_cast<std::uint8_t>(*v)) : std::nullopt;
    }
    [[nodiscard]] std::optional<std::uint16_t> read_u16() noexcept {
        auto v = read_uint(2);
        return v ? std::optional<std::uint16_t>(static_cast<std::uint16_t>(*v)) : std::nullopt;
    }
    [[nodiscard]] std::optional<std::uint32_t> read_u32() noexcept {
        auto v = read_uint(4);
        return v ? std::optional<std::uint32_t>(static_cast<std::uint32_t>(*v)) : std::nullopt;
    }
    [[nodiscard]] std::optional<std::uint64_t> read_u64() noexcept { return read_uint(8); }

    [[nodiscard]] std::optional<byte_view> read_bytes(std::size_t count) noexcept {
        if (remaining() < count) return std::nullopt;
        byte_view out = input_.subspan(offset_, count);
        offset_ += count;
        return out;
    }
    [[nodiscard]] byte_view rest() noexcept {
        byte_view out = input_.subspan(offset_);
        offset_ = input_.size();
        return out;
    }

private:
    byte_view input_;
    std::size_t offset_ = 0;
};

// Appends big-endian integers and byte runs to a caller-owned buffer.
class byte_writer {
public:
    explicit byte_writer(bytes& out) noexcept : out_(out) {}

    void write_uint(std::uint64_t value, std::size_t width) {
        for (std::size_t i = width; i-- > 0;) out_.push_back(static_cast<std::uint8_t>(value >> (8 * i)));
    }
    void write_u8(std::uint8_t v) { out_.push_back(v); }
    void write_u16(std::uint16_t v) { write_uint(v, 2); }
    void write_u32(std::uint32_t v) { write_uint(v, 4); }
    void write_u64(std::uint64_t v) { write_uint(v, 8); }
    void write_bytes(byte_view data) { out_.insert(out_.end(), data.begin(), data.end()); }

private:
    bytes& out_;
};

std::string to_hex(byte_view data);
std::optional<bytes> from_hex(std::string_view hex);

}  // namespace stoa
