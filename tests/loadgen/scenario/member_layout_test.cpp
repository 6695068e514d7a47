#include <catch2/catch.hpp>

#include <vector>

#include "statistics.hpp"
#include "stoa/loadgen/scenario/member_layout.hpp"

using namespace stoa::loadgen;

namespace {
scenario rooms_plan(std::uint32_t rooms, std::uint32_t speakers, std::uint32_t listeners, double exponent) {
    scenario plan;
    plan.rooms.count = rooms;
    plan.rooms.zipf_exponent = exponent;
    plan.members.speakers_per_room = speakers;
    plan.members.listeners = listeners;
    return plan;
}
}  // namespace

TEST_CASE("speakers come first, room by room, each room's first speaker its host", "[member_layout]") {
    const member_layout layout(rooms_plan(3, 2, 10, 1.0));
    CHECK(layout.member_count() == 16);
    CHECK(layout.speaker_count() == 6);
    for (std::uint32_t m = 0; m < 6; ++m) {
        CHECK(layout.is_speaker(member_index(m)));
        CHECK(layout.room_of(member_index(m)) == room_index(m / 2));
        CHECK(layout.is_host(member_index(m)) == (m % 2 == 0));
    }
    CHECK(layout.host_of(room_index(2)) == member_index(4));
    CHECK_FALSE(layout.is_speaker(member_index(6)));
    CHECK_FALSE(layout.is_host(member_index(6)));
}

TEST_CASE("listeners spread over rooms with the Zipf shares (chi-square at alpha 0.001)", "[member_layout]") {
    for (double exponent : {0.0, 1.0, 1.3}) {
        const std::uint32_t rooms = 20;
        const std::uint32_t listeners = 100'000;
        const member_layout layout(rooms_plan(rooms, 1, listeners, exponent));
        std::vector<double> observed(rooms, 0.0);
        for (std::uint32_t m = rooms; m < layout.member_count(); ++m)
            observed[layout.room_of(member_index(m)).value] += 1.0;
        double chi_square = 0.0;
        for (std::uint32_t k = 0; k < rooms; ++k) {
            const double expected = listeners * layout.popularity().probability(k);
            chi_square += (observed[k] - expected) * (observed[k] - expected) / expected;
        }
        INFO("s = " << exponent << ": chi-square " << chi_square);
        CHECK(chi_square < test::chi_square_critical(rooms - 1));
    }
}

TEST_CASE("the shares that decrypt and decode are drawn per listener, decoders among decrypters", "[member_layout]") {
    scenario plan = rooms_plan(1, 2, 50'000, 1.0);
    plan.members.decrypt = share{0.3};
    plan.members.decode = share{0.05};
    plan.members.live_encode = share{0.5};
    const member_layout layout(plan);
    double decrypting = 0;
    double decoding = 0;
    for (std::uint32_t m = 2; m < layout.member_count(); ++m) {
        const member_index member(m);
        if (layout.decrypts(member)) ++decrypting;
        if (layout.decodes(member)) {
            ++decoding;
            CHECK(layout.decrypts(member));
        }
    }
    const auto within = [](double count, double n, double p) {
        return std::abs(count - n * p) < test::z_two_sided * std::sqrt(n * p * (1 - p));
    };
    CHECK(within(decrypting, 50'000, 0.3));
    CHECK(within(decoding, 50'000, 0.05));
    CHECK(layout.decrypts(member_index(0)));  // speakers always do
    CHECK_FALSE(layout.decodes(member_index(0)));
    CHECK_FALSE(layout.encodes_live(member_index(5)));  // listeners never encode
    // The same scenario gives the same layout; another seed another one.
    const member_layout again(plan);
    plan.seed = 2;
    const member_layout other(plan);
    int same = 0;
    int differ = 0;
    for (std::uint32_t m = 2; m < 1002; ++m) {
        same += layout.decrypts(member_index(m)) == again.decrypts(member_index(m)) ? 1 : 0;
        differ += layout.decrypts(member_index(m)) != other.decrypts(member_index(m)) ? 1 : 0;
    }
    CHECK(same == 1000);
    CHECK(differ > 0);
}
