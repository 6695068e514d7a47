// Each member's fixed draws come from mix64(seed, purpose, index): no state, the same on every host.
#include "stoa/loadgen/scenario/member_layout.hpp"

namespace stoa::loadgen {

namespace {
constexpr std::uint64_t room_purpose = 0x726f6f6d;    // "room"
constexpr std::uint64_t listen_purpose = 0x6c697374;  // "list"
constexpr std::uint64_t encode_purpose = 0x656e636f;  // "enco"
constexpr std::uint64_t talk_purpose = 0x74616c6b;    // "talk"
}  // namespace

member_layout::member_layout(const scenario& plan)
    : seed_(plan.seed),
      rooms_(plan.rooms.count),
      speakers_per_room_(plan.members.speakers_per_room),
      speakers_(plan.speaker_count()),
      listeners_(plan.members.listeners),
      decrypt_(plan.members.decrypt.fraction),
      decode_(plan.members.decode.fraction),
      live_encode_(plan.members.live_encode.fraction),
      popularity_(plan.rooms.count, plan.rooms.zipf_exponent) {}

double member_layout::member_unit(member_index member, std::uint64_t purpose) const noexcept {
    return unit_from_bits(mix64(mix64(seed_ ^ mix64(purpose)) + member.value));
}

room_index member_layout::room_of(member_index member) const noexcept {
    if (is_speaker(member)) return room_index(member.value / speakers_per_room_);
    return room_index(popularity_.item_at(member_unit(member, room_purpose)));
}

bool member_layout::decrypts(member_index member) const noexcept {
    return is_speaker(member) || member_unit(member, listen_purpose) < decrypt_;
}

bool member_layout::decodes(member_index member) const noexcept {
    // The same draw as decrypts(), so those that decode are always among those that decrypt.
    return !is_speaker(member) && member_unit(member, listen_purpose) < decode_;
}

bool member_layout::encodes_live(member_index member) const noexcept {
    return is_speaker(member) && member_unit(member, encode_purpose) < live_encode_;
}

std::uint64_t member_layout::talk_seed(member_index member) const noexcept {
    return mix64(mix64(seed_ ^ mix64(talk_purpose)) + member.value);
}

}  // namespace stoa::loadgen
