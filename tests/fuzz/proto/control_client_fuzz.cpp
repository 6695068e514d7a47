// Fuzzes the client -> relay JSON decoder; anything accepted must re-encode canonically and
// decode again to the same encoding.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "stoa/proto/control_codec.hpp"

using namespace stoa::proto;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    auto decoded = decode_client_message(text);
    if (decoded.ok()) {
        const std::string canonical = encode(*decoded);
        auto again = decode_client_message(canonical);
        if (!again.ok() || encode(*again) != canonical) std::abort();
    }
    return 0;
}
