// TOML into the document tree with toml++, compiled here header-only and without exceptions (see
// CMakeLists.txt), so the parser gets the same sanitizer and fuzzer instrumentation as our code.
// toml++ keeps tables sorted by key; members are put back in the order they were written.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <utility>

// toml++ states internal invariants that untrusted input can break (after "[[" parse_key()
// assumes a key character follows, though it reports anything else as an error itself): in a
// debug build that aborts, and under clang's NDEBUG it is __builtin_assume, undefined behaviour.
// Neither may happen on a user's file, so these hints are compiled out; the parser's own error
// checks remain.
#include <toml++/impl/preprocessor.h>
#undef TOML_ASSERT
#define TOML_ASSERT(expr) static_assert(true)
#undef TOML_ASSERT_ASSUME
#define TOML_ASSERT_ASSUME(expr) static_assert(true)
#undef TOML_ASSUME
#define TOML_ASSUME(...) static_assert(true)
#include <toml++/toml.h>

#include "document.hpp"

namespace stoa::loadgen::detail {

namespace {

source_position position_of(const toml::source_region& region) {
    return {region.begin.line, region.begin.column};
}

// toml++ 3.3's is_non_ascii_horizontal_whitespace() reaches TOML_UNREACHABLE (undefined
// behaviour) for most code points from U+00A1 to U+0499, U+2C8E to U+3057 and U+FB26 to U+FEFE
// (é, ß, Greek, Cyrillic, kana...) wherever the parser asks whether a character is whitespace,
// such as between tokens or after a backslash in a multi-line string. Found by our fuzzer. Those
// code points are moved to the private-use plane 15 (U+F00A1...) before parsing, where the
// function returns false as it should, and moved back in every string and message after; a
// file that itself uses that part of plane 15 is refused. This mirrors the function's test.
constexpr bool toml_whitespace_test_is_undefined(char32_t c) noexcept {
    if (c < 0xA0 || c > 0xFEFF) return false;
    const auto child = (static_cast<std::uint64_t>(c) - 0xA0) / 0x3FA;
    if (((1ULL << child) & 0x7FFFFFFFFFFFF75EULL) != 0) return false;
    if (c == 0xA0 || c == 0x3000 || c == 0xFEFF) return false;
    return child != 5 && child != 7;
}
constexpr char32_t moved_offset = 0xF0000;

// One valid UTF-8 sequence at text[i]: its code point and length, or length 0 when invalid.
std::pair<char32_t, std::size_t> decode(std::string_view text, std::size_t i) noexcept {
    const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
    const unsigned char lead = byte(i);
    std::size_t length = lead < 0x80             ? 1
                         : (lead & 0xE0) == 0xC0 ? 2
                         : (lead & 0xF0) == 0xE0 ? 3
                         : (lead & 0xF8) == 0xF0 ? 4
                                                 : 0;
    if (length == 0 || i + length > text.size()) return {0, 0};
    char32_t c = length == 1 ? lead : length == 2 ? (lead & 0x1Fu) : length == 3 ? (lead & 0x0Fu) : (lead & 0x07u);
    for (std::size_t k = 1; k < length; ++k) {
        if ((byte(i + k) & 0xC0) != 0x80) return {0, 0};
        c = (c << 6) | (byte(i + k) & 0x3Fu);
    }
    return {c, length};
}

void encode(char32_t c, std::string& out) {
    if (c < 0x80) {
        out += static_cast<char>(c);
    } else if (c < 0x800) {
        out += static_cast<char>(0xC0 | (c >> 6));
        out += static_cast<char>(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
        out += static_cast<char>(0xE0 | (c >> 12));
        out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (c & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (c >> 18));
        out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (c & 0x3F));
    }
}

// Moves code points by `shift` (+moved_offset before parsing, -moved_offset after) where `moves`
// says so; any other byte, including invalid UTF-8, is copied as it is.
template <typename Predicate>
std::string move_code_points(std::string_view text, char32_t shift, Predicate moves) {
    std::string out;
    out.reserve(text.size() + text.size() / 2);
    for (std::size_t i = 0; i < text.size();) {
        const auto [c, length] = decode(text, i);
        if (length > 1 && moves(c)) {
            encode(c + shift, out);
            i += length;
        } else {
            out += text[i];
            ++i;
        }
    }
    return out;
}

std::string restore(std::string_view text) {
    return move_code_points(text, static_cast<char32_t>(0) - moved_offset, [](char32_t c) {
        return c >= moved_offset && toml_whitespace_test_is_undefined(c - moved_offset);
    });
}

document_node convert(const toml::node& node) {
    document_node out;
    out.position = position_of(node.source());
    if (const auto* table = node.as_table()) {
        out.kind = document_node::type::table;
        for (const auto& [key, value] : *table) {
            out.members.push_back(document_member{restore(key.str()), position_of(key.source()), convert(value)});
        }
        std::stable_sort(
            out.members.begin(), out.members.end(), [](const document_member& a, const document_member& b) {
                return a.key_position.line != b.key_position.line ? a.key_position.line < b.key_position.line
                                                                  : a.key_position.column < b.key_position.column;
            });
    } else if (const auto* array = node.as_array()) {
        out.kind = document_node::type::array;
        for (const auto& item : *array) out.items.push_back(convert(item));
    } else if (const auto* text = node.as_string()) {
        out.kind = document_node::type::string;
        out.text = restore(text->get());
    } else if (const auto* integer = node.as_integer()) {
        out.kind = document_node::type::integer;
        out.integer = integer->get();
    } else if (const auto* floating = node.as_floating_point()) {
        out.kind = document_node::type::floating;
        out.floating = floating->get();
    } else if (const auto* boolean = node.as_boolean()) {
        out.kind = document_node::type::boolean;
        out.boolean = boolean->get();
    } else {
        out.kind = document_node::type::other;
        out.text = node.is_date() ? "a date" : node.is_time() ? "a time" : "a date and time";
    }
    return out;
}

}  // namespace

result<document_node, scenario_error> read_toml_document(std::string_view text, std::string_view source) {
    // Refuse the code points the workaround above moves others to, so that moving back is exact.
    source_position at{1, 1};
    for (std::size_t i = 0; i < text.size();) {
        const auto [c, length] = decode(text, i);
        if (length > 1 && c >= moved_offset && toml_whitespace_test_is_undefined(c - moved_offset)) {
            return fail(scenario_error{scenario_error_kind::syntax, std::string(source), at, "",
                                       "not accepted: a private-use character of plane 15 (U+F00A1 to U+FFEFE)"});
        }
        if (text[i] == '\n') {
            ++at.line;
            at.column = 1;
        } else {
            ++at.column;
        }
        i += length == 0 ? 1 : length;
    }
    const std::string protected_text = move_code_points(text, moved_offset, toml_whitespace_test_is_undefined);
    toml::parse_result parsed = toml::parse(protected_text, source);
    if (!parsed) {
        const toml::parse_error& error = parsed.error();
        return fail(scenario_error{scenario_error_kind::syntax, std::string(source), position_of(error.source()), "",
                                   "not valid TOML: " + restore(error.description())});
    }
    document_node root = convert(parsed.table());
    root.position = {1, 1};
    return root;
}

}  // namespace stoa::loadgen::detail
