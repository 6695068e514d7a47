// Fuzzes SFrame header parsing and the full receive path (KID checks, replay window, AEAD open).
// Input: byte 0 = relay-stamped sender index, then a sequence of frames each prefixed by a u8 length.
#include <cstddef>
#include <cstdint>

#include "fuzz_support.hpp"
#include "stoa/e2ee/frame_crypto.hpp"
#include "stoa/e2ee/sframe.hpp"

using namespace stoa;
using namespace stoa::e2ee;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    const byte_view input(data, size);
    (void)parse_header(input);

    keyring ring(keyring_config{fuzz::fuzz_room()});
    if (!ring.install(fuzz::fuzz_epoch(1), from_micros(0))) __builtin_trap();
    frame_decryptor decryptor(4);
    const sender_index stamped(data[0]);
    byte_reader reader(input.subspan(1));
    bytes out(sframe_max_frame_size);
    while (auto length = reader.read_u8()) {
        auto frame = reader.read_bytes(*length);
        if (!frame) frame = reader.rest();
        auto opened = decryptor.unprotect(ring, stamped, *frame, out, from_micros(1));
        if (opened && opened->size + sframe_tag_size > frame->size()) __builtin_trap();
    }
    return 0;
}
