// Internal: reading typed fields out of a decoded JSON object without exceptions. The first
// error is recorded in a shared context and later reads return defaults, so decoders read
// straight through and check once at the end.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "stoa/common/bytes.hpp"
#include "stoa/common/strong_type.hpp"
#include "stoa/proto/encoding.hpp"
#include "stoa/proto/errors.hpp"
#include "stoa/proto/json_value.hpp"
#include "stoa/proto/limits.hpp"

namespace stoa::proto::detail {

class decode_context {
public:
    [[nodiscard]] bool failed() const noexcept { return error_.has_value(); }
    [[nodiscard]] decode_error take_error() { return std::move(*error_); }
    void fail(proto_error code, std::string detail) {
        if (!error_) error_ = decode_error{code, std::move(detail)};
    }

private:
    std::optional<decode_error> error_;
};

// A name/value pair for an enum's wire spelling.
template <typename E>
struct enum_name {
    E value;
    std::string_view name;
};

class object_reader {
public:
    static constexpr std::size_t no_index = static_cast<std::size_t>(-1);

    // `key`/`index` locate this object inside `parent` for error paths, built only on failure.
    object_reader(decode_context& ctx, json_value j, const object_reader* parent = nullptr,
                  std::string_view key = {}, std::size_t index = no_index)
        : ctx_(ctx), j_(j), parent_(parent), key_(key), index_(index) {
        if (!j.is_object()) ctx_.fail(proto_error::wrong_type, path({}));
    }

    [[nodiscard]] decode_context& context() const noexcept { return ctx_; }
    [[nodiscard]] bool failed() const noexcept { return ctx_.failed(); }
    [[nodiscard]] bool has(std::string_view key) const { return j_.find(key).has_value(); }

    // Marks the key as known; nullopt if absent (reporting missing_field when required).
    std::optional<json_value> find(std::string_view key, bool required) {
        if (ctx_.failed() || !j_.is_object()) return std::nullopt;
        auto found = j_.find(key);
        if (!found) {
            if (required) ctx_.fail(proto_error::missing_field, path(key));
            return std::nullopt;
        }
        if (seen_ < read_keys_.size()) read_keys_[seen_] = key;
        ++seen_;
        return found;
    }

    std::uint64_t uint(std::string_view key, std::uint64_t min, std::uint64_t max) {
        const auto v = find(key, true);
        return v ? as_uint(*v, key, min, max) : min;
    }
    std::optional<std::uint64_t> optional_uint(std::string_view key, std::uint64_t min, std::uint64_t max) {
        const auto v = find(key, false);
        if (!v) return std::nullopt;
        return as_uint(*v, key, min, max);
    }
    std::uint32_t u32(std::string_view key, std::uint32_t min = 0, std::uint32_t max = UINT32_MAX) {
        return static_cast<std::uint32_t>(uint(key, min, max));
    }
    std::uint64_t safe_u64(std::string_view key) { return uint(key, 0, max_safe_integer); }

    bool boolean(std::string_view key) {
        const auto v = find(key, true);
        if (!v) return false;
        if (!v->is_boolean()) {
            ctx_.fail(proto_error::wrong_type, path(key));
            return false;
        }
        return v->as_bool();
    }

    std::string string(std::string_view key, std::size_t min_length, std::size_t max_length) {
        const auto v = find(key, true);
        return v ? as_string(*v, key, min_length, max_length) : std::string();
    }
    std::optional<std::string> optional_string(std::string_view key, std::size_t min_length, std::size_t max_length) {
        const auto v = find(key, false);
        if (!v) return std::nullopt;
        return as_string(*v, key, min_length, max_length);
    }

    // A fixed-size id or key in lowercase hex.
    template <typename Strong>
    Strong hex_id(std::string_view key) {
        const auto v = find(key, true);
        return v ? as_hex_id<Strong>(*v, key) : Strong{};
    }
    template <typename Strong>
    std::optional<Strong> optional_hex_id(std::string_view key) {
        const auto v = find(key, false);
        if (!v) return std::nullopt;
        return as_hex_id<Strong>(*v, key);
    }

    // A blob in canonical base64 with decoded length in [min_bytes, max_bytes].
    bytes base64(std::string_view key, std::size_t min_bytes, std::size_t max_bytes) {
        const auto v = find(key, true);
        if (!v) return {};
        if (!v->is_string()) {
            ctx_.fail(proto_error::wrong_type, path(key));
            return {};
        }
        const std::string_view text = v->as_string();
        // Check the length before decoding so an oversized blob costs nothing.
        if (text.size() > base64_length(max_bytes)) {
            ctx_.fail(proto_error::too_long, path(key));
            return {};
        }
        auto decoded = decode_base64(text);
        if (!decoded) {
            ctx_.fail(proto_error::bad_encoding, path(key));
            return {};
        }
        if (decoded->size() < min_bytes) {
            ctx_.fail(min_bytes == 1 ? proto_error::empty_payload : proto_error::wrong_length, path(key));
            return {};
        }
        if (decoded->size() > max_bytes) {
            ctx_.fail(proto_error::too_long, path(key));
            return {};
        }
        return std::move(*decoded);
    }

    template <typename E, std::size_t N>
    E enumeration(std::string_view key, const enum_name<E> (&names)[N]) {
        const auto v = find(key, true);
        if (!v) return names[0].value;
        if (!v->is_string()) {
            ctx_.fail(proto_error::wrong_type, path(key));
            return names[0].value;
        }
        const std::string_view text = v->as_string();
        for (const auto& n : names)
            if (n.name == text) return n.value;
        ctx_.fail(proto_error::unknown_value, path(key));
        return names[0].value;
    }

    // The array at `key`, checked for type and length; nullopt on failure.
    std::optional<json_value> array(std::string_view key, std::size_t max_items) {
        const auto v = find(key, true);
        if (!v) return std::nullopt;
        if (!v->is_array()) {
            ctx_.fail(proto_error::wrong_type, path(key));
            return std::nullopt;
        }
        if (v->size() > max_items) {
            ctx_.fail(proto_error::too_many_items, path(key));
            return std::nullopt;
        }
        return v;
    }

    // Rejects keys that were never asked for. Call after reading every field.
    void finish() {
        if (ctx_.failed() || !j_.is_object() || seen_ == j_.size()) return;
        // Some key was not read: name the smallest in byte order (the name this error has
        // always carried). The key is attacker-chosen, so it is cut short.
        std::optional<std::string_view> first;
        for (const auto& member : j_.members())
            if (!was_read(member.key) && (!first || member.key < *first)) first = member.key;
        if (first) ctx_.fail(proto_error::unknown_field, path(first->substr(0, 32)));
    }

    void fail(proto_error code, std::string_view key) { ctx_.fail(code, path(key)); }

    // The dotted path of `key` in this object, e.g. "snapshot.members[3].id".
    [[nodiscard]] std::string path(std::string_view key) const {
        std::string out = parent_ ? parent_->path(key_) : std::string(key_);
        if (index_ != no_index) out += "[" + std::to_string(index_) + "]";
        if (!key.empty()) {
            if (!out.empty()) out += '.';
            out += key;
        }
        return out;
    }

private:
    [[nodiscard]] bool was_read(std::string_view key) const {
        for (std::size_t i = 0; i < seen_ && i < read_keys_.size(); ++i)
            if (read_keys_[i] == key) return true;
        return false;
    }

    std::uint64_t as_uint(json_value v, std::string_view key, std::uint64_t min, std::uint64_t max) {
        if (!v.is_number_integer()) {
            ctx_.fail(proto_error::wrong_type, path(key));
            return min;
        }
        if (!v.is_number_unsigned()) {  // a negative integer
            ctx_.fail(proto_error::out_of_range, path(key));
            return min;
        }
        const auto value = v.as_uint();
        if (value < min || value > max) {
            ctx_.fail(proto_error::out_of_range, path(key));
            return min;
        }
        return value;
    }

    std::string as_string(json_value v, std::string_view key, std::size_t min_length, std::size_t max_length) {
        if (!v.is_string()) {
            ctx_.fail(proto_error::wrong_type, path(key));
            return {};
        }
        const std::string_view text = v.as_string();
        if (text.size() > max_length) {
            ctx_.fail(proto_error::too_long, path(key));
            return {};
        }
        if (text.size() < min_length) {
            ctx_.fail(proto_error::empty_payload, path(key));
            return {};
        }
        return std::string(text);
    }

    template <typename Strong>
    Strong as_hex_id(json_value v, std::string_view key) {
        Strong out{};
        if (!v.is_string()) {
            ctx_.fail(proto_error::wrong_type, path(key));
            return out;
        }
        const std::string_view text = v.as_string();
        if (text.size() != Strong::size * 2) {
            ctx_.fail(proto_error::wrong_length, path(key));
            return out;
        }
        auto decoded = decode_lower_hex(text);
        if (!decoded) {
            ctx_.fail(proto_error::bad_encoding, path(key));
            return out;
        }
        std::copy(decoded->begin(), decoded->end(), out.value.begin());
        return out;
    }

    decode_context& ctx_;
    json_value j_;
    const object_reader* parent_;
    std::string_view key_;
    std::size_t index_;
    std::size_t seen_ = 0;
    std::array<std::string_view, 16> read_keys_{};
};

template <typename Strong>
std::string hex(const Strong& id) {
    return to_hex(byte_view(id.value.data(), id.value.size()));
}

template <typename E, std::size_t N>
std::string_view name_of(E value, const enum_name<E> (&names)[N]) {
    for (const auto& n : names)
        if (n.value == value) return n.name;
    return names[0].name;
}

}  // namespace stoa::proto::detail
