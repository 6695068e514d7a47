// result<T, E>: the value-or-typed-error returned wherever input is untrusted.
// Errors are values, never exceptions, so nothing throws across the core's
// boundary (WebAssembly, relay, load generator).
#pragma once

#include <cassert>
#include <type_traits>
#include <utility>
#include <variant>

namespace stoa {

// Wraps an error so a result<T, E> can be built from it unambiguously even when T and E convert.
template <typename E>
struct failure {
    E error;
};
template <typename E>
failure(E) -> failure<E>;

template <typename E>
[[nodiscard]] constexpr failure<std::decay_t<E>> fail(E&& error) {
    return {std::forward<E>(error)};
}

template <typename T, typename E>
class [[nodiscard]] result {
public:
    using value_type = T;
    using error_type = E;

    template <typename U = T>
        requires std::is_constructible_v<T, U&&> && (!std::is_same_v<std::decay_t<U>, result>) &&
                 (!std::is_same_v<std::decay_t<U>, failure<E>>)
    constexpr result(U&& value) : storage_(std::in_place_index<0>, std::forward<U>(value)) {}

    template <typename F>
        requires std::is_constructible_v<E, F&&>
    constexpr result(failure<F> f) : storage_(std::in_place_index<1>, std::move(f.error)) {}

    [[nodiscard]] constexpr bool ok() const noexcept { return storage_.index() == 0; }
    constexpr explicit operator bool() const noexcept { return ok(); }

    [[nodiscard]] constexpr T& value() & { assert(ok()); return std::get<0>(storage_); }
    [[nodiscard]] constexpr const T& value() const& { assert(ok()); return std::get<0>(storage_); }
    [[nodiscard]] constexpr T&& value() && { assert(ok()); return std::get<0>(std::move(storage_)); }
    constexpr T* operator->() { return &value(); }
    constexpr const T* operator->() const { return &value(); }
    constexpr T& operator*() & { return value(); }
    constexpr const T& operator*() const& { return value(); }

    [[nodiscard]] constexpr const E& error() const& { assert(!ok()); return std::get<1>(storage_); }
    [[nodiscard]] constexpr E&& error() && { assert(!ok()); return std::get<1>(std::move(storage_)); }

private:
    std::variant<T, E> storage_;
};

// A result that carries no value: success or a typed error.
template <typename E>
class [[nodiscard]] status {
public:
    constexpr status() = default;
    template <typename F>
        requires std::is_constructible_v<E, F&&>
    constexpr status(failure<F> f) : error_(std::move(f.error)), failed_(true) {}

    [[nodiscard]] constexpr bool ok() const noexcept { return !failed_; }
    constexpr explicit operator bool() const noexcept { return ok(); }
    [[nodiscard]] constexpr const E& error() const { assert(failed_); return error_; }

private:
    E error_{};
    bool failed_ = false;
};

}  // namespace stoa
