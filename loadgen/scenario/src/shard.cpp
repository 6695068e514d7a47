// Parsing --shard i/N.
#include "stoa/loadgen/scenario/shard.hpp"

#include <charconv>

namespace stoa::loadgen {

result<shard, std::string> parse_shard(std::string_view text) {
    const std::string message = "a shard is i/N, this host's number i from 1 to N generator hosts (N at most " +
                                std::to_string(max_shards) + "), like 2/4";
    const std::size_t slash = text.find('/');
    if (slash == std::string_view::npos) return fail(message);
    const auto number = [](std::string_view digits, std::uint32_t& out) {
        const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), out);
        return !digits.empty() && error == std::errc{} && end == digits.data() + digits.size();
    };
    shard out;
    if (!number(text.substr(0, slash), out.index) || !number(text.substr(slash + 1), out.count)) return fail(message);
    if (out.count == 0 || out.count > max_shards || out.index == 0 || out.index > out.count) return fail(message);
    return out;
}

}  // namespace stoa::loadgen
