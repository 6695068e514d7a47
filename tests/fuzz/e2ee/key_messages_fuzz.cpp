// Fuzzes key package, announcement and admission-proof parsing, and their handling by a member's
// keyring and an admission check.
// Input: byte 0 selects package (even) or announcement (odd); the rest is the message.
#include <cstddef>
#include <cstdint>

#include "fuzz_support.hpp"
#include "stoa/e2ee/admission.hpp"
#include "stoa/e2ee/key_package.hpp"
#include "stoa/e2ee/keyring.hpp"

using namespace stoa;
using namespace stoa::e2ee;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    const byte_view message(data + 1, size - 1);
    (void)parse_key_package(message);
    (void)parse_announcement(message);
    if (auto proof = parse_admission(message)) {
        // The relay controls these bytes: checking them must be safe, and a random tag never passes.
        admission_secret secret;
        secret.mutable_view()[0] = 1;
        if (admission_valid(*proof, secret, fuzz::fuzz_room(), fuzz::fuzz_identity(2).key()) &&
            message.size() != closed_admission_size) {
            __builtin_trap();
        }
    }

    keyring ring(keyring_config{fuzz::fuzz_room()});
    if (!ring.install(fuzz::fuzz_epoch(1), from_micros(0))) __builtin_trap();
    const identity& distributor = fuzz::fuzz_identity(1);
    const distributor_ref ref{sender_index(1), distributor.key()};
    const auto before = ring.newest_epoch();
    if (data[0] % 2 == 0) {
        auto handled = ring.handle_package(sender_index(1), message, ref, fuzz::fuzz_identity(2), from_micros(1));
        // A failure must leave the keyring untouched.
        if (!handled && ring.newest_epoch() != before) __builtin_trap();
    } else {
        auto handled = ring.handle_announcement(sender_index(1), message, ref, from_micros(1));
        if (!handled && ring.newest_epoch() != before) __builtin_trap();
    }
    return 0;
}
