// stoa-demo: the core's self-check. A whole room runs in one process through the relay engine
// and the in-process transport: real identities, handshake, roster, epoch keys, Opus and
// end-to-end encrypted frames. It prints what happened and exits non-zero if anything is wrong.
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "stoa/audio/format.hpp"
#include "stoa/audio/tone.hpp"
#include "stoa/client/client_session.hpp"
#include "stoa/common/bytes.hpp"
#include "stoa/e2ee/system_random.hpp"
#include "stoa/loopback/loopback_network.hpp"

namespace {

int failures = 0;

void check(bool ok, const std::string& what) {
    std::printf("  [%s] %s\n", ok ? " ok " : "FAIL", what.c_str());
    if (!ok) ++failures;
}

struct member {
    std::string name;
    std::unique_ptr<stoa::client::client_session> session;
    stoa::relay::connection_id connection{};
};

std::vector<stoa::client::client_event> drain(member& m) { return m.session->take_events(); }

template <typename Event>
const Event* find_event(const std::vector<stoa::client::client_event>& events) {
    for (const auto& e : events) {
        if (const auto* found = std::get_if<Event>(&e)) return found;
    }
    return nullptr;
}

}  // namespace

int main() {
    stoa::e2ee::system_random random;
    stoa::loopback::loopback_network network(stoa::relay::relay_config{}, random);
    stoa::time_point now = stoa::from_micros(1'000'000);
    const auto step = [&](std::chrono::microseconds by) {
        now += by;
        network.tick(now);
    };

    std::vector<member> members;
    members.reserve(8);  // references to members stay valid
    const auto add_member = [&](const std::string& name) -> member& {
        members.push_back({name, std::make_unique<stoa::client::client_session>(
                                     stoa::e2ee::identity::generate(random), stoa::client::client_config{}, random)});
        members.back().connection = network.connect(*members.back().session, now);
        return members.back();
    };

    std::printf("stoa-demo: one room, in one process, through the blind relay engine\n\n");

    // 1. A host creates an open room and joins it.
    member& host = add_member("Ada (host)");
    host.session->create_room(stoa::room::room_kind::open, false, "Stoa demo room");
    network.run(now);
    auto host_events = drain(host);
    const auto* created = find_event<stoa::client::event::room_created>(host_events);
    check(created != nullptr, "the relay created a room for an authenticated key pair (no phone number)");
    if (created == nullptr) return 1;
    const stoa::room_id room = created->room;
    host.session->join_room(room, std::nullopt, {"Ada", "hosting"});
    network.run(now);
    step(std::chrono::milliseconds(20));
    check(host.session->role() == stoa::room::role::host, "the first member is the host and key distributor");

    // 2. A speaker-to-be and three listeners join.
    member& bo = add_member("Bo");
    for (auto* m : {&bo}) m->session->join_room(room, std::nullopt, {"Bo", ""});
    for (const char* name : {"Cy", "Di", "Ed"}) add_member(name).session->join_room(room, std::nullopt, {name, ""});
    network.run(now);
    for (int i = 0; i < 50; ++i) step(std::chrono::milliseconds(20));
    bool everyone_has_keys = true;
    for (auto& m : members) everyone_has_keys = everyone_has_keys && m.session->current_epoch().has_value();
    check(everyone_has_keys, "every member received an epoch key sealed to its own key pair");
    check(host.session->audience_count() == 4, "the audience count reached the stage: " +
                                                   std::to_string(host.session->audience_count()));

    // 3. Bo raises a hand, the host invites Bo, Bo accepts and unmutes.
    bo.session->act(stoa::room::action::raise_hand{});
    network.run(now);
    host.session->act(stoa::room::action::invite_to_stage{bo.session->id()});
    network.run(now);
    bo.session->act(stoa::room::action::accept_invite{});
    network.run(now);
    bo.session->act(stoa::room::action::set_self_muted{false});
    host.session->act(stoa::room::action::set_self_muted{false});
    network.run(now);
    check(bo.session->role() == stoa::room::role::speaker, "a listener raised a hand, was invited and is on stage");

    // 4. Ada speaks 440 Hz, Bo 660 Hz, for two seconds; everyone else listens.
    for (auto& m : members) drain(m);
    stoa::audio::sine_generator ada_voice(440.0, 0.25);
    stoa::audio::sine_generator bo_voice(660.0, 0.25);
    stoa::audio::pcm_frame pcm{};
    std::vector<std::vector<std::int16_t>> heard(members.size());
    for (int frame = 0; frame < 100; ++frame) {
        ada_voice.fill(pcm);
        (void)host.session->send_audio(pcm, now);
        bo_voice.fill(pcm);
        (void)bo.session->send_audio(pcm, now);
        network.run(now);
        for (std::size_t i = 0; i < members.size(); ++i) {
            members[i].session->pull_audio(now, pcm);
            if (frame >= 50) heard[i].insert(heard[i].end(), pcm.begin(), pcm.end());
        }
        step(std::chrono::milliseconds(20));
    }
    for (std::size_t i = 2; i < members.size(); ++i) {
        const double ada = stoa::audio::tone_ratio(heard[i], 440.0);
        const double bob = stoa::audio::tone_ratio(heard[i], 660.0);
        char line[160];
        std::snprintf(line, sizeof line, "%s decrypted, decoded and mixed both speakers (440 Hz share %.2f, 660 Hz share %.2f)",
                      members[i].name.c_str(), ada, bob);
        check(ada > 0.2 && bob > 0.2, line);
    }
    const auto& relay_stats = network.engine().stats();
    check(relay_stats.media_deliveries > 0, "the relay forwarded " + std::to_string(relay_stats.media_deliveries) +
                                                " ciphertext frames by routing header only");

    // 5. Everyone compares the room's security code out of band.
    const auto code = host.session->security_code(now);
    bool codes_match = code.has_value();
    for (auto& m : members) codes_match = codes_match && m.session->security_code(now) == code;
    check(codes_match, "all members show the same security code: " + (code ? code->digits : std::string("none")));

    // 6. Names are readable by members only.
    bool names_ok = false;
    for (const auto& view : members[2].session->stage()) {
        if (view.profile && view.profile->display_name == "Bo") names_ok = true;
    }
    check(names_ok, "a listener decrypted the speaker's display name from the encrypted profile");

    // 7. The host kicks Ed; after the rekey Ed holds no key for the room's audio.
    member& ed = members.back();
    const auto epoch_before = host.session->current_epoch();
    host.session->act(stoa::room::action::kick{ed.session->id()});
    network.run(now);
    for (int i = 0; i < 60; ++i) step(std::chrono::milliseconds(20));
    check(!ed.session->in_room() && !ed.session->current_epoch().has_value(),
          "the kicked member left the room and dropped its keys");
    check(host.session->current_epoch() > epoch_before, "the host issued a fresh epoch after the kick (epoch " +
                                                           std::to_string(host.session->current_epoch()->value) + ")");
    bool remaining_rekeyed = true;
    for (std::size_t i = 1; i + 1 < members.size(); ++i) {
        remaining_rekeyed = remaining_rekeyed && members[i].session->current_epoch() == host.session->current_epoch();
    }
    check(remaining_rekeyed, "every remaining member holds the new epoch");

    std::printf("\nrelay: %llu connections, %llu joins, %llu frames in, %llu deliveries, %llu key packages\n",
                static_cast<unsigned long long>(relay_stats.connections_opened),
                static_cast<unsigned long long>(relay_stats.joins),
                static_cast<unsigned long long>(relay_stats.media_frames_in),
                static_cast<unsigned long long>(relay_stats.media_deliveries),
                static_cast<unsigned long long>(relay_stats.key_packages_delivered));
    std::printf("stoa-demo: %s\n", failures == 0 ? "all checks passed" : "SOME CHECKS FAILED");
    return failures == 0 ? 0 : 1;
}
