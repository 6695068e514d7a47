// Scenario files: size check, format by extension, then the shared document reader.
#include "stoa/loadgen/scenario/scenario_file.hpp"

#include <fstream>
#include <iterator>

#include "document.hpp"

namespace stoa::loadgen {

result<scenario, scenario_error> parse_scenario(std::string_view text, scenario_format format,
                                                std::string_view source) {
    if (text.size() > max_scenario_file_bytes) {
        return fail(scenario_error{scenario_error_kind::unreadable,
                                   std::string(source),
                                   {},
                                   "",
                                   "larger than " + std::to_string(max_scenario_file_bytes) + " bytes"});
    }
    auto document = format == scenario_format::json ? detail::read_json_document(text, source)
                                                    : detail::read_toml_document(text, source);
    if (!document) return fail(std::move(document).error());
    return detail::read_scenario(*document, source);
}

scenario_format scenario_format_of(std::string_view path) noexcept {
    return path.ends_with(".json") || path.ends_with(".JSON") ? scenario_format::json : scenario_format::toml;
}

result<scenario, scenario_error> load_scenario_file(const std::string& path) {
    std::ifstream file(path, std::ios::binary);
    if (!file) return fail(scenario_error{scenario_error_kind::unreadable, path, {}, "", "cannot open the file"});
    std::string text;
    char buffer[65536];
    while (file.read(buffer, sizeof buffer) || file.gcount() > 0) {
        text.append(buffer, static_cast<std::size_t>(file.gcount()));
        if (text.size() > max_scenario_file_bytes) break;
    }
    if (file.bad()) return fail(scenario_error{scenario_error_kind::unreadable, path, {}, "", "cannot read the file"});
    return parse_scenario(text, scenario_format_of(path), path);
}

}  // namespace stoa::loadgen
