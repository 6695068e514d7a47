// JSON into the document tree with nlohmann's SAX parser (no exceptions, no recursion), and the
// positions it does not report found by walking the same text in step: between two SAX events
// the parser has read only whitespace, at most one separator and the event's own token, so the
// token's start is the first character after those.
#include <algorithm>
#include <limits>

#include <nlohmann/json.hpp>

#include "document.hpp"

namespace stoa::loadgen::detail {

namespace {

using json = nlohmann::json;

// Line and column (in characters, as toml++ counts them) of byte offsets. Offsets are asked in
// increasing order, so each is counted on from the last: linear in the text overall.
class line_index {
public:
    explicit line_index(std::string_view text) : text_(text) {}

    [[nodiscard]] source_position at(std::size_t offset) {
        offset = std::min(offset, text_.size());
        if (offset < offset_) *this = line_index(text_);
        for (; offset_ < offset; ++offset_) {
            const auto byte = static_cast<unsigned char>(text_[offset_]);
            if (byte == '\n') {
                ++line_;
                column_ = 1;
            } else if ((byte & 0xC0) != 0x80) {  // continuation bytes belong to the character before
                ++column_;
            }
        }
        return {line_, column_};
    }

private:
    std::string_view text_;
    std::size_t offset_ = 0;
    std::uint32_t line_ = 1;
    std::uint32_t column_ = 1;
};

class document_builder final : public nlohmann::json_sax<json> {
public:
    document_builder(std::string_view text, std::string_view source) : text_(text), lines_(text), source_(source) {
        if (text_.starts_with("\xEF\xBB\xBF")) cursor_ = 3;  // nlohmann skips a byte order mark too
    }

    bool null() override { return value(document_node::type::null); }
    bool boolean(bool v) override {
        document_node* node = add(document_node::type::boolean);
        node->boolean = v;
        return true;
    }
    bool number_integer(number_integer_t v) override {
        document_node* node = add(document_node::type::integer);
        node->integer = v;
        return true;
    }
    bool number_unsigned(number_unsigned_t v) override {
        if (v > static_cast<number_unsigned_t>(std::numeric_limits<std::int64_t>::max())) {
            document_node* node = add(document_node::type::floating);
            node->floating = static_cast<double>(v);
            return true;
        }
        document_node* node = add(document_node::type::integer);
        node->integer = static_cast<std::int64_t>(v);
        return true;
    }
    bool number_float(number_float_t v, const string_t&) override {
        document_node* node = add(document_node::type::floating);
        node->floating = v;
        return true;
    }
    bool string(string_t& v) override {
        document_node* node = add(document_node::type::string);
        node->text = std::move(v);
        return true;
    }
    bool binary(binary_t&) override { return false; }  // never produced from JSON text
    bool start_object(std::size_t) override { return open(document_node::type::table); }
    bool end_object() override { return close(); }
    bool start_array(std::size_t) override { return open(document_node::type::array); }
    bool end_array() override { return close(); }
    bool key(string_t& k) override {
        const std::size_t start = token_start();
        pending_key_ = std::move(k);
        pending_key_position_ = lines_.at(start);
        skip_token(start);
        return true;
    }
    bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& ex) override {
        // Point at the token the parser stopped on; keep nlohmann's reason without its own position.
        std::string reason = ex.what();
        if (const auto column = reason.find("column "); column != std::string::npos) {
            if (const auto colon = reason.find(": ", column); colon != std::string::npos)
                reason = reason.substr(colon + 2);
        }
        // "; last read: '...'" repeats raw input (maybe not even text) that the position shows better.
        if (const auto last = reason.find("; last read: '"); last != std::string::npos) {
            const auto expected = reason.find("'; expected", last);
            reason.erase(last, expected == std::string::npos ? std::string::npos : expected + 1 - last);
        }
        for (auto& c : reason) {
            if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f) c = '?';
        }
        error_ = scenario_error{scenario_error_kind::syntax, std::string(source_),
                                lines_.at(std::min(token_start(), text_.size())), "", "not valid JSON: " + reason};
        return false;
    }

    [[nodiscard]] result<document_node, scenario_error> finish(bool parsed) {
        if (error_) return fail(std::move(*error_));
        if (!parsed || !root_started_) {
            return fail(scenario_error{scenario_error_kind::syntax, std::string(source_), lines_.at(text_.size()), "",
                                       "not valid JSON"});
        }
        if (root_.kind != document_node::type::table) {
            return fail(scenario_error{scenario_error_kind::wrong_type, std::string(source_), root_.position, "",
                                       "a scenario is a JSON object { ... }"});
        }
        return std::move(root_);
    }

private:
    // Skips whitespace and at most one separator (and the whitespace after it).
    std::size_t token_start() {
        std::size_t i = cursor_;
        const auto skip_space = [&] {
            while (i < text_.size() && (text_[i] == ' ' || text_[i] == '\t' || text_[i] == '\n' || text_[i] == '\r'))
                ++i;
        };
        skip_space();
        if (i < text_.size() && (text_[i] == ',' || text_[i] == ':')) {
            ++i;
            skip_space();
        }
        return i;
    }
    void skip_token(std::size_t start) {
        std::size_t i = start;
        if (i >= text_.size()) {
            cursor_ = i;
            return;
        }
        const char c = text_[i];
        if (c == '"') {
            ++i;
            while (i < text_.size() && text_[i] != '"') i += text_[i] == '\\' ? 2 : 1;
            i = std::min(i + 1, text_.size());
        } else if (c == '{' || c == '}' || c == '[' || c == ']') {
            ++i;
        } else {
            while (i < text_.size() &&
                   std::string_view("0123456789+-.eEtrufalsn").find(text_[i]) != std::string_view::npos)
                ++i;
        }
        cursor_ = i;
    }

    bool value(document_node::type kind) {
        add(kind);
        return true;
    }
    document_node* add(document_node::type kind) {
        const std::size_t start = token_start();
        document_node node;
        node.kind = kind;
        node.position = lines_.at(start);
        skip_token(start);
        return attach(std::move(node));
    }
    document_node* attach(document_node node) {
        if (stack_.empty()) {
            root_ = std::move(node);
            root_started_ = true;
            return &root_;
        }
        document_node* parent = stack_.back();
        if (parent->kind == document_node::type::array) {
            parent->items.push_back(std::move(node));
            return &parent->items.back();
        }
        parent->members.push_back(document_member{std::move(pending_key_), pending_key_position_, std::move(node)});
        return &parent->members.back().value;
    }
    bool open(document_node::type kind) {
        if (stack_.size() >= max_document_depth) {
            error_ = scenario_error{scenario_error_kind::syntax, std::string(source_), lines_.at(token_start()), "",
                                    "nested more than " + std::to_string(max_document_depth) + " levels deep"};
            return false;
        }
        stack_.push_back(add(kind));
        return true;
    }
    bool close() {
        skip_token(token_start());
        if (!stack_.empty()) stack_.pop_back();
        return true;
    }

    std::string_view text_;
    line_index lines_;
    std::string_view source_;
    std::size_t cursor_ = 0;
    document_node root_;
    bool root_started_ = false;
    std::vector<document_node*> stack_;  // the open arrays and objects; each is the last child of the one before
    std::string pending_key_;
    source_position pending_key_position_;
    std::optional<scenario_error> error_;
};

}  // namespace

result<document_node, scenario_error> read_json_document(std::string_view text, std::string_view source) {
    document_builder builder(text, source);
    const bool parsed = json::sax_parse(text.begin(), text.end(), &builder, json::input_format_t::json, true, false);
    return builder.finish(parsed);
}

}  // namespace stoa::loadgen::detail
