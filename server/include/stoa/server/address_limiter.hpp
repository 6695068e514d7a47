// Open WebSocket connections per peer IP address, shared by every I/O thread, so that one host
// cannot take the whole relay (max_connections_per_address). A granted connection holds a slot
// until it is destroyed; the count of its address drops with it.
#pragma once

#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace stoa::server {

class address_limiter {
public:
    // `per_address` = 0 is unlimited: nothing is counted and every request is granted.
    explicit address_limiter(std::size_t per_address) : per_address_(per_address) {}
    address_limiter(const address_limiter&) = delete;
    address_limiter& operator=(const address_limiter&) = delete;

    // One connection's share of its address. Move-only; releases on destruction, on any thread.
    class slot {
    public:
        slot() = default;
        slot(slot&& other) noexcept;
        slot& operator=(slot&& other) noexcept;
        ~slot() { release(); }

    private:
        friend class address_limiter;
        slot(address_limiter* owner, std::string address) : owner_(owner), address_(std::move(address)) {}
        void release() noexcept;

        address_limiter* owner_ = nullptr;  // null when empty or unlimited
        std::string address_;
    };

    // A slot for one more connection from `address`, or nullopt when it already has its share.
    [[nodiscard]] std::optional<slot> try_acquire(std::string_view address);

    // Connections counted for `address` now (0 when unlimited).
    [[nodiscard]] std::size_t open(std::string_view address) const;
    // Addresses with at least one connection: entries at zero are dropped, so a scan of many
    // addresses leaves nothing behind.
    [[nodiscard]] std::size_t addresses() const;

private:
    void release(const std::string& address) noexcept;

    const std::size_t per_address_;
    mutable std::mutex mutex_;
    std::unordered_map<std::string, std::size_t> open_;
};

}  // namespace stoa::server
