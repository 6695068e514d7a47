// The protocol's own JSON: a parsed document (one flat array of nodes, no allocation per value)
// read through cheap json_value handles, and a writer that streams compact JSON into a string.
// Shared by the relay, the client and the browser API, so no general-purpose JSON library is
// linked into the WebAssembly client. Parsing untrusted text with limits: bounded_json.hpp.
#pragma once

#include <charconv>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace stoa::proto {

// How a number was spelled decides its kind, as the protocol reads it: an integer that fits in
// 64 bits is `unsigned_integer` when non-negative and `integer` when it has a minus sign (even
// "-0"); anything with a fraction or exponent, or too large for 64 bits, is `floating`.
enum class json_kind : std::uint8_t { null, boolean, integer, unsigned_integer, floating, string, array, object };

class json_document;

namespace detail {
// One value in document order. A container is followed by its elements (an object by key and
// value nodes, alternating); `next` skips the whole subtree.
struct json_node {
    json_kind kind = json_kind::null;
    bool boolean = false;
    std::uint32_t count = 0;  // elements, members, or a string's length in bytes
    std::uint32_t next = 0;   // index of the node after this value's subtree
    union {
        std::uint64_t unsigned_value;
        std::int64_t signed_value;
        double float_value;
        std::uint32_t string_offset;  // into the document's string buffer
    };
    json_node() : unsigned_value(0) {}
};
}  // namespace detail

class json_value;

// A key and its value, from json_value::members().
struct json_member;

// A read-only handle on one value of a json_document; valid while the document lives and is not
// moved. A default-constructed or looked-up-but-absent handle reads as null and exists() is false.
class json_value {
public:
    json_value() = default;

    [[nodiscard]] bool exists() const noexcept { return document_ != nullptr; }
    [[nodiscard]] json_kind kind() const noexcept { return document_ ? node().kind : json_kind::null; }
    [[nodiscard]] bool is_null() const noexcept { return kind() == json_kind::null; }
    [[nodiscard]] bool is_boolean() const noexcept { return kind() == json_kind::boolean; }
    [[nodiscard]] bool is_number() const noexcept {
        const auto k = kind();
        return k == json_kind::integer || k == json_kind::unsigned_integer || k == json_kind::floating;
    }
    [[nodiscard]] bool is_number_integer() const noexcept {
        return kind() == json_kind::integer || kind() == json_kind::unsigned_integer;
    }
    [[nodiscard]] bool is_number_unsigned() const noexcept { return kind() == json_kind::unsigned_integer; }
    [[nodiscard]] bool is_number_float() const noexcept { return kind() == json_kind::floating; }
    [[nodiscard]] bool is_string() const noexcept { return kind() == json_kind::string; }
    [[nodiscard]] bool is_array() const noexcept { return kind() == json_kind::array; }
    [[nodiscard]] bool is_object() const noexcept { return kind() == json_kind::object; }

    // Each accessor returns a zero value when the kind does not match.
    [[nodiscard]] bool as_bool() const noexcept { return is_boolean() && node().boolean; }
    [[nodiscard]] std::uint64_t as_uint() const noexcept { return is_number_unsigned() ? node().unsigned_value : 0; }
    [[nodiscard]] std::int64_t as_int() const noexcept { return kind() == json_kind::integer ? node().signed_value : 0; }
    [[nodiscard]] double as_double() const noexcept;
    [[nodiscard]] std::string_view as_string() const noexcept;

    // Elements of an array or members of an object; 0 for anything else.
    [[nodiscard]] std::size_t size() const noexcept {
        return is_array() || is_object() ? node().count : 0;
    }

    // Object lookup (linear: control messages have a handful of keys); nullopt when absent or
    // when this is not an object.
    [[nodiscard]] std::optional<json_value> find(std::string_view key) const noexcept;
    [[nodiscard]] bool contains(std::string_view key) const noexcept { return find(key).has_value(); }
    // An absent handle when the key or index is not there.
    [[nodiscard]] json_value operator[](std::string_view key) const noexcept { return find(key).value_or(json_value{}); }
    [[nodiscard]] json_value operator[](const char* key) const noexcept { return (*this)[std::string_view(key)]; }
    // A template, so that a literal 0 is an index rather than a null key.
    template <std::integral Index>
    [[nodiscard]] json_value operator[](Index index) const noexcept {
        if constexpr (std::is_signed_v<Index>) {
            if (index < 0) return {};
        }
        return element(static_cast<std::size_t>(index));
    }
    [[nodiscard]] json_value element(std::size_t index) const noexcept;

    // Iteration over an array's elements (empty for anything else).
    class iterator {
    public:
        using iterator_category = std::forward_iterator_tag;
        using value_type = json_value;
        using difference_type = std::ptrdiff_t;
        using pointer = void;
        using reference = json_value;
        iterator() = default;
        json_value operator*() const noexcept { return json_value(document_, index_); }
        iterator& operator++() noexcept;
        iterator operator++(int) noexcept {
            iterator copy = *this;
            ++*this;
            return copy;
        }
        friend bool operator==(const iterator&, const iterator&) = default;

    private:
        friend class json_value;
        iterator(const json_document* document, std::uint32_t index) : document_(document), index_(index) {}
        const json_document* document_ = nullptr;
        std::uint32_t index_ = 0;
    };
    [[nodiscard]] iterator begin() const noexcept;
    [[nodiscard]] iterator end() const noexcept;

    // An object's members in document order.
    [[nodiscard]] std::vector<json_member> members() const;

    friend bool operator==(const json_value& value, std::string_view text) noexcept {
        return value.is_string() && value.as_string() == text;
    }

private:
    friend class json_document;
    json_value(const json_document* document, std::uint32_t index) : document_(document), index_(index) {}
    [[nodiscard]] const detail::json_node& node() const noexcept;

    const json_document* document_ = nullptr;
    std::uint32_t index_ = 0;
};

struct json_member {
    std::string_view key;
    json_value value;
};

// What the parser builds: every node and every decoded string (escapes resolved) in two buffers.
// Made by parse_bounded_json; empty documents (default-constructed) have a null root.
class json_document {
public:
    json_document() = default;

    [[nodiscard]] json_value root() const noexcept {
        return nodes_.empty() ? json_value{} : json_value(this, 0);
    }
    [[nodiscard]] json_value operator[](std::string_view key) const noexcept { return root()[key]; }
    [[nodiscard]] json_value operator[](const char* key) const noexcept { return root()[std::string_view(key)]; }
    template <std::integral Index>
    [[nodiscard]] json_value operator[](Index index) const noexcept {
        return root()[index];
    }

private:
    friend class json_value;
    friend class json_parser;
    std::vector<detail::json_node> nodes_;
    std::string strings_;
};

inline const detail::json_node& json_value::node() const noexcept { return document_->nodes_[index_]; }

inline std::string_view json_value::as_string() const noexcept {
    if (!is_string()) return {};
    const auto& n = node();
    return std::string_view(document_->strings_.data() + n.string_offset, n.count);
}

inline std::optional<json_value> json_value::find(std::string_view key) const noexcept {
    if (!is_object()) return std::nullopt;
    const auto& nodes = document_->nodes_;
    std::uint32_t at = index_ + 1;
    for (std::uint32_t i = 0; i < nodes[index_].count; ++i) {
        const auto& k = nodes[at];
        if (k.count == key.size() && std::string_view(document_->strings_.data() + k.string_offset, k.count) == key)
            return json_value(document_, at + 1);
        at = nodes[at + 1].next;
    }
    return std::nullopt;
}

inline json_value::iterator& json_value::iterator::operator++() noexcept {
    index_ = document_->nodes_[index_].next;
    return *this;
}
inline json_value::iterator json_value::begin() const noexcept {
    return is_array() ? iterator(document_, index_ + 1) : iterator();
}
inline json_value::iterator json_value::end() const noexcept {
    return is_array() ? iterator(document_, node().next) : iterator();
}

// Compact JSON (no spaces) into a string, keys in the order written. Strings that are not valid
// UTF-8 are written with U+FFFD for each bad sequence, so output is always valid JSON; control
// characters are escaped (\b \f \n \r \t, else \u00XX), '/' and non-ASCII characters are not.
// The caller pairs begin/end calls and writes a key before each value inside an object.
class json_writer {
public:
    json_writer() = default;
    explicit json_writer(std::size_t reserve) { out_.reserve(reserve); }

    void begin_object() { separate(); out_.push_back('{'); }
    void end_object() { out_.push_back('}'); }
    void begin_array() { separate(); out_.push_back('['); }
    void end_array() { out_.push_back(']'); }
    void key(std::string_view name) {
        if (!out_.empty() && out_.back() != '{') out_.push_back(',');
        write_string(name);
        out_.push_back(':');
    }

    void value(std::nullptr_t) { separate(); out_.append("null"); }
    void value(bool b) { separate(); out_.append(b ? "true" : "false"); }
    void value(std::string_view text) { separate(); write_string(text); }
    void value(const char* text) { value(std::string_view(text)); }
    void value(const std::string& text) { value(std::string_view(text)); }
    template <std::integral T>
        requires(!std::same_as<T, bool>)
    void value(T number) {
        separate();
        char buffer[24];
        const auto end = std::to_chars(buffer, buffer + sizeof buffer, number).ptr;
        out_.append(buffer, end);
    }
    // A string when present, null when not.
    template <typename T>
    void value(const std::optional<T>& maybe) {
        if (maybe) value(*maybe);
        else value(nullptr);
    }

    template <typename T>
    void field(std::string_view name, const T& v) {
        key(name);
        value(v);
    }
    void field(std::string_view name, const char* v) {
        key(name);
        value(std::string_view(v));
    }

    [[nodiscard]] const std::string& text() const noexcept { return out_; }
    [[nodiscard]] std::string take() { return std::move(out_); }

private:
    // A comma before a value unless it opens the document or a container or follows a key.
    void separate() {
        if (!out_.empty()) {
            const char last = out_.back();
            if (last != '[' && last != ':' && last != '{') out_.push_back(',');
        }
    }
    void write_string(std::string_view text);

    std::string out_;
};

}  // namespace stoa::proto
