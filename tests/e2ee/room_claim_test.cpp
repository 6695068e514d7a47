// Room ids derived from the creator's key and its claim (e2ee/room_claim.hpp).
#include <catch2/catch.hpp>

#include "stoa/common/bytes.hpp"
#include "stoa/e2ee/room_claim.hpp"

using namespace stoa;
using namespace stoa::e2ee;

namespace {

public_key counting_key() {
    public_key key;
    for (std::size_t i = 0; i < key.value.size(); ++i) key.value[i] = static_cast<std::uint8_t>(i);
    return key;
}

room_claim claim_from(std::uint8_t first) {
    room_claim claim;
    for (std::size_t i = 0; i < claim.value.size(); ++i) claim.value[i] = static_cast<std::uint8_t>(first + i);
    return claim;
}

}  // namespace

TEST_CASE("room id is the first 16 bytes of BLAKE2b-256 over the label, the creator and the claim", "[e2ee][room_claim]") {
    // Golden value, computed independently with:
    //   python3 -c "import hashlib; print(hashlib.blake2b(b'stoa room id v1\x00' + bytes(range(32)) +
    //               bytes(range(0x40, 0x50)), digest_size=32).hexdigest()[:32])"
    CHECK(to_hex(derive_room_id(counting_key(), claim_from(0x40)).value) == "241c20a37ac2e7ca040e837a7b3d8e41");
}

TEST_CASE("the same creator and claim give the same id; any other key or claim another", "[e2ee][room_claim]") {
    const room_id id = derive_room_id(counting_key(), claim_from(0x40));
    CHECK(derive_room_id(counting_key(), claim_from(0x40)) == id);
    CHECK(derive_room_id(counting_key(), claim_from(0x41)) != id);
    public_key other = counting_key();
    other.value[31] ^= 1;
    CHECK(derive_room_id(other, claim_from(0x40)) != id);
}
