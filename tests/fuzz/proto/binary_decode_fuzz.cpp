// Fuzzes the binary message decoders: peek, full decode both directions, key_bundle_view, and
// checks that whatever decodes re-encodes to the same bytes (one canonical encoding).
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "stoa/proto/binary.hpp"

using namespace stoa;
using namespace stoa::proto;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const byte_view input(data, size);
    auto header = peek_binary_header(input);
    for (auto from : {direction::client_to_relay, direction::relay_to_client}) {
        auto decoded = decode_binary(input, from);
        if (decoded.ok()) {
            if (!header.ok()) std::abort();  // a full decode never accepts what peek refused
            const bytes again = encode_binary(*decoded);
            if (again.size() != size || !std::equal(again.begin(), again.end(), data)) std::abort();
        }
    }
    auto view = key_bundle_view::parse(input);
    if (view.ok()) {
        std::size_t count = 0;
        for (const auto entry : *view) {
            if (entry.blob.empty()) std::abort();
            ++count;
        }
        if (count != view->size()) std::abort();
    }
    return 0;
}
