// TOML into the document tree with toml++, compiled here header-only and without exceptions (see
// CMakeLists.txt), so the parser gets the same sanitizer and fuzzer instrumentation as our code.
// toml++ keeps tables sorted by key; members are put back in the order they were written.
#include <algorithm>
#include <cmath>

#include <toml++/toml.h>

#include "document.hpp"

namespace stoa::loadgen::detail {

namespace {

source_position position_of(const toml::source_region& region) {
    return {region.begin.line, region.begin.column};
}

document_node convert(const toml::node& node) {
    document_node out;
    out.position = position_of(node.source());
    if (const auto* table = node.as_table()) {
        out.kind = document_node::type::table;
        for (const auto& [key, value] : *table) {
            out.members.push_back(document_member{std::string(key.str()), position_of(key.source()), convert(value)});
        }
        std::stable_sort(out.members.begin(), out.members.end(), [](const document_member& a, const document_member& b) {
            return a.key_position.line != b.key_position.line ? a.key_position.line < b.key_position.line
                                                              : a.key_position.column < b.key_position.column;
        });
    } else if (const auto* array = node.as_array()) {
        out.kind = document_node::type::array;
        for (const auto& item : *array) out.items.push_back(convert(item));
    } else if (const auto* text = node.as_string()) {
        out.kind = document_node::type::string;
        out.text = text->get();
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
    toml::parse_result parsed = toml::parse(text, source);
    if (!parsed) {
        const toml::parse_error& error = parsed.error();
        return fail(scenario_error{scenario_error_kind::syntax, std::string(source), position_of(error.source()), "",
                                   "not valid TOML: " + std::string(error.description())});
    }
    document_node root = convert(parsed.table());
    root.position = {1, 1};
    return root;
}

}  // namespace stoa::loadgen::detail
