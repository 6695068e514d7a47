// Connections per address: a share per address, released with the slot, nothing left behind, and
// 0 for unlimited.
#include <catch2/catch.hpp>

#include <atomic>
#include <optional>
#include <thread>
#include <vector>

#include "stoa/server/address_limiter.hpp"

using stoa::server::address_limiter;

TEST_CASE("each address gets its share; a released slot makes room again", "[server][address_limit]") {
    address_limiter limiter(2);
    auto a = limiter.try_acquire("198.51.100.7");
    auto b = limiter.try_acquire("198.51.100.7");
    REQUIRE(a.has_value());
    REQUIRE(b.has_value());
    CHECK(limiter.open("198.51.100.7") == 2);
    CHECK_FALSE(limiter.try_acquire("198.51.100.7").has_value());
    // Another address is not affected.
    auto other = limiter.try_acquire("2001:db8::1");
    CHECK(other.has_value());
    CHECK(limiter.addresses() == 2);

    a.reset();
    CHECK(limiter.open("198.51.100.7") == 1);
    CHECK(limiter.try_acquire("198.51.100.7").has_value());  // a temporary: released at once

    // A moved slot is released once, by its new owner.
    std::optional<address_limiter::slot> moved;
    moved.emplace(std::move(*b));
    b.reset();
    CHECK(limiter.open("198.51.100.7") == 1);
    moved.reset();
    other.reset();
    CHECK(limiter.open("198.51.100.7") == 0);
    CHECK(limiter.addresses() == 0);  // entries at zero are gone
}

TEST_CASE("0 is unlimited and counts nothing", "[server][address_limit]") {
    address_limiter limiter(0);
    std::vector<address_limiter::slot> slots;
    for (int i = 0; i < 1000; ++i) {
        auto slot = limiter.try_acquire("127.0.0.1");
        REQUIRE(slot.has_value());
        slots.push_back(std::move(*slot));
    }
    CHECK(limiter.addresses() == 0);
}

TEST_CASE("slots taken and released on many threads add up", "[server][address_limit]") {
    address_limiter limiter(1000);
    std::atomic<int> refused{0};  // Catch2's assertions are not for other threads
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&limiter, &refused] {
            for (int i = 0; i < 2000; ++i) {
                auto first = limiter.try_acquire("203.0.113.1");
                auto second = limiter.try_acquire("203.0.113.1");
                if (!first || !second) refused.fetch_add(1);
            }
        });
    }
    for (auto& thread : threads) thread.join();
    CHECK(refused.load() == 0);
    CHECK(limiter.open("203.0.113.1") == 0);
    CHECK(limiter.addresses() == 0);
}
