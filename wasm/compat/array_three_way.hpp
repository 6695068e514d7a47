// Force-included into every C++ file of the WebAssembly build (see the top-level CMakeLists.txt).
// Debian's Emscripten 3.1.6 ships libc++ 14, which lacks C++20's operator<=> for std::array
// (P1614, libc++ 15), so a defaulted <=> over an array member (stoa::strong_bytes) is deleted
// there. This supplies the standard's definition for libc++ < 15 only; newer toolchains skip it.
#pragma once

#include <array>
#include <compare>
#include <cstddef>
#include <utility>

#if defined(_LIBCPP_VERSION) && _LIBCPP_VERSION < 15000
namespace std {
template <class T, size_t N>
constexpr auto operator<=>(const array<T, N>& left, const array<T, N>& right)
    -> decltype(declval<const T&>() <=> declval<const T&>()) {
    for (size_t i = 0; i < N; ++i) {
        if (const auto order = left[i] <=> right[i]; order != 0) return order;
    }
    return strong_ordering::equal;
}
}  // namespace std
#endif
