// Runs under Node (node --no-experimental-fetch stoa_wasm_selfcheck.js): proves the core's
// dependency-free modules compile and behave the same in WebAssembly.
#include <cstdio>

#include "stoa/common/bytes.hpp"

int main() {
    const stoa::bytes data{0xde, 0xad, 0xbe, 0xef};
    const bool ok = stoa::to_hex(data) == "deadbeef" && stoa::from_hex("deadbeef") == data;
    std::printf("stoa wasm self-check: %s\n", ok ? "ok" : "FAILED");
    return ok ? 0 : 1;
}
