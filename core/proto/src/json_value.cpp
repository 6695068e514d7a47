// json_value lookups that are not worth inlining, and the writer's string escaping.
#include "stoa/proto/json_value.hpp"

namespace stoa::proto {

double json_value::as_double() const noexcept {
    switch (kind()) {
        case json_kind::floating: return node().float_value;
        case json_kind::unsigned_integer: return static_cast<double>(node().unsigned_value);
        case json_kind::integer: return static_cast<double>(node().signed_value);
        default: return 0;
    }
}

json_value json_value::element(std::size_t index) const noexcept {
    if (!is_array() || index >= node().count) return {};
    auto it = begin();
    for (std::size_t i = 0; i < index; ++i) ++it;
    return *it;
}

std::vector<json_member> json_value::members() const {
    std::vector<json_member> out;
    if (!is_object()) return out;
    const auto& nodes = document_->nodes_;
    out.reserve(nodes[index_].count);
    std::uint32_t at = index_ + 1;
    for (std::uint32_t i = 0; i < nodes[index_].count; ++i) {
        const auto& k = nodes[at];
        out.push_back({std::string_view(document_->strings_.data() + k.string_offset, k.count), json_value(document_, at + 1)});
        at = nodes[at + 1].next;
    }
    return out;
}

namespace {

// The length of the valid UTF-8 sequence starting at text[at], or 0 when the bytes there are not
// one. `consumed` is how many bytes the bad sequence spans before the byte that broke it (at
// least 1), so that byte is read again on its own, as the Unicode "maximal subpart" practice asks.
std::size_t utf8_sequence(std::string_view text, std::size_t at, std::size_t& consumed) {
    const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
    const unsigned char lead = byte(at);
    std::size_t length = 0;
    unsigned char low = 0x80, high = 0xbf;  // the second byte's range
    if (lead >= 0xc2 && lead <= 0xdf) {
        length = 2;
    } else if (lead >= 0xe0 && lead <= 0xef) {
        length = 3;
        if (lead == 0xe0) low = 0xa0;
        if (lead == 0xed) high = 0x9f;  // no surrogates
    } else if (lead >= 0xf0 && lead <= 0xf4) {
        length = 4;
        if (lead == 0xf0) low = 0x90;
        if (lead == 0xf4) high = 0x8f;  // nothing over U+10FFFF
    } else {
        consumed = 1;
        return 0;
    }
    for (std::size_t i = 1; i < length; ++i) {
        if (at + i >= text.size()) {
            consumed = i;
            return 0;
        }
        const unsigned char c = byte(at + i);
        const bool ok = i == 1 ? (c >= low && c <= high) : (c >= 0x80 && c <= 0xbf);
        if (!ok) {
            consumed = i;
            return 0;
        }
    }
    return length;
}

}  // namespace

void json_writer::write_string(std::string_view text) {
    static constexpr char hex_digits[] = "0123456789abcdef";
    out_.push_back('"');
    std::size_t i = 0;
    while (i < text.size()) {
        // Copy the longest run that needs no escaping in one go.
        std::size_t run = i;
        while (run < text.size()) {
            const auto c = static_cast<unsigned char>(text[run]);
            if (c < 0x20 || c == '"' || c == '\\' || c >= 0x80) break;
            ++run;
        }
        out_.append(text.data() + i, run - i);
        i = run;
        if (i == text.size()) break;
        const auto c = static_cast<unsigned char>(text[i]);
        if (c >= 0x80) {
            std::size_t consumed = 0;
            const std::size_t length = utf8_sequence(text, i, consumed);
            if (length > 0) {
                out_.append(text.data() + i, length);
                i += length;
            } else {
                out_.append("\xef\xbf\xbd");
                i += consumed;
            }
            continue;
        }
        switch (c) {
            case '"': out_.append("\\\""); break;
            case '\\': out_.append("\\\\"); break;
            case '\b': out_.append("\\b"); break;
            case '\f': out_.append("\\f"); break;
            case '\n': out_.append("\\n"); break;
            case '\r': out_.append("\\r"); break;
            case '\t': out_.append("\\t"); break;
            default: {
                const char escaped[] = {'\\', 'u', '0', '0', hex_digits[c >> 4], hex_digits[c & 0xf]};
                out_.append(escaped, sizeof escaped);
            }
        }
        ++i;
    }
    out_.push_back('"');
}

}  // namespace stoa::proto
