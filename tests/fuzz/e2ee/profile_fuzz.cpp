// Fuzzes encrypted profile parsing and opening.
#include <cstddef>
#include <cstdint>

#include "fuzz_support.hpp"
#include "stoa/e2ee/profile_crypto.hpp"

using namespace stoa;
using namespace stoa::e2ee;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const byte_view sealed(data, size);
    (void)profile_generation(sealed);
    const auto keys = fuzz::fuzz_epoch(1);
    auto opened = open_profile(sealed, sender_index(2), fuzz::fuzz_identity(2).key(), fuzz::fuzz_room(),
                               keys.roster_secret);
    if (opened && (opened->display_name.size() > max_display_name_size ||
                   opened->text.size() > max_profile_text_size)) {
        __builtin_trap();
    }
    return 0;
}
