// vector_queue: FIFO order through compaction, removal of the oldest match, clearing.
#include <catch2/catch.hpp>

#include <deque>
#include <random>

#include "stoa/common/vector_queue.hpp"

TEST_CASE("vector_queue keeps FIFO order through pushes, pops and compaction", "[common][vector_queue]") {
    stoa::vector_queue<int> queue;
    CHECK(queue.empty());
    for (int i = 0; i < 40; ++i) queue.emplace_back(i);
    for (int i = 0; i < 30; ++i) {  // past half: the rest is moved to the front
        REQUIRE(queue.front() == i);
        queue.pop_front();
    }
    queue.emplace_back(40);
    CHECK(queue.size() == 11);
    for (int i = 30; i <= 40; ++i) {
        REQUIRE(queue.front() == i);
        queue.pop_front();
    }
    CHECK(queue.empty());
}

TEST_CASE("vector_queue removes the oldest match only, and agrees with a deque under random use",
          "[common][vector_queue]") {
    stoa::vector_queue<int> queue;
    for (int i : {1, 2, 3, 4, 5, 6}) queue.emplace_back(i);
    queue.pop_front();  // 2 3 4 5 6
    CHECK(queue.erase_first_if([](int v) { return v % 2 == 0; }));  // removes 2
    CHECK_FALSE(queue.erase_first_if([](int v) { return v > 100; }));
    CHECK(queue.front() == 3);
    queue.front() = 30;  // front is writable (the send queue moves its messages out)
    CHECK(queue.front() == 30);

    std::mt19937 random(7);
    std::deque<int> model;
    queue.clear();
    CHECK(queue.empty());
    for (int step = 0; step < 20'000; ++step) {
        switch (random() % 4) {
            case 0:
            case 1:
                queue.emplace_back(step);
                model.push_back(step);
                break;
            case 2:
                if (!model.empty()) {
                    REQUIRE(queue.front() == model.front());
                    queue.pop_front();
                    model.pop_front();
                }
                break;
            case 3: {
                const int modulus = static_cast<int>(random() % 5) + 2;
                const auto match = [modulus](int v) { return v % modulus == 0; };
                const auto found = std::find_if(model.begin(), model.end(), match);
                CHECK(queue.erase_first_if(match) == (found != model.end()));
                if (found != model.end()) model.erase(found);
                break;
            }
        }
        REQUIRE(queue.size() == model.size());
        if (step % 1000 == 0) queue.shrink_when_small();
    }
}
