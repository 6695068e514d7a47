// A FIFO kept in one vector: pushed at the back, popped at the front, compacted as it drains.
// For small queues that live long and mostly hold a few items (a listener's frames awaiting a
// signature, a relay connection's send queue): std::deque allocates about 600 bytes before its
// first item, this only what it holds, and an emptied queue keeps its capacity for the next item.
#pragma once

#include <cassert>
#include <cstddef>
#include <utility>
#include <vector>

namespace stoa {

template <typename T>
class vector_queue {
public:
    [[nodiscard]] bool empty() const noexcept { return head_ == items_.size(); }
    [[nodiscard]] std::size_t size() const noexcept { return items_.size() - head_; }
    [[nodiscard]] const T& front() const noexcept {
        assert(!empty());
        return items_[head_];
    }
    [[nodiscard]] T& front() noexcept {
        assert(!empty());
        return items_[head_];
    }

    template <typename... Args>
    void emplace_back(Args&&... args) {
        items_.emplace_back(std::forward<Args>(args)...);
    }

    void pop_front() noexcept {
        assert(!empty());
        ++head_;
        if (head_ == items_.size()) {
            items_.clear();
            head_ = 0;
        } else if (head_ >= 16 && head_ * 2 >= items_.size()) {
            // Half or more is popped: move the rest to the start (amortised O(1) per item).
            items_.erase(items_.begin(), items_.begin() + static_cast<std::ptrdiff_t>(head_));
            head_ = 0;
        }
    }

    void clear() noexcept {
        items_.clear();
        head_ = 0;
    }

    // Removes the oldest item that satisfies `pred` (O(size) moves); false when none does.
    template <typename Pred>
    bool erase_first_if(Pred pred) {
        for (std::size_t i = head_; i < items_.size(); ++i) {
            if (pred(std::as_const(items_[i]))) {
                items_.erase(items_.begin() + static_cast<std::ptrdiff_t>(i));
                if (head_ == items_.size()) clear();
                return true;
            }
        }
        return false;
    }

    // Frees what a burst left behind once the queue is small again.
    void shrink_when_small() {
        if (items_.capacity() > 64 && size() * 4 < items_.capacity()) {
            std::vector<T> kept(items_.begin() + static_cast<std::ptrdiff_t>(head_), items_.end());
            items_.swap(kept);
            head_ = 0;
        }
    }

private:
    std::vector<T> items_;
    std::size_t head_ = 0;
};

}  // namespace stoa
