#include "stoa/e2ee/signature_cache.hpp"

#include <sodium.h>

#include <stdexcept>

namespace stoa::e2ee {

namespace {
constexpr std::string_view cache_label = "stoa signature verdict v1";
}

signature_cache::signature_cache(std::size_t capacity) : capacity_(capacity) {
    if (capacity_ == 0) throw std::invalid_argument("signature_cache needs room for at least one verdict");
}

status<e2ee_error> signature_cache::verify(const public_key& key, byte_view message, const signature& sig) {
    // Every input is length-prefixed or fixed-size, so two different triples never hash alike
    // short of a BLAKE2b-256 collision.
    digest id{};
    crypto_generichash_state state;
    crypto_generichash_init(&state, nullptr, 0, id.size());
    crypto_generichash_update(&state, reinterpret_cast<const std::uint8_t*>(cache_label.data()), cache_label.size());
    crypto_generichash_update(&state, key.value.data(), key.value.size());
    crypto_generichash_update(&state, sig.data(), sig.size());
    const std::uint64_t length = message.size();
    std::array<std::uint8_t, 8> length_bytes{};
    for (std::size_t i = 0; i < 8; ++i) length_bytes[i] = static_cast<std::uint8_t>(length >> (8 * i));
    crypto_generichash_update(&state, length_bytes.data(), length_bytes.size());
    crypto_generichash_update(&state, message.data(), message.size());
    crypto_generichash_final(&state, id.data(), id.size());

    {
        const std::lock_guard lock(mutex_);
        if (const auto found = verdicts_.find(id); found != verdicts_.end()) {
            ++stats_.shared;
            if (found->second.valid) return {};
            return fail(found->second.error);
        }
    }
    // Verified outside the lock: two threads may both verify a new batch, which only costs time.
    const status<e2ee_error> checked = verify_signature(key, message, sig);
    const std::lock_guard lock(mutex_);
    ++stats_.verified;
    if (verdicts_.size() >= capacity_ && !order_.empty()) {
        verdicts_.erase(order_.front());
        order_.pop_front();
    }
    if (verdicts_.emplace(id, verdict{checked.ok(), checked.ok() ? e2ee_error::bad_signature : checked.error()}).second) {
        order_.push_back(id);
    }
    return checked;
}

signature_cache_stats signature_cache::stats() const {
    const std::lock_guard lock(mutex_);
    return stats_;
}

}  // namespace stoa::e2ee
