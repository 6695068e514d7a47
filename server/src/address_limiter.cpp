// The per-address connection count: a map under one mutex, touched once at upgrade and once at
// close, never per message.
#include "stoa/server/address_limiter.hpp"

#include <utility>

namespace stoa::server {

address_limiter::slot::slot(slot&& other) noexcept
    : owner_(std::exchange(other.owner_, nullptr)), address_(std::move(other.address_)) {}

address_limiter::slot& address_limiter::slot::operator=(slot&& other) noexcept {
    if (this != &other) {
        release();
        owner_ = std::exchange(other.owner_, nullptr);
        address_ = std::move(other.address_);
    }
    return *this;
}

void address_limiter::slot::release() noexcept {
    if (owner_ != nullptr) std::exchange(owner_, nullptr)->release(address_);
}

std::optional<address_limiter::slot> address_limiter::try_acquire(std::string_view address) {
    if (per_address_ == 0) return slot{};
    std::string key(address);
    const std::lock_guard lock(mutex_);
    std::size_t& count = open_[key];
    if (count >= per_address_) return std::nullopt;  // count > 0 here, so the entry was there already
    ++count;
    return slot(this, std::move(key));
}

std::size_t address_limiter::open(std::string_view address) const {
    const std::lock_guard lock(mutex_);
    const auto found = open_.find(std::string(address));
    return found == open_.end() ? 0 : found->second;
}

std::size_t address_limiter::addresses() const {
    const std::lock_guard lock(mutex_);
    return open_.size();
}

void address_limiter::release(const std::string& address) noexcept {
    const std::lock_guard lock(mutex_);
    const auto found = open_.find(address);
    if (found == open_.end()) return;
    if (--found->second == 0) open_.erase(found);
}

}  // namespace stoa::server
