#include <catch2/catch.hpp>

#include <cstdint>
#include <type_traits>
#include <unordered_set>

#include "stoa/common/ids.hpp"
#include "stoa/common/strong_type.hpp"

namespace {
struct seq16_tag;
using seq16 = stoa::serial_number<seq16_tag, std::uint16_t>;
}  // namespace

TEST_CASE("strong ids of different kinds do not convert into each other", "[common][strong_type]") {
    STATIC_REQUIRE_FALSE(std::is_convertible_v<stoa::sender_index, stoa::epoch_id>);
    STATIC_REQUIRE_FALSE(std::is_convertible_v<std::uint32_t, stoa::sender_index>);
    STATIC_REQUIRE_FALSE(std::is_convertible_v<stoa::member_id, stoa::room_id>);
}

TEST_CASE("strong ints order like their representation", "[common][strong_type]") {
    CHECK(stoa::epoch_id{1} < stoa::epoch_id{2});
    CHECK(stoa::epoch_id{7}.next() == stoa::epoch_id{8});
}

TEST_CASE("serial numbers compare across wrap-around", "[common][strong_type]") {
    const seq16 before_wrap{65530};
    const seq16 after_wrap{4};
    CHECK(before_wrap.is_before(after_wrap));
    CHECK(after_wrap.is_after(before_wrap));
    CHECK(seq16::distance(before_wrap, after_wrap) == 10);
    CHECK(seq16{65535}.next() == seq16{0});
    // Half the space away is ambiguous by RFC 1982; we treat it as "behind".
    CHECK_FALSE(seq16{0}.is_before(seq16{32768}));
}

TEST_CASE("byte ids hash and compare by content", "[common][strong_type]") {
    stoa::member_id a{};
    stoa::member_id b{};
    a.value[0] = 1;
    b.value[0] = 2;
    std::unordered_set<stoa::member_id, stoa::strong_hash> set{a, b, a};
    CHECK(set.size() == 2);
    CHECK(a < b);
}
