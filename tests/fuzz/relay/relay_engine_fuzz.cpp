// Fuzzes the relay engine with what untrusted connections can send: records of
// [op u8][length u16][bytes] become text or binary messages from a member of a live room, text
// from an unauthenticated connection, or a clock tick. The room's invariants must hold throughout.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "stoa/loopback/loopback_network.hpp"
#include "test_random.hpp"

namespace {
using namespace std::chrono_literals;

class null_sink final : public stoa::relay::relay_sink {
public:
    void send(stoa::relay::connection_id, const stoa::relay::shared_message&) override {}
    void close(stoa::relay::connection_id, stoa::relay::close_code, std::string_view) override {}
};
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    stoa::test::seeded_random random(1);
    stoa::loopback::loopback_network network(stoa::relay::relay_config{}, random);
    stoa::time_point now = stoa::from_micros(1'000'000);
    stoa::client::client_session host(stoa::e2ee::identity::generate(random), {}, random);
    stoa::client::client_session member(stoa::e2ee::identity::generate(random), {}, random);
    stoa::client::client_session stranger(stoa::e2ee::identity::generate(random), {}, random);
    (void)network.connect(host, now);
    host.create_room(stoa::room::room_kind::open, false, "fuzz");
    network.run(now);
    stoa::room_id room{};
    for (auto& e : host.take_events()) {
        if (auto* created = std::get_if<stoa::client::event::room_created>(&e)) room = created->room;
    }
    host.join_room(room, std::nullopt, {"h", ""});
    network.run(now);
    const auto member_connection = network.connect(member, now);
    member.join_room(room, std::nullopt, {"m", ""});
    network.run(now);
    const auto stranger_connection = network.connect(stranger, now);
    network.run(now);

    stoa::byte_reader reader({data, size});
    while (!reader.empty()) {
        const auto op = reader.read_u8();
        const auto length = reader.read_u16();
        if (!op || !length) break;
        const auto body = reader.read_bytes(std::min<std::size_t>(*length, reader.remaining()));
        const std::string bytes(reinterpret_cast<const char*>(body->data()), body->size());
        switch (*op % 4) {
            case 0:
                if (network.is_connected(member_connection)) network.engine().on_text(member_connection, bytes, now);
                break;
            case 1:
                if (network.is_connected(member_connection)) {
                    network.engine().on_binary(member_connection,
                                               stoa::relay::make_message(bytes, stoa::relay::payload_kind::binary,
                                                                         stoa::relay::traffic_class::media),
                                               now);
                }
                break;
            case 2:
                if (network.is_connected(stranger_connection)) network.engine().on_text(stranger_connection, bytes, now);
                break;
            default:
                now += std::chrono::milliseconds(*length % 2000);
                network.engine().tick(now);
                break;
        }
        network.run(now);
        if (const auto* authority = network.engine().find_room(room); authority != nullptr && authority->audit()) {
            std::abort();  // an invariant of the room broke
        }
    }
    return 0;
}
