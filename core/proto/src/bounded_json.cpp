// A strict JSON parser (RFC 8259, no extensions) that builds a json_document while enforcing
// depth, value count and unique keys, stopping at the first violation instead of building the
// tree and checking afterwards. Containers recurse only after the depth check, so the nesting
// limit also bounds the C++ stack.
#include "stoa/proto/bounded_json.hpp"

#include <algorithm>
#include <cstdlib>
#include <optional>
#include <memory>
#include <string>
#include <unordered_set>
#include <vector>

#include "stoa/proto/encoding.hpp"

namespace stoa::proto {

class json_parser {
public:
    json_parser(std::string_view text, const json_limits& limits, json_document& document)
        : text_(text), limits_(limits), nodes_(document.nodes_), strings_(document.strings_) {
        // Decoded strings are never longer than their spelling, so this buffer never moves while
        // parsing and the duplicate-key sets can hold views into it.
        strings_.reserve(text.size());
        nodes_.reserve(std::min<std::size_t>(text.size() / 4 + 4, 4096));
    }

    [[nodiscard]] bool parse() {
        // A UTF-8 byte order mark is skipped, as before this parser existed.
        if (text_.starts_with("\xef\xbb\xbf")) at_ = 3;
        if (!parse_value()) return false;
        for (;;) {
            if (stack_.empty()) {
                skip_space();
                if (at_ != text_.size()) return syntax_error();
                return true;
            }
            frame& top = stack_.back();
            skip_space();
            if (at_ >= text_.size()) return syntax_error();
            const char c = text_[at_];
            if (c == ',') {
                ++at_;
                if (top.object && !parse_key()) return false;
                if (!parse_value()) return false;
            } else if (c == (top.object ? '}' : ']')) {
                ++at_;
                close();
            } else {
                return syntax_error();
            }
        }
    }

    [[nodiscard]] const decode_error& error() const { return *error_; }

private:
    struct frame {
        std::uint32_t node;
        bool object;
        // Keys seen so far, once an object has too many for a linear scan.
        std::unique_ptr<std::unordered_set<std::string_view>> keys;
    };
    static constexpr std::uint32_t linear_key_scan = 16;

    bool reject(proto_error code, std::string detail) {
        if (!error_) {
            if (detail.size() > 64) detail.resize(64);
            error_ = decode_error{code, std::move(detail)};
        }
        return false;
    }
    bool syntax_error() { return reject(proto_error::invalid_json, "at byte " + std::to_string(at_ + 1)); }

    void skip_space() {
        while (at_ < text_.size()) {
            const char c = text_[at_];
            if (c != ' ' && c != '\n' && c != '\r' && c != '\t') return;
            ++at_;
        }
    }

    // Appends a node as the next value of the innermost container (or as the root).
    std::uint32_t add(json_kind kind) {
        const auto index = static_cast<std::uint32_t>(nodes_.size());
        nodes_.emplace_back();
        nodes_.back().kind = kind;
        nodes_.back().next = index + 1;
        if (!stack_.empty()) ++nodes_[stack_.back().node].count;
        return index;
    }

    bool count_value() {
        if (++values_ > limits_.max_values) return reject(proto_error::too_many_items, "json values");
        return true;
    }

    void close() {
        nodes_[stack_.back().node].next = static_cast<std::uint32_t>(nodes_.size());
        stack_.pop_back();
    }

    // After '{' or ',' in an object: "key" then ':'.
    bool parse_key() {
        skip_space();
        if (at_ >= text_.size() || text_[at_] != '"') return syntax_error();
        std::uint32_t offset = 0, length = 0;
        if (!parse_string(offset, length)) return false;
        const std::string_view key(strings_.data() + offset, length);
        frame& top = stack_.back();
        if (!unique_key(top, key)) return reject(proto_error::duplicate_key, std::string(key));
        // The key is a string node that the object does not count as a member by itself.
        const auto index = static_cast<std::uint32_t>(nodes_.size());
        nodes_.emplace_back();
        auto& node = nodes_.back();
        node.kind = json_kind::string;
        node.next = index + 1;
        node.string_offset = offset;
        node.count = length;
        skip_space();
        if (at_ >= text_.size() || text_[at_] != ':') return syntax_error();
        ++at_;
        return true;
    }

    bool unique_key(frame& top, std::string_view key) {
        const auto& object = nodes_[top.node];
        if (top.keys) return top.keys->insert(key).second;
        if (object.count < linear_key_scan) {
            std::uint32_t at = top.node + 1;
            for (std::uint32_t i = 0; i < object.count; ++i) {
                const auto& k = nodes_[at];
                if (std::string_view(strings_.data() + k.string_offset, k.count) == key) return false;
                at = nodes_[at + 1].next;
            }
            return true;
        }
        top.keys = std::make_unique<std::unordered_set<std::string_view>>();
        std::uint32_t at = top.node + 1;
        for (std::uint32_t i = 0; i < object.count; ++i) {
            const auto& k = nodes_[at];
            top.keys->insert(std::string_view(strings_.data() + k.string_offset, k.count));
            at = nodes_[at + 1].next;
        }
        return top.keys->insert(key).second;
    }

    // One value at the cursor: a scalar whole, or the opening of a container (and its first key).
    bool parse_value() {
        skip_space();
        if (at_ >= text_.size()) return syntax_error();
        const char c = text_[at_];
        switch (c) {
            case '{':
            case '[': {
                if (!count_value()) return false;
                if (stack_.size() >= limits_.max_depth) return reject(proto_error::too_deep, "depth");
                ++at_;
                const bool object = c == '{';
                const auto index = add(object ? json_kind::object : json_kind::array);
                stack_.push_back(frame{index, object, nullptr});
                skip_space();
                if (at_ < text_.size() && text_[at_] == (object ? '}' : ']')) {
                    ++at_;
                    close();
                    return true;
                }
                if (object) {
                    if (!parse_key()) return false;
                }
                return parse_value();
            }
            case '"': {
                std::uint32_t offset = 0, length = 0;
                if (!parse_string(offset, length)) return false;
                if (!count_value()) return false;
                auto& node = nodes_[add(json_kind::string)];
                node.string_offset = offset;
                node.count = length;
                return true;
            }
            case 't': return literal("true", json_kind::boolean, true);
            case 'f': return literal("false", json_kind::boolean, false);
            case 'n': return literal("null", json_kind::null, false);
            default:
                if (c == '-' || (c >= '0' && c <= '9')) return parse_number();
                return syntax_error();
        }
    }

    bool literal(std::string_view word, json_kind kind, bool value) {
        if (text_.substr(at_, word.size()) != word) {
            // Point at the first byte that differs.
            std::size_t i = 0;
            while (at_ + i < text_.size() && i < word.size() && text_[at_ + i] == word[i]) ++i;
            at_ += i;
            return syntax_error();
        }
        at_ += word.size();
        if (!count_value()) return false;
        nodes_[add(kind)].boolean = value;
        return true;
    }

    static bool digit(char c) { return c >= '0' && c <= '9'; }

    // -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
    bool parse_number() {
        const std::size_t start = at_;
        const bool negative = text_[at_] == '-';
        if (negative) ++at_;
        if (at_ >= text_.size() || !digit(text_[at_])) return syntax_error();
        if (text_[at_] == '0') {
            ++at_;
        } else {
            while (at_ < text_.size() && digit(text_[at_])) ++at_;
        }
        const std::size_t integer_end = at_;
        bool floating = false;
        if (at_ < text_.size() && text_[at_] == '.') {
            floating = true;
            ++at_;
            if (at_ >= text_.size() || !digit(text_[at_])) return syntax_error();
            while (at_ < text_.size() && digit(text_[at_])) ++at_;
        }
        if (at_ < text_.size() && (text_[at_] == 'e' || text_[at_] == 'E')) {
            floating = true;
            ++at_;
            if (at_ < text_.size() && (text_[at_] == '+' || text_[at_] == '-')) ++at_;
            if (at_ >= text_.size() || !digit(text_[at_])) return syntax_error();
            while (at_ < text_.size() && digit(text_[at_])) ++at_;
        }
        if (!count_value()) return false;
        if (!floating) {
            // Accumulate with overflow checks; what does not fit in 64 bits becomes a double.
            std::uint64_t magnitude = 0;
            bool fits = true;
            for (std::size_t i = negative ? start + 1 : start; i < integer_end; ++i) {
                const auto d = static_cast<std::uint64_t>(text_[i] - '0');
                if (magnitude > (UINT64_MAX - d) / 10) {
                    fits = false;
                    break;
                }
                magnitude = magnitude * 10 + d;
            }
            if (fits && !negative) {
                nodes_[add(json_kind::unsigned_integer)].unsigned_value = magnitude;
                return true;
            }
            if (fits && magnitude <= static_cast<std::uint64_t>(INT64_MAX) + 1) {
                nodes_[add(json_kind::integer)].signed_value =
                    magnitude == static_cast<std::uint64_t>(INT64_MAX) + 1 ? INT64_MIN : -static_cast<std::int64_t>(magnitude);
                return true;
            }
        }
        // strtod needs a terminated copy; overflow gives ±inf, as the protocol never reads these.
        const std::string spelling(text_.substr(start, at_ - start));
        nodes_[add(json_kind::floating)].float_value = std::strtod(spelling.c_str(), nullptr);
        return true;
    }

    static int hex_value(char c) {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    }

    // Four hex digits after "\u" at the cursor.
    bool read_hex4(std::uint32_t& out) {
        if (text_.size() - at_ < 4) {
            at_ = text_.size();
            return syntax_error();
        }
        out = 0;
        for (int i = 0; i < 4; ++i) {
            const int v = hex_value(text_[at_]);
            if (v < 0) return syntax_error();
            out = out * 16 + static_cast<std::uint32_t>(v);
            ++at_;
        }
        return true;
    }

    void append_utf8(std::uint32_t cp) {
        if (cp < 0x80) {
            strings_.push_back(static_cast<char>(cp));
        } else if (cp < 0x800) {
            strings_.push_back(static_cast<char>(0xc0 | (cp >> 6)));
            strings_.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
        } else if (cp < 0x10000) {
            strings_.push_back(static_cast<char>(0xe0 | (cp >> 12)));
            strings_.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
            strings_.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
        } else {
            strings_.push_back(static_cast<char>(0xf0 | (cp >> 18)));
            strings_.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3f)));
            strings_.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
            strings_.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
        }
    }

    // A string at the cursor (on its opening quote) into the string buffer. The text is already
    // known to be UTF-8, so raw bytes are copied as they are; only escapes need decoding.
    bool parse_string(std::uint32_t& offset, std::uint32_t& length) {
        ++at_;
        offset = static_cast<std::uint32_t>(strings_.size());
        for (;;) {
            std::size_t run = at_;
            while (run < text_.size()) {
                const auto c = static_cast<unsigned char>(text_[run]);
                if (c == '"' || c == '\\' || c < 0x20) break;
                ++run;
            }
            strings_.append(text_.data() + at_, run - at_);
            at_ = run;
            if (at_ >= text_.size()) return syntax_error();
            const char c = text_[at_];
            if (c == '"') {
                ++at_;
                length = static_cast<std::uint32_t>(strings_.size() - offset);
                return true;
            }
            if (c != '\\') return syntax_error();  // a raw control character, NUL included
            ++at_;
            if (at_ >= text_.size()) return syntax_error();
            const char e = text_[at_++];
            switch (e) {
                case '"': strings_.push_back('"'); break;
                case '\\': strings_.push_back('\\'); break;
                case '/': strings_.push_back('/'); break;
                case 'b': strings_.push_back('\b'); break;
                case 'f': strings_.push_back('\f'); break;
                case 'n': strings_.push_back('\n'); break;
                case 'r': strings_.push_back('\r'); break;
                case 't': strings_.push_back('\t'); break;
                case 'u': {
                    std::uint32_t cp = 0;
                    if (!read_hex4(cp)) return false;
                    if (cp >= 0xdc00 && cp <= 0xdfff) return syntax_error();  // a lone low surrogate
                    if (cp >= 0xd800 && cp <= 0xdbff) {
                        // A high surrogate must be followed by an escaped low one.
                        if (text_.substr(at_, 2) != "\\u") return syntax_error();
                        at_ += 2;
                        std::uint32_t low = 0;
                        if (!read_hex4(low)) return false;
                        if (low < 0xdc00 || low > 0xdfff) return syntax_error();
                        cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
                    }
                    append_utf8(cp);
                    break;
                }
                default: --at_; return syntax_error();
            }
        }
    }

    std::string_view text_;
    const json_limits& limits_;
    std::vector<detail::json_node>& nodes_;
    std::string& strings_;
    std::vector<frame> stack_;
    std::size_t at_ = 0;
    std::size_t values_ = 0;
    std::optional<decode_error> error_;
};

result<json_document, decode_error> parse_bounded_json(std::string_view text, const json_limits& limits) {
    if (text.size() > limits.max_size) return fail(decode_error{proto_error::message_too_large, "message"});
    if (!is_valid_utf8(text)) return fail(decode_error{proto_error::invalid_utf8, "message"});
    // Node indexes and string offsets are 32-bit.
    if (text.size() > UINT32_MAX / 2) return fail(decode_error{proto_error::message_too_large, "message"});
    json_document document;
    json_parser parser(text, limits, document);
    if (!parser.parse()) return fail(parser.error());
    return document;
}

}  // namespace stoa::proto
