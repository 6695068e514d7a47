// Fuzzes a joined client session with what a hostile relay could send it: records of
// [op u8][length u16][bytes] become text or binary messages from the relay, or clock ticks with
// audio playout. Nothing may crash, throw or grow without bound.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "stoa/client/media_payload.hpp"
#include "stoa/loopback/loopback_network.hpp"
#include "test_random.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    stoa::test::seeded_random random(2);
    stoa::loopback::loopback_network network(stoa::relay::relay_config{}, random);
    stoa::time_point now = stoa::from_micros(1'000'000);
    stoa::client::client_session host(stoa::e2ee::identity::generate(random), {}, random);
    stoa::client::client_session target(stoa::e2ee::identity::generate(random), {}, random);
    (void)network.connect(host, now);
    host.create_room(stoa::room::room_kind::open, false, "fuzz");
    network.run(now);
    stoa::room_id room{};
    for (auto& e : host.take_events()) {
        if (auto* created = std::get_if<stoa::client::event::room_created>(&e)) room = created->room;
    }
    host.join_room(room, std::nullopt, {"h", ""});
    network.run(now);
    (void)network.connect(target, now);
    target.join_room(room, std::nullopt, {"t", ""});
    for (int i = 0; i < 20; ++i) network.tick(now += std::chrono::milliseconds(20));

    stoa::audio::pcm_frame pcm{};
    stoa::byte_reader reader({data, size});
    while (!reader.empty()) {
        const auto op = reader.read_u8();
        const auto length = reader.read_u16();
        if (!op || !length) break;
        const auto body = reader.read_bytes(std::min<std::size_t>(*length, reader.remaining()));
        switch (*op % 4) {
            case 0:
                target.receive_text(std::string_view(reinterpret_cast<const char*>(body->data()), body->size()), now);
                break;
            case 1: target.receive_binary(*body, now); break;
            case 2: (void)stoa::client::read_media_payload(*body); break;
            default:
                now += std::chrono::milliseconds(*length % 1000);
                target.tick(now);
                target.pull_audio(now, pcm);
                break;
        }
        (void)target.take_events();
        (void)target.take_outbound();
        if (target.approximate_bytes() > 64u * 1024 * 1024) std::abort();  // unbounded growth
    }
    return 0;
}
