// Runs under Node (node --no-experimental-fetch stoa_wasm_selfcheck.js): proves the core's
// dependency-free modules compile and behave the same in WebAssembly as natively.
#include <cstdio>

#include "stoa/common/bytes.hpp"
#include "stoa/common/strong_type.hpp"
#include "stoa/room/authority.hpp"

namespace {

bool hex_round_trip() {
    const stoa::bytes data{0xde, 0xad, 0xbe, 0xef};
    return stoa::to_hex(data) == "deadbeef" && stoa::from_hex("deadbeef") == data;
}

// The room state machine in WebAssembly: a host, a listener raised to the stage, a kick.
bool room_state_machine() {
    stoa::room::room_config config;
    config.id.value[0] = 1;
    stoa::room::room_authority room(config);
    stoa::member_id host{};
    stoa::member_id guest{};
    host.value[0] = 1;
    guest.value[0] = 2;
    const auto now = stoa::from_micros(0);
    if (!room.apply(host, stoa::room::action::join{}, now).ok()) return false;
    if (!room.apply(guest, stoa::room::action::join{}, now).ok()) return false;
    if (!room.apply(host, stoa::room::action::invite_to_stage{guest}, now).ok()) return false;
    if (!room.apply(guest, stoa::room::action::accept_invite{}, now).ok()) return false;
    if (room.find(guest)->member_role != stoa::room::role::speaker) return false;
    if (room.apply(guest, stoa::room::action::kick{host}, now).ok()) return false;  // not permitted
    if (!room.apply(host, stoa::room::action::kick{guest}, now).ok()) return false;
    return room.member_count() == 1 && !room.audit().has_value();
}

}  // namespace

int main() {
    const bool hex = hex_round_trip();
    const bool room = room_state_machine();
    std::printf("stoa wasm self-check: hex %s, room %s\n", hex ? "ok" : "FAILED", room ? "ok" : "FAILED");
    return hex && room ? 0 : 1;
}
