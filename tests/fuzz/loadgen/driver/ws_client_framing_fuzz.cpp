// stoa-load's client framing on arbitrary server bytes: the upgrade answer's check (with a fixed
// key), then every server frame found in place after it. Never reads past the input, every frame
// lies inside it, and a frame read whole is also read from exactly its own bytes (any chunking).
// Input: byte 0 picks the payload limit; the rest is what the server sent.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "stoa/loadgen/driver/ws_client_framing.hpp"

using namespace stoa::loadgen::ws;

namespace {
constexpr std::string_view key = "dGhlIHNhbXBsZSBub25jZQ==";

void check(bool condition) {
    if (!condition) __builtin_trap();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    const std::size_t max_payload = data[0] == 255 ? SIZE_MAX : std::size_t{data[0]} * 300;
    const stoa::byte_view received(data + 1, size - 1);
    const std::string_view text(reinterpret_cast<const char*>(received.data()), received.size());

    std::size_t at = 0;
    const auto upgrade = parse_upgrade_response(text, key);
    if (upgrade) {
        const std::size_t head = *upgrade;
        check(head >= 4 && head <= text.size() && head <= max_response_head);
        check(text.substr(head - 4, 4) == "\r\n\r\n" && text.find("\r\n\r\n") == head - 4);
        at = head;
    } else {
        const upgrade_failure failure = upgrade.error();
        check(!to_string(failure.error).empty() && to_string(failure.error) != "unknown");
        switch (failure.error) {
            case upgrade_error::incomplete:
                check(text.find("\r\n\r\n") == std::string_view::npos && text.size() <= max_response_head);
                break;
            case upgrade_error::refused:
                check(failure.status != 101 && failure.status <= 999);
                break;
            case upgrade_error::bad_accept:
                check(failure.status == 101);
                break;
            case upgrade_error::too_long:
                check(text.size() > max_response_head);
                break;
            case upgrade_error::malformed:
                break;
        }
    }

    // Frames: after the head when there was one, else over the whole input, so both decoders are fuzzed.
    while (at < received.size()) {
        const stoa::byte_view rest = received.subspan(at);
        frame_view frame;
        const scan_status status = scan_frame(rest, max_payload, frame);
        if (status != scan_status::complete) {
            check(status == scan_status::need_more || status == scan_status::protocol_error ||
                  status == scan_status::too_big);
            if (status == scan_status::need_more) {
                // Whatever follows cannot make a partial frame wrong sooner than more bytes would.
                frame_view shorter;
                check(scan_frame(rest.first(rest.size() / 2), max_payload, shorter) == scan_status::need_more);
            }
            break;
        }
        check(frame.size >= 2 && frame.size <= rest.size());
        check(frame.payload.size() <= max_payload);
        check(frame.payload.data() >= rest.data() &&
              frame.payload.data() + frame.payload.size() == rest.data() + frame.size);
        const std::size_t header = frame.size - frame.payload.size();
        check(header == 2 || header == 4 || header == 10);
        if (static_cast<std::uint8_t>(frame.code) >= 8) check(frame.fin && frame.payload.size() <= 125);

        // The frame's own bytes give the same frame; one byte fewer is a partial frame.
        frame_view again;
        check(scan_frame(rest.first(frame.size), max_payload, again) == scan_status::complete);
        check(again.size == frame.size && again.code == frame.code && again.fin == frame.fin &&
              again.payload.data() == frame.payload.data());
        check(scan_frame(rest.first(frame.size - 1), max_payload, again) == scan_status::need_more);

        // The same payload sent by the client: masked, and unmasks to the bytes the server sent.
        std::string out;
        const std::array<std::uint8_t, 4> mask{data[0], 0x5a, 0xc3, 0x81};
        append_client_frame(out, frame.code, frame.payload, mask);
        check(out.size() == frame.size + 4);
        const std::size_t masked_at = out.size() - frame.payload.size();
        for (std::size_t i = 0; i < frame.payload.size(); ++i) {
            check((static_cast<std::uint8_t>(out[masked_at + i]) ^ mask[i % 4]) == frame.payload[i]);
        }

        at += frame.size;
    }
    return 0;
}
