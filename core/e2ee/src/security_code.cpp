// Security code derivation and rendering.
#include "stoa/e2ee/security_code.hpp"

#include <algorithm>
#include <array>
#include <cstdio>

#include "sodium_support.hpp"
#include "stoa/common/bytes.hpp"
#include "stoa/e2ee/key_schedule.hpp"

namespace stoa::e2ee {

namespace {
constexpr std::string_view code_label = "stoa security code v1";

// 64 emoji chosen to be distinct at a glance and to name easily aloud.
constexpr std::array<std::string_view, 64> alphabet = {
    "🐶", "🐱", "🦁", "🐴", "🦄", "🐷", "🐘", "🐰", "🐼", "🐓", "🐧", "🐢", "🐟", "🐙", "🦋", "🌷",
    "🌳", "🌵", "🍄", "🌏", "🌙", "☁️", "🔥", "🍌", "🍎", "🍓", "🌽", "🍕", "🎂", "❤️", "😀", "🤖",
    "🎩", "👓", "🔧", "🎅", "👍", "☂️", "⌛", "⏰", "🎁", "💡", "📕", "✏️", "📎", "✂️", "🔒", "🔑",
    "🔨", "☎️", "🏁", "🚂", "🚲", "✈️", "🚀", "🏆", "⚽", "🎸", "🎺", "🔔", "⚓", "🎧", "📁", "📌"};
// The names spoken for the entries above, index for index.
constexpr std::array<std::string_view, 64> names = {
    "dog",    "cat",     "lion",    "horse",   "unicorn", "pig",    "elephant", "rabbit",
    "panda",  "rooster", "penguin", "turtle",  "fish",    "octopus", "butterfly", "tulip",
    "tree",   "cactus",  "mushroom", "globe",  "moon",    "cloud",  "fire",     "banana",
    "apple",  "strawberry", "corn", "pizza",   "cake",    "heart",  "smiley",   "robot",
    "hat",    "glasses", "wrench",  "santa",   "thumbs",  "umbrella", "hourglass", "clock",
    "gift",   "bulb",    "book",    "pencil",  "paperclip", "scissors", "lock",  "key",
    "hammer", "telephone", "flag",  "train",   "bicycle", "aeroplane", "rocket", "trophy",
    "ball",   "guitar",  "trumpet", "bell",    "anchor",  "headphones", "folder", "pin"};
}  // namespace

std::span<const std::string_view, 64> emoji_alphabet() noexcept { return alphabet; }
std::span<const std::string_view, 64> emoji_names() noexcept { return names; }

security_code compute_security_code(const secret_key& epoch_secret, epoch_id epoch, const room_id& room,
                                    const public_key& distributor, std::span<const public_key> stage) {
    detail::ensure_sodium();
    std::vector<public_key> sorted(stage.begin(), stage.end());
    std::sort(sorted.begin(), sorted.end());
    sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());

    bytes input;
    detail::append_label(input, code_label);
    byte_writer writer(input);
    writer.write_bytes(room.value);
    writer.write_u64(epoch.value);
    writer.write_bytes(distributor.value);
    writer.write_u32(static_cast<std::uint32_t>(sorted.size()));
    for (const auto& key : sorted) writer.write_bytes(key.value);

    const secret_key exporter = security_code_exporter(epoch_secret, epoch);
    std::array<std::uint8_t, 64> digest{};
    crypto_generichash(digest.data(), digest.size(), input.data(), input.size(), exporter.data(), secret_key::size);

    security_code code;
    std::size_t at = 0;
    for (std::size_t group = 0; group < security_code_groups; ++group) {
        // 40 bits mod 100000: the bias is below 1e-7, irrelevant for a comparison code.
        std::uint64_t value = 0;
        for (int i = 0; i < 5; ++i) value = (value << 8) | digest[at++];
        char buffer[8];
        std::snprintf(buffer, sizeof buffer, "%05u", static_cast<unsigned>(value % 100000));
        if (group != 0) code.digits.push_back(' ');
        code.digits += buffer;
    }
    std::uint64_t bits = 0;
    for (int i = 0; i < 6; ++i) bits = (bits << 8) | digest[at++];
    for (std::size_t i = 0; i < security_code_emoji_count; ++i) {
        const std::size_t index = (bits >> (42 - 6 * i)) & 0x3f;
        code.emoji.push_back(alphabet[index]);
        if (i != 0) code.words.push_back(' ');
        code.words += names[index];
    }
    return code;
}

}  // namespace stoa::e2ee
