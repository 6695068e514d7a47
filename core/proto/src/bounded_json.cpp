// A SAX handler that builds nlohmann::json while enforcing depth, value count and unique keys,
// stopping at the first violation instead of building the tree and checking afterwards.
#include "stoa/proto/bounded_json.hpp"

#include <string>
#include <vector>

#include "stoa/proto/encoding.hpp"

namespace stoa::proto {
namespace {

using json = nlohmann::json;

class bounded_builder {
public:
    bounded_builder(json& root, const json_limits& limits) : root_(root), limits_(limits) {}

    bool null() { return add(json(nullptr)); }
    bool boolean(bool v) { return add(json(v)); }
    bool number_integer(json::number_integer_t v) { return add(json(v)); }
    bool number_unsigned(json::number_unsigned_t v) { return add(json(v)); }
    bool number_float(json::number_float_t v, const json::string_t&) { return add(json(v)); }
    bool string(json::string_t& v) { return add(json(std::move(v))); }
    bool binary(json::binary_t&) { return reject(proto_error::invalid_json, "binary value"); }

    bool start_object(std::size_t) { return open(json(json::value_t::object)); }
    bool end_object() { return close(); }
    bool start_array(std::size_t) { return open(json(json::value_t::array)); }
    bool end_array() { return close(); }

    bool key(json::string_t& k) {
        json& object = *stack_.back();
        if (object.find(k) != object.end()) return reject(proto_error::duplicate_key, k);
        pending_key_ = std::move(k);
        return true;
    }

    bool parse_error(std::size_t position, const std::string&, const nlohmann::detail::exception&) {
        return reject(proto_error::invalid_json, "at byte " + std::to_string(position));
    }

    [[nodiscard]] const std::optional<decode_error>& error() const { return error_; }

private:
    bool reject(proto_error code, std::string detail) {
        if (!error_) {
            if (detail.size() > 64) detail.resize(64);
            error_ = decode_error{code, std::move(detail)};
        }
        return false;
    }

    // Places a value in the current container (or at the root) and returns where it went.
    json* place(json&& value) {
        if (stack_.empty()) {
            root_ = std::move(value);
            return &root_;
        }
        json& parent = *stack_.back();
        if (parent.is_array()) {
            parent.get_ref<json::array_t&>().push_back(std::move(value));
            return &parent.get_ref<json::array_t&>().back();
        }
        auto& slot = parent.get_ref<json::object_t&>()[std::move(pending_key_)];
        slot = std::move(value);
        return &slot;
    }

    bool count() {
        if (++values_ > limits_.max_values) return reject(proto_error::too_many_items, "json values");
        return true;
    }
    bool add(json&& value) {
        if (!count()) return false;
        place(std::move(value));
        return true;
    }
    bool open(json&& container) {
        if (!count()) return false;
        if (stack_.size() >= limits_.max_depth) return reject(proto_error::too_deep, "depth");
        stack_.push_back(place(std::move(container)));
        return true;
    }
    bool close() {
        stack_.pop_back();
        return true;
    }

    json& root_;
    const json_limits& limits_;
    std::vector<json*> stack_;
    std::string pending_key_;
    std::size_t values_ = 0;
    std::optional<decode_error> error_;
};

}  // namespace

result<nlohmann::json, decode_error> parse_bounded_json(std::string_view text, const json_limits& limits) {
    if (text.size() > limits.max_size) return fail(decode_error{proto_error::message_too_large, "message"});
    if (!is_valid_utf8(text)) return fail(decode_error{proto_error::invalid_utf8, "message"});
    json root;
    bounded_builder builder(root, limits);
    // The SAX parser reports every syntax error through the handler and does not throw;
    // nothing else here can throw except allocation failure, which is bounded by max_size.
    const bool ok = json::sax_parse(text.begin(), text.end(), &builder, nlohmann::detail::input_format_t::json,
                                    /*strict=*/true, /*ignore_comments=*/false);
    if (!ok || builder.error()) {
        if (builder.error()) return fail(*builder.error());
        return fail(decode_error{proto_error::invalid_json, "message"});
    }
    return root;
}

}  // namespace stoa::proto
